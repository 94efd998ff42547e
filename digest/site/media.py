"""Images on the site: where a content image and its resized copies are published, how an article's body shows
them, which image leads the article (teaser thumbnail, og:image, the feed's enclosure), and the page kind that
writes the files.

Every image an article uses is published once, whichever language's page shows it: the original, byte for byte,
at `media/<its path below content/>` (content/images/x.jpg -> media/images/x.jpg), and its resized copies
(digest/read/resize.py: upright, no metadata) at `sized/<width>/<its path>` (sized/800/images/x.jpg). Pages
offer the copies and the original (when it is no wider than the widest copy) in `srcset`, with `sizes` saying how
wide the image is drawn, and an 800-pixel copy (or the narrowest one wider) in `src`. In a body, each local <img>
gets these, a width and height in its real proportions (no layout shift; two thirds of its pixels, shown_size)
and loading="lazy"; an image that cannot be published leaves its alt text instead (the reader warned once).
Teaser thumbnails and the front page's lead image are cropped to a frame by CSS (object-fit). og:image and the
feed's enclosure name one file: the 1,200-pixel copy, or the original when it is not wider (share_copy).
"""
from __future__ import annotations

import html
import re
from typing import Iterator, NamedTuple
from urllib.parse import quote

from digest.read import IMG_TAG, WIDTHS, ImageFile, img_attributes, is_external, resolve_image

MEDIA = "media"
SIZED = "sized"
DEFAULT_WIDTH = 800  # the copy in `src` (browsers without srcset; the likeliest pick of a phone anyway)
SHARE_WIDTH = 1200  # og:image and the feed's enclosure: large enough for a link preview card
_KEPT = ("title", "dir", "lang")  # attributes of a content image kept beside the ones written here


def media_path(rel: str) -> str:
    """Output path of the content image `rel` (a path below content/)."""
    return f"{MEDIA}/{rel}"


def sized_path(width: int, rel: str) -> str:
    """Output path of the resized copy `width` pixels wide of the content image `rel`."""
    return f"{SIZED}/{width}/{rel}"


def candidates(image: ImageFile) -> tuple[tuple[str, int, int, int], ...]:
    """(output path, width, height, bytes) of every file a page may offer for `image`, narrowest first: its
    resized copies, and the original unless it is wider than the widest copy would be."""
    copies = tuple((sized_path(w, image.rel), w, h, size) for w, h, size in image.copies)
    if copies and image.width > WIDTHS[-1]:
        return copies
    return (*copies, (media_path(image.rel), image.width, image.height, image.size))


def share_copy(image: ImageFile) -> tuple[str, int, int, int]:
    """(output path, width, height, bytes) of the one file og:image and the feed's enclosure name."""
    return _pick(candidates(image), SHARE_WIDTH)


def _pick(files: tuple, width: int):
    """The narrowest of `files` (narrowest first) at least `width` wide, else the widest."""
    return next((f for f in files if f[1] >= width), files[-1])


def url_path(path: str) -> str:
    """A path as it goes in a URL: every character outside letters, digits and '/-._~' percent-encoded."""
    return quote(path, safe="/")


def relative_src(page_path: str, target: str) -> str:
    """The URL of output file `target` from the page at `page_path` (both relative to the site root)."""
    depth = page_path.count("/")
    return "../" * depth + url_path(target)


def shown_size(width: int, height: int) -> tuple[int, int]:
    """The size an image is drawn at in an article (at most; narrower columns scale it down): two thirds of its
    pixels, so that it stays sharp on screens of 1.5 to 2 device pixels per CSS pixel (the original is the widest
    file offered; a small image has no larger version)."""
    return max(1, width * 2 // 3), max(1, height * 2 // 3)


class Lead(NamedTuple):
    """The image that leads an article: the original's media path, its size in pixels, alt text in the page's
    language, and the files pages offer for it (candidates: path, width, height)."""
    path: str
    width: int
    height: int
    alt: str
    files: tuple[tuple[str, int, int], ...] = ()

    @property
    def shown(self) -> tuple[int, int]:
        return shown_size(self.width, self.height)

    def src(self, width: int = DEFAULT_WIDTH) -> str:
        """The output path of the file for `src`: the narrowest at least `width` wide, else the widest."""
        return _pick(self.files, width)[0] if self.files else self.path

    @property
    def share(self) -> tuple[str, int, int]:
        """(output path, width, height) of og:image."""
        found = _pick(self.files, SHARE_WIDTH) if self.files else (self.path, self.width, self.height)
        return found[0], found[1], found[2]

    @property
    def thumb_sizes(self) -> str:
        """`sizes` of a teaser's thumbnail: a 6rem square that the image covers (object-fit), so as wide as 6rem
        times its aspect ratio when it is wider than tall."""
        return f"{6 * max(1.0, self.width / self.height):.1f}rem"


def srcset(page_path: str, files: tuple) -> str:
    """The `srcset` of an image's files from the page at `page_path` ("" for a single file: no choice to offer)."""
    if len(files) < 2:
        return ""
    return ", ".join(f"{relative_src(page_path, path)} {width}w" for path, width, *_ in files)


def column_sizes(width: int) -> str:
    """`sizes` of an image drawn at most `width` CSS pixels wide in the article column (42rem; the full width of
    a narrower screen)."""
    shown = min(width, 672)
    return f"(min-width: {shown + 64}px) {shown}px, 100vw"


def place_images(body_html: str, article_rel: str, page_path: str,
                 images: dict[str, ImageFile]) -> tuple[str, dict[str, str]]:
    """The sanitised body with each local <img> pointing at its published file, sized and lazy; an image not in
    `images` (missing, refused) is replaced by its alt text. Also: the alt text of each image shown, by path."""
    alts: dict[str, str] = {}
    if "<img" not in body_html:
        return body_html, alts

    def rewrite(match: re.Match) -> str:
        attrs = img_attributes(match.group(1))
        src = attrs.get("src", "")
        if is_external(src):
            return match.group(0)
        rel, _ = resolve_image(src, article_rel)
        image = images.get(rel) if rel else None
        alt = attrs.get("alt", "")
        if image is None:
            return html.escape(alt, quote=False)
        alts.setdefault(rel, alt)
        extra = "".join(f' {name}="{html.escape(attrs[name])}"' for name in _KEPT if name in attrs)
        width, height = shown_size(image.width, image.height)
        files = candidates(image)
        offer = srcset(page_path, files)
        if offer:
            extra += f' srcset="{html.escape(offer)}" sizes="{column_sizes(width)}"'
        return (f'<img src="{html.escape(relative_src(page_path, _pick(files, DEFAULT_WIDTH)[0]))}"'
                f' alt="{html.escape(alt)}"{extra} width="{width}" height="{height}" loading="lazy" decoding="async">')

    return IMG_TAG.sub(rewrite, body_html), alts


def lead_image(cover: str | None, used: tuple[str, ...], images: dict[str, ImageFile],
               alts: dict[str, str]) -> tuple[Lead | None, bool]:
    """The image leading an article: the front matter's `image:` when it can be published, else the body's first
    image that can. Also: whether the article page must show it above the text (a cover not in the body)."""
    rel = cover if cover in images else next((r for r in used if r in images), None)
    if rel is None:
        return None, False
    image = images[rel]
    # A cover is described by the headline beside it: alt="" (decorative) unless the body gives it an alt text.
    return Lead(media_path(rel), image.width, image.height, alts.get(rel, ""),
                tuple(f[:3] for f in candidates(image))), rel not in alts


def absolute_media_url(base_url: str, path: str) -> str:
    return base_url + url_path(path)


_SRCSET = re.compile(r' srcset="[^"]*" sizes="[^"]*"')


def feed_body(body_html: str, base_url: str) -> str:
    """A body for a feed: its images addressed absolutely (feed readers resolve relative URLs inconsistently),
    in `src` only (a reader shows the 800-pixel copy; srcset lists relative addresses). Article pages are two
    folders deep (<lang>/<slug>/), so their images' addresses start with ../../media/ or ../../sized/."""
    if "<img" not in body_html:
        return body_html
    body_html = _SRCSET.sub("", body_html)
    return (body_html.replace(f'src="../../{MEDIA}/', f'src="{base_url}{MEDIA}/')
            .replace(f'src="../../{SIZED}/', f'src="{base_url}{SIZED}/'))


# --- the page kind: the original and the resized copies of each image a published article uses ------------------
def plan_media(site) -> Iterator:
    """Each image used by a published article: its original copied as it is to media/..., its resized copies
    (made by the read stage into the cache folder) to sized/<width>/...; recipes are the content hash (and the
    copy's width and settings), so a changed image is copied again and nothing else is (its pages change only when
    its size in pixels or its copies' widths do)."""
    from digest.read import copy_bytes, read_image
    from digest.site.kinds import Page

    content_dir, folder = site.config.content_dir, site.copies_dir
    for rel, image in sorted(site.images.items()):
        yield Page(media_path(rel), ("media", image.sha),
                   data=lambda rel=rel: _copy(content_dir, rel, read_image))
        for width, _, size in image.copies:
            yield Page(sized_path(width, rel), ("sized", image.sha, folder.name, str(width), str(size)),
                       data=lambda image=image, width=width: copy_bytes(folder, content_dir, image, width))


def _copy(content_dir, rel: str, read) -> bytes:
    try:
        return read(content_dir, rel)
    except (OSError, ValueError):  # gone or grown since it was scanned: the next build sees the change
        return b""

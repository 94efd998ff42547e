"""Images on the site: where a content image is published, how an article's body shows it, which image leads the
article (teaser thumbnail, og:image, the feed's enclosure), and the page kind that copies the files.

Every image an article uses is published once, at `media/<its path below content/>` (content/images/x.png ->
media/images/x.png), whichever language's page shows it. Files are copied byte for byte (not resized). In a body,
each local <img> gets that file's address relative to the page, a width and height in its real proportions (no
layout shift; two thirds of its pixels, shown_size) and loading="lazy"; an image that cannot be published leaves
its alt text instead (the reader warned once). Teaser thumbnails and the front page's lead image are cropped to a
frame by CSS (object-fit) and carry the real size in pixels.
"""
from __future__ import annotations

import html
import re
from typing import Iterator, NamedTuple
from urllib.parse import quote

from digest.read import IMG_TAG, ImageFile, img_attributes, is_external, resolve_image

MEDIA = "media"
_KEPT = ("title", "dir", "lang")  # attributes of a content image kept beside the ones written here


def media_path(rel: str) -> str:
    """Output path of the content image `rel` (a path below content/)."""
    return f"{MEDIA}/{rel}"


def url_path(path: str) -> str:
    """A path as it goes in a URL: every character outside letters, digits and '/-._~' percent-encoded."""
    return quote(path, safe="/")


def relative_src(page_path: str, target: str) -> str:
    """The URL of output file `target` from the page at `page_path` (both relative to the site root)."""
    depth = page_path.count("/")
    return "../" * depth + url_path(target)


def shown_size(width: int, height: int) -> tuple[int, int]:
    """The size an image is drawn at in an article (at most; narrower columns scale it down): two thirds of its
    pixels, so that it stays sharp on screens of 1.5 to 2 device pixels per CSS pixel (images are copied as they
    are, with no larger version to offer them)."""
    return max(1, width * 2 // 3), max(1, height * 2 // 3)


class Lead(NamedTuple):
    """The image that leads an article: media path, size in pixels, alt text in the page's language."""
    path: str
    width: int
    height: int
    alt: str

    @property
    def shown(self) -> tuple[int, int]:
        return shown_size(self.width, self.height)


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
        return (f'<img src="{html.escape(relative_src(page_path, media_path(rel)))}" alt="{html.escape(alt)}"'
                f'{extra} width="{width}" height="{height}" loading="lazy" decoding="async">')

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
    return Lead(media_path(rel), image.width, image.height, alts.get(rel, "")), rel not in alts


def absolute_media_url(base_url: str, path: str) -> str:
    return base_url + url_path(path)


def feed_body(body_html: str, base_url: str) -> str:
    """A body for a feed: its images addressed absolutely (feed readers resolve relative URLs inconsistently).
    Article pages are two folders deep (<lang>/<slug>/), so their images' addresses start with ../../media/."""
    return body_html.replace(f'src="../../{MEDIA}/', f'src="{base_url}{MEDIA}/')


# --- the page kind: one copy per image a published article uses -------------------------------------------------
def plan_media(site) -> Iterator:
    """Each image used by a published article, copied as it is to media/...; its recipe is its content hash, so a
    changed image is copied again and nothing else is (its pages change only when its size in pixels does)."""
    from digest.read import read_image
    from digest.site.pages import Page

    content_dir = site.config.content_dir
    for rel, image in sorted(site.images.items()):
        yield Page(media_path(rel), ("media", image.sha),
                   data=lambda rel=rel: _copy(content_dir, rel, read_image))


def _copy(content_dir, rel: str, read) -> bytes:
    try:
        return read(content_dir, rel)
    except (OSError, ValueError):  # gone or grown since it was scanned: the next build sees the change
        return b""

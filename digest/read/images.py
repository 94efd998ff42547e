"""Images an article uses: the references it makes (front matter `image:`, then the body's images in order),
resolved to files of the content folder, and what an image file is (its type and size in pixels, read from its
header; no image library).

Only relative references are images of the site: an absolute http(s) URL in the body is left as it is (the page's
CSP allows https: images) and is never copied nor used as the article's lead image. A reference that climbs out
of the content folder, has another scheme or names a type the site does not publish is refused when the article
is read (one warning); a file that is missing, too large or not really an image is refused at build time.
SVG is refused: an SVG file opened by itself runs the script it carries, on the site's own origin.
"""
from __future__ import annotations

import posixpath
from pathlib import Path
import re
import struct
from typing import NamedTuple
from urllib.parse import unquote

# The types published, by file name ending (lower case) and by what the file's first bytes say.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".avif": "image/avif"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # larger files are refused (the original is published beside its copies)
MAX_IMAGE_SIDE = 30_000  # a header claiming more is not believed
MAX_IMAGES_PER_ARTICLE = 50

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# An <img> tag of sanitised HTML and its attributes: values are double-quoted (nh3 writes them so, with '"' escaped)
# and may hold '>' (only '&', '"' and no-break spaces are escaped in attribute values).
IMG_TAG = re.compile(r"<img\b((?:\s+[A-Za-z-]+(?:=\"[^\"]*\")?)*)\s*/?>")
IMG_ATTR = re.compile(r"([A-Za-z-]+)(?:=\"([^\"]*)\")?")


class ImageFile(NamedTuple):
    """A published image: its path below the content folder, type, size in pixels (upright, once decoded) and
    bytes, content hash; the resized copies made of it (digest/read/resize.py) or why none could be made."""
    rel: str
    mime: str
    width: int
    height: int
    size: int
    sha: str
    copies: tuple[tuple[int, int, int], ...] = ()  # (width, height, bytes) of each resized copy, narrowest first
    problem: str = ""  # why it has no resized copies though it is wide enough for some (one warning)


def is_external(src: str) -> bool:
    """An absolute http(s) URL (or a scheme-relative one): shown from where it is, never copied."""
    s = src.strip().lower()
    return s.startswith(("http://", "https://", "//"))


def resolve_image(src: str, article_rel: str) -> tuple[str | None, str | None]:
    """(the image's path below the content folder, None) or (None, why it is refused) for a local reference made
    by the article at `article_rel`. A leading '/' starts from the content folder; '?' and '#' parts are dropped;
    percent-escapes are decoded. External URLs are not asked here (is_external)."""
    src = src.strip()
    if not src:
        return None, "is empty"
    if _SCHEME.match(src):
        return None, "is not a file of the content folder nor an http(s) address"
    path = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if not path or "\\" in path or "\x00" in path or any(ord(c) < 32 for c in path):
        return None, "is not a usable file path"
    base = "" if path.startswith("/") else posixpath.dirname(article_rel)
    joined = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
    if joined in (".", "..") or joined.startswith(("../", "/")):
        return None, "points outside the content folder"
    if any(part.startswith(".") for part in joined.split("/")):
        return None, "is a hidden file"
    suffix = posixpath.splitext(joined)[1].lower()
    if suffix == ".svg":
        return None, ("is an SVG file: not published (an SVG file can carry script); convert it to PNG or WebP")
    if suffix not in IMAGE_TYPES:
        return None, f"is not an image type the site publishes ({', '.join(sorted(IMAGE_TYPES))})"
    return joined, None


def body_image_sources(html: str) -> list[str]:
    """The src of every <img> of a sanitised HTML fragment (attributes double-quoted, as nh3 writes them)."""
    return [img_attributes(tag).get("src", "") for tag in IMG_TAG.findall(html)]


def img_attributes(attributes: str) -> dict[str, str]:
    """The attributes of an <img> tag (IMG_TAG's group), names in lower case, values unescaped."""
    import html as html_lib

    return {name.lower(): html_lib.unescape(value or "") for name, value in IMG_ATTR.findall(attributes)}


# --- what an image file is ---------------------------------------------------------------------------------------
def probe_image(data: bytes) -> tuple[str, int, int] | None:
    """(MIME type, width, height) from an image's header, or None when it is not a PNG, JPEG, GIF, WebP or AVIF
    file whose size can be read."""
    try:
        found = _probe(data)
    except (struct.error, IndexError, ValueError):
        return None
    if found is None:
        return None
    mime, width, height = found
    if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
        return None
    return mime, width, height


def _probe(data: bytes) -> tuple[str, int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return "image/gif", width, height
    if data[:3] == b"\xff\xd8\xff":
        return _jpeg(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return _avif(data)
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[str, int, int] | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if length < 2:
            return None
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return "image/jpeg", width, height
        if marker == 0xDA:  # start of scan before any frame header
            return None
        pos += 2 + length
    return None


def _webp(data: bytes) -> tuple[str, int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return "image/webp", width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return "image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return "image/webp", width, height
    return None


def _avif(data: bytes) -> tuple[str, int, int] | None:
    """The first 'ispe' (image spatial extents) property of the file's meta box."""
    found = data.find(b"ispe", 0, 64 * 1024)
    if found < 4:
        return None
    width, height = struct.unpack(">II", data[found + 8:found + 16])  # after version/flags
    return "image/avif", width, height


def read_image(content_dir: Path, rel: str) -> bytes:
    """The bytes of the image `rel` below the content folder: never a file outside it (a symbolic link is followed
    only to a file inside), never more than MAX_IMAGE_BYTES (InputRefused), never a FIFO or device."""

    from digest.read.inputs import InputRefused, read_bounded

    root = Path(content_dir).resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root):
        raise InputRefused("leads outside the content folder")
    return read_bounded(target, MAX_IMAGE_BYTES)


def image_file(content_dir: Path, rel: str, sha: str) -> ImageFile | str:
    """What the image `rel` is (ImageFile), or why it cannot be published."""
    from digest.read.inputs import InputRefused

    if sha.startswith("refused:"):
        return f"is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB or not a regular file"
    try:
        data = read_image(content_dir, rel)
    except InputRefused as exc:
        return str(exc)
    except OSError:
        return "cannot be read"
    found = probe_image(data)
    if found is None:
        return "is not a PNG, JPEG, GIF, WebP or AVIF image whose size can be read"
    mime, width, height = found
    return ImageFile(rel, mime, width, height, len(data), sha)

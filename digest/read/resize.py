"""Resized copies of a content image (Pillow): the widths a page offers in `srcset`, made once per image content
and kept in the build cache.

A photo straight from a camera or an agency is 1,600 pixels wide or more; a phone shows it 390 CSS pixels wide.
Each JPEG, PNG or WebP image wider than the narrowest width of WIDTHS gets a copy at every width of WIDTHS below
its own, in its own format, turned upright (EXIF orientation applied) and without its metadata (EXIF, XMP,
comments: camera, place, time), the colour profile kept. GIF (often animated), AVIF and animated images are
published as they are.

Hostile files: the size in pixels is bounded from the header before anything is decoded (MAX_DECODE_PIXELS; a
decompression bomb is refused by Pillow's own check, set to the same bound), only the decoder of the type the
header named is tried, and a file that does not decode (truncated, corrupt) raises ResizeError: the site then
publishes the original only, with one warning.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import NamedTuple

# The widths offered: a 390-412 px phone at 1.75-3 device pixels per CSS pixel takes 800 (or 1200), a desktop's
# front-page lead (~640 CSS px) 800 or 1600 at 2x, a teaser thumbnail (6rem) 400.
WIDTHS = (400, 800, 1200, 1600)
MAX_DECODE_PIXELS = 50_000_000  # 50 megapixels (8,660 x 5,770): 200 MB decoded as RGBA; larger ones are not resized
JPEG_QUALITY = 80
WEBP_QUALITY = 80
CANNOT_READ = "cannot be read"  # the start of a problem that is the file's moment, not its content (not cached)
RESIZED_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Changing how copies are made (widths, qualities, the library) changes this, so cached copies are made again.
SETTINGS = f"{WIDTHS}|{MAX_DECODE_PIXELS}|q{JPEG_QUALITY}|w{WEBP_QUALITY}|v2"


class ResizeError(Exception):
    """The image cannot be resized (too many pixels, does not decode): publish the original only."""


class Copy(NamedTuple):
    """A resized copy: its size in pixels and its bytes."""
    width: int
    height: int
    data: bytes


def planned_widths(width: int, mime: str) -> tuple[int, ...]:
    """The widths of WIDTHS an image of this type and width gets a copy at (those narrower than itself)."""
    if mime not in RESIZED_TYPES:
        return ()
    return tuple(w for w in WIDTHS if w < width)


def settings_version() -> str:
    """SETTINGS and the Pillow version: what a cached copy was made with."""
    from PIL import __version__

    return f"{SETTINGS}|pillow {__version__}"


def make_copies(data: bytes, mime: str, width: int, height: int) -> tuple[tuple[int, int], list[Copy]]:
    """The image's upright size in pixels and its copies at planned_widths, narrowest first. `width`/`height` are
    the header's (probe_image), checked before anything is decoded. Raises ResizeError."""
    if width * height > MAX_DECODE_PIXELS:
        raise ResizeError(f"has {width * height:,} pixels, more than the {MAX_DECODE_PIXELS:,} resized")
    import warnings

    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_DECODE_PIXELS  # Pillow's own decompression-bomb check, at the same bound
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[RESIZED_TYPES[mime]])
            if getattr(image, "is_animated", False):
                raise ResizeError("is animated: published as it is")
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientation: a quarter turn
            size = (image.size[1], image.size[0]) if turned else image.size
            widths = planned_widths(size[0], mime)
            if widths and mime == "image/jpeg":  # decode at 1/2, 1/4 or 1/8 scale when still wide enough
                scale = widths[-1] / size[0]
                image.draft(image.mode, (max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale))))
            icc = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)  # decodes; a truncated or corrupt file fails here
            upright.load()
        except ResizeError:
            raise
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError, Image.DecompressionBombError,
                Image.DecompressionBombWarning) as exc:
            raise ResizeError(f"cannot be decoded ({_short(exc)})") from None
    copies = []
    source = _encodable(upright, mime)
    for target in sorted(widths, reverse=True):  # widest first: each copy is made from the previous, larger one
        target_height = max(1, round(size[1] * target / size[0]))
        # reduce() first only for a large step (a wide PNG): for a step under 3x it made resizing 1.8x slower.
        gap = 3.0 if source.width >= 3 * target else None
        source = source.resize((target, target_height), Image.Resampling.LANCZOS, reducing_gap=gap)
        copies.append(Copy(target, target_height, _encode(source, mime, icc)))
    return size, copies[::-1]


def _encodable(image, mime: str):
    """The image in a mode its format writes (and resizes well): JPEG takes L, RGB or CMYK; palette images are
    made RGBA so that they are resampled in colour, not by index."""
    if mime == "image/jpeg":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA" if "transparency" in image.info or image.mode in ("P", "PA", "RGBa") else "RGB")


def _encode(image, mime: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if mime == "image/jpeg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra)
    elif mime == "image/png":
        image.save(out, "PNG", optimize=False, compress_level=9, **extra)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
    return out.getvalue()


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]


# --- copies kept in a folder (the build cache's), by content hash and width --------------------------------------
def copy_file(folder: Path, sha: str, width: int) -> Path:
    """Where the copy `width` pixels wide of the image with content hash `sha` is kept."""
    return folder / f"{sha}-{width}"


def resized_image(folder: Path | str, content_dir: Path | str, image):
    """`image` (an ImageFile) with its copies made and kept in `folder`: upright size and each copy's size, or
    the problem that left it without copies. Never raises for a bad image. (Paths may come as strings: it runs in
    worker processes.)"""
    folder, content_dir = Path(folder), Path(content_dir)
    from digest.read.images import read_image
    from digest.read.inputs import InputRefused

    if not planned_widths(image.width, image.mime) and not planned_widths(image.height, image.mime):
        return image  # too small to be offered smaller, whichever way up it is
    try:
        data = read_image(content_dir, image.rel)
        size, copies = make_copies(data, image.mime, image.width, image.height)
    except ResizeError as exc:
        return image._replace(problem=str(exc))
    except (InputRefused, OSError) as exc:
        return image._replace(problem=f"{CANNOT_READ} ({_short(exc)})")
    for copy in copies:
        _write_atomic(copy_file(folder, image.sha, copy.width), copy.data)
    return image._replace(width=size[0], height=size[1],
                          copies=tuple((c.width, c.height, len(c.data)) for c in copies), problem="")


def copy_bytes(folder: Path, content_dir: Path, image, width: int) -> bytes:
    """The bytes of a copy of `image` made by resized_image: from `folder`, or made again when the folder lost it."""
    try:
        return copy_file(folder, image.sha, width).read_bytes()
    except OSError:
        pass
    resized_image(folder, content_dir, image._replace(copies=()))
    try:
        return copy_file(folder, image.sha, width).read_bytes()
    except OSError:  # the image changed or went since it was scanned: the next build sees the change
        return b""


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_bytes(data)
    os.replace(part, path)

"""Resized copies of content images (digest/read/resize.py, the media page kind): the widths made and offered in
srcset, upright and without metadata, og:image and the feed's enclosure on the 1,200-pixel copy, the original kept
as it is; a corrupt image or one with too many pixels is published as it is with one warning; copies are made once
per image content (no re-encoding on a no-change build, an unrelated edit or a rebuild into an empty folder).
The photos are drawn here with Pillow; the texts are written for these tests."""
from __future__ import annotations

import io
import shutil
import struct
import zlib

import feedparser
import pytest
from PIL import Image

from digest.build.pipeline import build
from digest.read import resize

STORY = """---
title: افتتاح حديقة عامة على شاطئ الخبر
date: 2024-05-02T09:30:00+03:00
section: محليات
image: photos/beach.jpg
---
افتتحت أمانة المنطقة الشرقية حديقة عامة جديدة على شاطئ الخبر. وتضم الحديقة ممرات للمشي وملاعب للأطفال.

![الممشى عند الغروب](photos/walk.png)
"""
STORY_EN = """---
title: A public park opens on the Khobar seafront
section: Local
---
The Eastern Province municipality opened a new public park on the Khobar seafront. It has walkways and playgrounds.

![The walkway at sunset](photos/walk.png)
"""
OTHER = """---
title: سوق للمزارعين في الأحساء كل جمعة
date: 2024-05-01T08:00:00+03:00
section: محليات
---
يفتح سوق المزارعين في الأحساء أبوابه كل جمعة. ويعرض فيه المزارعون التمور والخضار.
"""


def photo(width: int, height: int, orientation: int | None = None) -> bytes:
    """A JPEG that compresses like a photo (gradients and detail), with camera metadata (EXIF make, GPS) and,
    when given, an EXIF orientation."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 60).convert("RGB")
    image = Image.blend(image, noise, 0.35)
    exif = Image.Exif()
    exif[0x010F] = "Test Camera Co"  # Make
    exif[0x8825] = {1: "N", 2: (26.0, 17.0, 0.0)}  # GPS: latitude
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def transparent_png(width: int, height: int) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 120, 200, 0))
    image.paste((0, 120, 200, 255), (0, 0, width // 2, height))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def photo_site(tmp_path, make_config):
    content = tmp_path / "content"
    (content / "photos").mkdir(parents=True)
    # Stored on its side (1000 x 1600 pixels) with EXIF orientation 6: upright it is 1600 x 1000.
    (content / "photos" / "beach.jpg").write_bytes(photo(1000, 1600, orientation=6))
    (content / "photos" / "walk.png").write_bytes(transparent_png(900, 600))
    (content / "park.md").write_text(STORY, encoding="utf-8")
    (content / "park.en.md").write_text(STORY_EN, encoding="utf-8")
    (content / "market.md").write_text(OTHER, encoding="utf-8")
    config = make_config(content)
    return config, build(config, quiet=True)


def _open(path):
    image = Image.open(path)
    image.load()
    return image


def test_copies_are_made_at_each_narrower_width_upright_and_without_metadata(photo_site):
    config, report = photo_site
    out = config.output_dir
    original = config.content_dir / "photos" / "beach.jpg"
    assert (out / "media/photos/beach.jpg").read_bytes() == original.read_bytes()  # the original, byte for byte
    made = sorted(p.relative_to(out).as_posix() for p in (out / "sized").rglob("*") if p.is_file())
    assert made == ["sized/1200/photos/beach.jpg", "sized/400/photos/beach.jpg", "sized/400/photos/walk.png",
                    "sized/800/photos/beach.jpg", "sized/800/photos/walk.png"]
    sizes = {}
    for width in (400, 800, 1200):
        copy = _open(out / f"sized/{width}/photos/beach.jpg")
        assert copy.format == "JPEG" and copy.size == (width, width * 1000 // 1600)  # turned upright
        assert not copy.getexif() and "exif" not in copy.info  # camera, GPS and orientation gone
        sizes[width] = (out / f"sized/{width}/photos/beach.jpg").stat().st_size
    assert sizes[400] < sizes[800] < sizes[1200] < original.stat().st_size
    assert sizes[800] < original.stat().st_size / 3  # what a phone downloads instead of the original
    walk = _open(out / "sized/400/photos/walk.png")
    assert walk.format == "PNG" and walk.size == (400, 267) and walk.mode == "RGBA"
    assert walk.getpixel((390, 100))[3] == 0 and walk.getpixel((10, 100))[3] == 255  # transparency kept
    assert not report.warnings


def test_pages_offer_the_copies_in_srcset_with_sizes(photo_site):
    config, _ = photo_site
    out = config.output_dir
    home = (out / "ar" / "index.html").read_text(encoding="utf-8")
    offer = ("../sized/400/photos/beach.jpg 400w, ../sized/800/photos/beach.jpg 800w, "
             "../sized/1200/photos/beach.jpg 1200w, ../media/photos/beach.jpg 1600w")
    lead = home[home.index('<img class="lead-image"'):]
    lead = lead[:lead.index(">") + 1]
    assert lead == ('<img class="lead-image" src="../sized/800/photos/beach.jpg" '
                    f'srcset="{offer}" sizes="(min-width: 72rem) 40rem, (min-width: 48rem) 56vw, 100vw" alt="" '
                    'width="1600" height="1000" fetchpriority="high">')  # upright size; eager, not lazy
    for lang in ("ar", "en"):
        page = (out / lang / "park" / "index.html").read_text(encoding="utf-8")
        assert ('<figure class="cover"><img src="../../sized/800/photos/beach.jpg" '
                f'srcset="{offer.replace("../", "../../")}" sizes="(min-width: 736px) 672px, 100vw" alt="" '
                'width="1066" height="666" fetchpriority="high"></figure>') in page
        # A body image: the original (900 px, under the widest copy) is the widest file offered.
        alt = "الممشى عند الغروب" if lang == "ar" else "The walkway at sunset"
        assert (f'src="../../sized/800/photos/walk.png" alt="{alt}" srcset="../../sized/400/photos/walk.png '
                '400w, ../../sized/800/photos/walk.png 800w, ../../media/photos/walk.png 900w" '
                'sizes="(min-width: 664px) 600px, 100vw" width="600" height="400" loading="lazy"') in page
    section = next((out / "ar" / "section").rglob("index.html")).read_text(encoding="utf-8")
    thumb = section[section.index('<img class="thumb"'):]
    assert thumb[:thumb.index(">") + 1] == (
        '<img class="thumb" src="../../../sized/400/photos/beach.jpg" '
        f'srcset="{offer.replace("../", "../../../")}" sizes="9.6rem" alt="" width="1600" height="1000" '
        'loading="lazy" decoding="async">')  # a 6rem square covered by a 16:10 photo: 9.6rem wide


def test_og_image_and_feed_enclosure_name_the_1200_pixel_copy(photo_site):
    config, _ = photo_site
    out, base = config.output_dir, config.base_url
    page = (out / "ar" / "park" / "index.html").read_text(encoding="utf-8")
    assert f'<meta property="og:image" content="{base}sized/1200/photos/beach.jpg">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="750">' in page
    feed = feedparser.parse((out / "ar" / "feed.xml").read_bytes())
    item = next(e for e in feed.entries if e.link.endswith("/ar/park/"))
    enclosure = item.enclosures[0]
    assert enclosure.href == f"{base}sized/1200/photos/beach.jpg" and enclosure.type == "image/jpeg"
    assert int(enclosure.length) == (out / "sized/1200/photos/beach.jpg").stat().st_size
    body = item.content[0].value
    assert f'src="{base}sized/800/photos/walk.png"' in body and "srcset" not in body  # absolute, one file


def test_a_corrupt_image_is_published_as_it_is_with_one_warning(tmp_path, make_config):
    content = tmp_path / "content"
    (content / "photos").mkdir(parents=True)
    whole = photo(1600, 1000)
    (content / "photos" / "beach.jpg").write_bytes(whole[: len(whole) // 3])  # header fine, data cut short
    (content / "park.md").write_text(STORY.replace("![الممشى عند الغروب](photos/walk.png)", ""), encoding="utf-8")
    config = make_config(content)
    report = build(config, quiet=True)
    lines = [str(w) for w in report.warnings]
    assert len(lines) == 1 and lines[0].startswith("photos/beach.jpg: warning: image cannot be decoded (")
    assert lines[0].endswith("; published as it is, without smaller copies")
    out = config.output_dir
    assert not (out / "sized").exists()
    assert (out / "media/photos/beach.jpg").read_bytes() == (content / "photos/beach.jpg").read_bytes()
    page = (out / "ar" / "park" / "index.html").read_text(encoding="utf-8")
    assert '<img src="../../media/photos/beach.jpg" alt="" width="1066" height="666"' in page
    assert "srcset" not in page


def test_an_image_with_too_many_pixels_is_not_decoded(tmp_path, make_config, monkeypatch):
    """A PNG header claiming 10,000 x 10,000 pixels (a decompression bomb: a few bytes that would decode to
    400 MB) is refused from its header: Pillow is never asked to open it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10_000, 10_000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 30_001 * 200)) + chunk(b"IEND", b""))
    content = tmp_path / "content"
    (content / "photos").mkdir(parents=True)
    (content / "photos" / "walk.png").write_bytes(bomb)
    (content / "park.md").write_text(STORY.replace("image: photos/beach.jpg\n", ""), encoding="utf-8")
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("a bomb was opened"))
    config = make_config(content)
    report = build(config, quiet=True)
    assert [str(w) for w in report.warnings] == [
        "photos/walk.png: warning: image has 100,000,000 pixels, more than the 50,000,000 resized; "
        "published as it is, without smaller copies"]
    assert not (config.output_dir / "sized").exists()


def test_copies_are_made_once_per_image_content(photo_site, monkeypatch):
    config, _ = photo_site
    out = config.output_dir
    copies = sorted(p for p in (out / "sized").rglob("*") if p.is_file())
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in copies}

    def no_encoding(*args, **kwargs):
        raise AssertionError("an unchanged image was decoded and encoded again")

    monkeypatch.setattr(resize, "make_copies", no_encoding)
    build(config, quiet=True)  # nothing changed
    (config.content_dir / "market.md").write_text(OTHER.replace("كل جمعة.", "كل جمعة وسبت."), encoding="utf-8")
    build(config, quiet=True)  # another article edited
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in copies} == before  # not even rewritten
    shutil.rmtree(out)
    build(config, quiet=True)  # an empty output folder, the cache kept: copies come from the cache folder
    assert {p: p.read_bytes() for p in copies} == {p: data for p, (_, data) in before.items()}

    # A changed photo is resized again, and only it.
    calls = []

    def counting(data, mime, width, height):
        calls.append(mime)
        return made(data, mime, width, height)

    monkeypatch.undo()
    made = resize.make_copies
    monkeypatch.setattr(resize, "make_copies", counting)
    (config.content_dir / "photos" / "beach.jpg").write_bytes(photo(1200, 900))
    report = build(config, quiet=True)
    assert calls == ["image/jpeg"] and not report.warnings
    assert not (out / "sized/1200/photos/beach.jpg").exists()  # 1200 wide now: the original is the widest
    assert _open(out / "sized/800/photos/beach.jpg").size == (800, 600)
    page = (out / "ar" / "park" / "index.html").read_text(encoding="utf-8")
    assert 'width="800" height="600"' in page and "../../media/photos/beach.jpg 1200w" in page


def test_copies_of_an_image_no_longer_used_leave_the_cache(photo_site):
    config, _ = photo_site
    from digest.build.reading import copies_dir

    folder = copies_dir(config)
    before = {p.name for p in folder.iterdir()}
    assert len(before) == 5  # 3 of the photo, 2 of the PNG
    (config.content_dir / "park.md").write_text(STORY.replace("![الممشى عند الغروب](photos/walk.png)", "")
                                                .replace("photos/beach.jpg", "photos/pier.jpg"), encoding="utf-8")
    (config.content_dir / "park.en.md").unlink()
    (config.content_dir / "photos" / "pier.jpg").write_bytes(photo(900, 600))
    build(config, quiet=True)
    after = {p.name for p in folder.iterdir()}
    assert len(after) == 2 and not after & before  # the pier's 400 and 800 copies only
    assert not (config.output_dir / "sized" / "1200").exists()


def test_an_image_that_could_not_be_read_is_resized_by_the_next_build(tmp_path, make_config, monkeypatch):
    """A read failure is the file's moment, not its content: it is not kept in the cache like a corrupt file."""
    content = tmp_path / "content"
    (content / "photos").mkdir(parents=True)
    (content / "photos" / "beach.jpg").write_bytes(photo(1000, 600))
    (content / "park.md").write_text(STORY.replace("![الممشى عند الغروب](photos/walk.png)", ""), encoding="utf-8")
    config = make_config(content)

    import digest.read.images as images

    reads = []

    def unreadable_once_probed(*args):  # the header is read, then the file cannot be read to be resized
        reads.append(args)
        if len(reads) > 1:
            raise PermissionError("permission denied")
        return read(*args)

    read = images.read_image
    monkeypatch.setattr(images, "read_image", unreadable_once_probed)
    report = build(config, quiet=True)
    assert [str(w) for w in report.warnings] == [
        "photos/beach.jpg: warning: image cannot be read (permission denied); published as it is, without smaller "
        "copies"]
    monkeypatch.undo()
    (content / "park.md").write_text(STORY.replace("![الممشى عند الغروب](photos/walk.png)", "صورة."), encoding="utf-8")
    report = build(config, quiet=True)
    assert not report.warnings and (config.output_dir / "sized/800/photos/beach.jpg").is_file()

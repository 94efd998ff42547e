"""Images next to articles: references resolved inside content/ only, headers read without a library, files
copied to media/, og:image / twitter card / teaser / feed enclosure from the leading image, one warning per image
that cannot be shown, and incremental builds that copy a changed image and remake only the pages it changes.
The images are made here (tiny PNG/GIF/JPEG/WebP/AVIF headers); the texts are written for these tests."""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import feedparser
import pytest

from digest.build.pipeline import build
from digest.read.images import MAX_IMAGE_BYTES, probe_image, resolve_image
from sitecheck import broken_links


def png(width: int, height: int, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    raw = b"".join(b"\x00" + bytes(color) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# --- reading headers ---------------------------------------------------------------------------------------------
def test_sizes_are_read_from_the_headers_of_each_published_type():
    jpeg = (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9  # APP0 before the frame
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\x03" + b"\x00" * 9)
    webp_vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x0a\x00\x00\x00\x00\x00\x00\x00" + (299).to_bytes(3, "little") \
        + (199).to_bytes(3, "little")
    bits = (120 - 1) | ((90 - 1) << 14)
    webp_vp8l = b"RIFF\x00\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f" + bits.to_bytes(4, "little")
    avif = (struct.pack(">I", 24) + b"ftypavif" + b"\x00" * 12 + b"....meta" + struct.pack(">I", 20) + b"ispe"
            + b"\x00" * 4 + struct.pack(">II", 1024, 768))
    gif = b"GIF89a" + struct.pack("<HH", 33, 22) + b"\x00" * 10
    assert probe_image(png(7, 5)) == ("image/png", 7, 5)
    assert probe_image(jpeg) == ("image/jpeg", 640, 480)
    assert probe_image(gif) == ("image/gif", 33, 22)
    assert probe_image(webp_vp8x) == ("image/webp", 300, 200)
    assert probe_image(webp_vp8l) == ("image/webp", 120, 90)
    assert probe_image(avif) == ("image/avif", 1024, 768)


@pytest.mark.parametrize("data", [b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"<html><script>",
                                  b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + struct.pack(">II", 0, 10),
                                  b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + struct.pack(">II", 10 ** 6, 10),
                                  b"\xff\xd8\xff\xe0\x00\x01", b"\xff\xd8\xff" + b"\xe1\xff" * 3, b"GIF8"])
def test_files_that_are_not_images_or_lie_about_their_size_are_refused(data):
    assert probe_image(data) is None


@pytest.mark.parametrize("src, expected", [
    ("images/a.png", "news/images/a.png"),
    ("./a.JPG", "news/a.JPG"),
    ("../shared/a.webp", "shared/a.webp"),
    ("/images/a.png", "images/a.png"),  # a leading '/' starts from the content folder
    ("images/a%20b.png?v=2#top", "news/images/a b.png"),
])
def test_relative_references_resolve_below_the_content_folder(src, expected):
    assert resolve_image(src, "news/story.md") == (expected, None)


@pytest.mark.parametrize("src, why", [
    ("../../etc/passwd.png", "outside"), ("/../x.png", "outside"), ("..%2F..%2Fx.png", "outside"),
    ("file:///etc/x.png", "not a file"), ("c:\\x.png", "not a file"), ("images\\a.png", "not a usable"),
    ("images/logo.svg", "SVG"), ("notes.txt", "not an image type"), (".hidden/a.png", "hidden"), ("", "empty"),
])
def test_references_that_cannot_be_published_say_why(src, why):
    path, reason = resolve_image(src, "news/story.md")
    assert path is None and why in reason


# --- a site with images ------------------------------------------------------------------------------------------
STORY = """---
title: افتتاح مكتبة عامة في حي النخيل
date: 2024-05-02T09:30:00+03:00
section: ثقافة
image: images/cover.png
---
افتتحت أمانة المدينة مكتبة عامة جديدة في حي النخيل صباح اليوم. وتضم المكتبة عشرين ألف كتاب.

![قاعة القراءة](images/hall.png)

وقال مدير المكتبة إن أبوابها مفتوحة طوال الأسبوع. ![صورة مفقودة](images/missing.png)

![من الخارج](https://example.org/photo.jpg) ![خارج المجلد](../../secret.png) ![رسم](images/logo.svg)
"""
STORY_EN = """---
title: A public library opens in Al-Nakheel
---
The city opened a new public library in Al-Nakheel this morning. It holds twenty thousand books.

![The reading hall](images/hall.png)

The library's director said it is open all week. ![A missing picture](images/missing.png)

![From outside](https://example.org/photo.jpg) ![Only in English](images/english-only.png)
"""
BODY_ONLY = """---
title: معرض للصور في جدة
date: 2024-05-01T08:00:00+03:00
---
افتتح معرض للصور في جدة.

<img src="pics/first.gif" alt="أول صورة"> ثم صورة ثانية.
"""


def _gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x2c" + b"\x00" * 9 + b"\x3b"


@pytest.fixture
def image_site(tmp_path, make_config):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "pics").mkdir()
    (content / "images" / "cover.png").write_bytes(png(120, 60))
    (content / "images" / "hall.png").write_bytes(png(40, 30, (20, 20, 160)))
    (content / "images" / "unused.png").write_bytes(png(5, 5))
    (content / "images" / "english-only.png").write_bytes(png(6, 6))
    (content / "pics" / "first.gif").write_bytes(_gif(16, 9))
    (content / "library.md").write_text(STORY, encoding="utf-8")
    (content / "library.en.md").write_text(STORY_EN, encoding="utf-8")
    (content / "gallery.md").write_text(BODY_ONLY, encoding="utf-8")
    config = make_config(content)
    report = build(config, quiet=True)
    return config, report


def test_images_are_copied_once_to_media_and_shown_on_both_language_pages(image_site):
    config, report = image_site
    out = config.output_dir
    media = sorted(p.relative_to(out).as_posix() for p in (out / "media").rglob("*") if p.is_file())
    assert media == ["media/images/cover.png", "media/images/hall.png", "media/pics/first.gif"]  # not unused.png
    assert (out / "media/images/cover.png").read_bytes() == (config.content_dir / "images/cover.png").read_bytes()
    for lang in ("ar", "en"):
        page = (out / lang / "library" / "index.html").read_text(encoding="utf-8")
        assert ('<figure class="cover"><img src="../../media/images/cover.png" alt="" width="80" height="40" '
                'fetchpriority="high"></figure>') in page  # no resized copies under 400 pixels: no srcset
        hall_alt = "قاعة القراءة" if lang == "ar" else "The reading hall"
        assert (f'<img src="../../media/images/hall.png" alt="{hall_alt}" width="26" height="20" loading="lazy"'
                in page)
        assert 'src="https://example.org/photo.jpg"' in page  # an address elsewhere stays as written
        assert "missing.png" not in page and ("صورة مفقودة" if lang == "ar" else "A missing picture") in page
        assert "secret.png" not in page and "logo.svg" not in page
        assert "english-only.png" not in page  # the images of an English body are the Arabic article's
    assert "Only in English" in (out / "en/library/index.html").read_text(encoding="utf-8")
    home = (out / "ar/index.html").read_text(encoding="utf-8")
    # The newest story leads the front page with its image (not lazy: it is the first thing seen); the others
    # have a thumbnail.
    assert '<img class="lead-image" src="../media/images/cover.png" alt="" width="120" height="60"' in home
    assert ('<img class="thumb" src="../media/pics/first.gif" alt="أول صورة" width="16" height="9" loading="lazy"'
            in home)
    assert 'src="media/pics/first.gif"' in (out / "index.html").read_text(encoding="utf-8")
    gallery = (out / "ar/gallery/index.html").read_text(encoding="utf-8")
    # Drawn at two thirds of their pixels at most (sharp on 1.5-2x screens), in their proportions.
    assert '<img src="../../media/pics/first.gif" alt="أول صورة" width="10" height="6"' in gallery
    assert not broken_links(out, config.base_path)


def test_a_missing_or_unsafe_image_is_one_warning_naming_the_article_and_the_image(image_site):
    _, report = image_site
    lines = [str(p) for p in report.warnings]
    image_lines = [line for line in lines if "image" in line]
    assert len([line for line in image_lines if "missing.png" in line]) == 1
    assert any(line.startswith("library.md") and "images/missing.png" in line for line in image_lines)
    assert any(line.startswith("library.md") and "secret.png" in line and "outside" in line for line in image_lines)
    assert any(line.startswith("library.md") and "logo.svg" in line and "SVG" in line for line in image_lines)
    assert not any("photo.jpg" in line for line in lines)  # an https image is not a problem
    # The reader's notes on one file share a line ("2 warnings: ..."); each image is named once in all.
    for name in ("missing.png", "secret.png", "logo.svg", "hall.png", "cover.png"):
        assert sum(line.count(name) for line in lines) == (0 if name in ("hall.png", "cover.png") else 1), name
    assert not report.skipped


def test_the_leading_image_gives_og_image_a_large_card_and_the_feed_enclosure(image_site):
    config, _ = image_site
    out, base = config.output_dir, config.base_url
    for lang in ("ar", "en"):
        page = (out / lang / "library" / "index.html").read_text(encoding="utf-8")
        assert f'<meta property="og:image" content="{base}media/images/cover.png">' in page
        assert '<meta property="og:image:width" content="120">' in page
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        feed = feedparser.parse((out / lang / "feed.xml").read_bytes())
        assert not feed.bozo, feed.bozo_exception
        items = {entry.link.rstrip("/").rsplit("/", 1)[1]: entry for entry in feed.entries}
        enclosure = items["library"].enclosures[0]
        assert enclosure.href == f"{base}media/images/cover.png" and enclosure.type == "image/png"
        assert int(enclosure.length) == len((config.content_dir / "images/cover.png").read_bytes())
        # Body images in a feed are absolute (feed readers resolve relative URLs each their own way).
        assert f'src="{base}media/images/hall.png"' in items["library"].content[0].value
    ar_feed = feedparser.parse((out / "ar/feed.xml").read_bytes())
    gallery = next(e for e in ar_feed.entries if e.link.rstrip("/").endswith("gallery"))
    assert gallery.enclosures[0].href == f"{base}media/pics/first.gif"  # the body's first image leads
    gallery_page = (out / "ar/gallery/index.html").read_text(encoding="utf-8")
    assert 'class="cover"' not in gallery_page  # already in the body: not shown twice


def test_alt_text_with_markup_characters_does_not_hide_the_image(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.png").write_bytes(png(30, 30))
    (content / "a.md").write_text('---\ntitle: خبر\ndate: 2024-05-01\n---\nنص الخبر.\n\n'
                                  '![أ > ب "ج" <د>](a.png)\n', encoding="utf-8")
    config = make_config(content)
    report = build(config, quiet=True)
    assert not report.warnings
    page = (config.output_dir / "ar/a/index.html").read_text(encoding="utf-8")
    assert '<img src="../../media/a.png" alt="أ &gt; ب &quot;ج&quot; &lt;د&gt;" width="20" height="20"' in page
    assert (config.output_dir / "media/a.png").is_file()


def test_an_article_without_images_keeps_the_small_card(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    (content / "plain.md").write_text("---\ntitle: خبر بلا صور\ndate: 2024-05-01\n---\nنص الخبر هنا.\n",
                                      encoding="utf-8")
    config = make_config(content)
    build(config, quiet=True)
    page = (config.output_dir / "ar/plain/index.html").read_text(encoding="utf-8")
    assert 'content="summary"' in page and "og:image" not in page and "<enclosure" not in (
        config.output_dir / "ar/feed.xml").read_text(encoding="utf-8")


def test_feed_bodies_carry_their_direction_and_language(image_site):
    config, _ = image_site
    for lang, wrap in (("ar", '<div dir="rtl" lang="ar">'), ("en", '<div dir="ltr" lang="en">')):
        feed = feedparser.parse((config.output_dir / lang / "feed.xml").read_bytes())
        assert not feed.bozo and feed.entries
        for entry in feed.entries:
            body = entry.content[0].value
            assert body.startswith(wrap) and body.endswith("</div>")


def test_symlinks_out_of_content_oversized_and_fake_images_are_not_published(tmp_path, make_config):
    content = tmp_path / "content"
    (content / "img").mkdir(parents=True)
    outside = tmp_path / "outside.png"
    outside.write_bytes(png(10, 10))
    os.symlink(outside, content / "img" / "linked.png")
    with open(content / "img" / "huge.png", "wb") as handle:  # sparse: costs no disk
        handle.write(png(10, 10))
        handle.truncate(MAX_IMAGE_BYTES + 1)
    (content / "img" / "fake.png").write_bytes(b"<html><script>alert(1)</script></html>")
    (content / "a.md").write_text("---\ntitle: خبر\ndate: 2024-05-01\n---\nنص الخبر.\n\n"
                                  "![a](img/linked.png) ![b](img/huge.png) ![c](img/fake.png)\n", encoding="utf-8")
    config = make_config(content)
    report = build(config, quiet=True)
    assert not (config.output_dir / "media").exists()
    lines = [str(p) for p in report.warnings if str(p).startswith("a.md")]
    assert len(lines) == 3, lines
    assert any("huge.png" in line and "MB" in line for line in lines)
    assert any("fake.png" in line and "not a PNG" in line for line in lines)
    page = (config.output_dir / "ar/a/index.html").read_text(encoding="utf-8")
    assert "<img" not in page and "og:image" not in page


def _mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_a_changed_image_is_copied_again_and_its_pages_remade_only_when_its_size_changes(image_site):
    config, _ = image_site
    out, cover = config.output_dir, config.content_dir / "images" / "cover.png"
    before = _mtimes(out)
    cover.write_bytes(png(120, 60, (0, 128, 0)))  # same size in pixels, other bytes
    report = build(config, quiet=True)
    assert (out / "media/images/cover.png").read_bytes() == cover.read_bytes()
    after = _mtimes(out)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "media/images/cover.png" in changed
    assert not any(rel.endswith(".html") for rel in changed), changed  # no page shows other pixels' count
    cover.write_bytes(png(200, 100))
    build(config, quiet=True)
    for lang in ("ar", "en"):
        page = (out / lang / "library" / "index.html").read_text(encoding="utf-8")
        assert 'width="133" height="66"' in page
    assert 'width="10" height="6"' in (out / "ar/gallery/index.html").read_text(encoding="utf-8")
    cover.unlink()  # gone: a warning, the pages still build, the copy is removed
    report = build(config, quiet=True)
    assert not (out / "media/images/cover.png").exists()
    assert any("images/cover.png" in str(p) for p in report.warnings)
    assert "cover.png" not in (out / "ar/library/index.html").read_text(encoding="utf-8")

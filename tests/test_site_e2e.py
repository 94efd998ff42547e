"""End to end: fixture articles (real wire items, the seed, a human-translated article) -> a whole site."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
import yaml

from conftest import FIXTURES, ROOT, WIRE
from digest.build.pipeline import build
from sitecheck import XML_INVALID, broken_links, parse_page, url_to_file

WIRE_SAMPLE = ["000_1d1647bb61631ba3.txt", "010_", "042_", "049_", "200_", "201_", "230_"]


def _copy_fixtures(content: Path) -> None:
    content.mkdir()
    for prefix in WIRE_SAMPLE:
        src = sorted(WIRE.glob(prefix + "*"))[0]
        shutil.copy(src, content / src.name)
    shutil.copy(ROOT / "content" / "000_0b3d9faf541c66ac.txt", content)
    shutil.copy(ROOT / "content" / "000_0b3d9faf541c66ac.en.md", content)
    # A bilingual article: Arabic body, human English as content/<stem>.en.md.
    ar = FIXTURES / "bilingual" / "library.ar.txt"
    en = ar.with_name("library.en.txt")
    ar_lines = ar.read_text(encoding="utf-8").splitlines()
    en_lines = en.read_text(encoding="utf-8").splitlines()
    ar_meta = yaml.safe_dump({"title": ar_lines[0], "date": "2019-05-01", "source": "Test fixture"}, allow_unicode=True)
    (content / "parallel-doc.md").write_text(f"---\n{ar_meta}---\n" + "\n\n".join(ar_lines[1:]) + "\n",
                                             encoding="utf-8")
    en_meta = yaml.safe_dump({"title": en_lines[0]}, allow_unicode=True)
    (content / "parallel-doc.en.md").write_text(f"---\n{en_meta}---\n" + "\n\n".join(en_lines[1:]) + "\n",
                                                encoding="utf-8")


@pytest.fixture
def site(tmp_path, make_config):
    content = tmp_path / "content"
    _copy_fixtures(content)
    config = make_config(content)
    report = build(config, quiet=True)
    return config, report


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_pages_exist_with_language_and_direction(site):
    config, report = site
    out = config.output_dir
    assert report.published == 9 and not report.skipped
    for name in ("index.html", "ar/index.html", "en/index.html", "ar/feed.xml", "en/feed.xml", "sitemap.xml",
                 "404.html", "robots.txt", ".nojekyll", "static/style.css"):
        assert (out / name).is_file(), name
    for page in out.rglob("*.html"):
        rel = page.relative_to(out).as_posix()
        attrs = parse_page(page).html_attrs
        expected = ("en", "ltr") if rel.startswith("en/") else ("ar", "rtl")
        assert (attrs.get("lang"), attrs.get("dir")) == expected, rel


def test_every_internal_link_resolves(site):
    config, _ = site
    assert broken_links(config.output_dir, config.base_path) == []


def test_untranslated_articles_have_no_english_page_and_no_dead_link(site):
    config, report = site
    out = config.output_dir
    # Offline with no memory: only the two articles with human translations have English.
    assert sorted(p.parent.name for p in (out / "en").glob("*/index.html") if p.parent.name not in ("page", "search", "archive")) == [
        "000_0b3d9faf541c66ac", "parallel-doc"]
    assert report.english == 2 and len(report.untranslated) == 7
    for page in (out / "ar").glob("0[0-9][0-9]_*/index.html"):
        slug = page.parent.name
        html = page.read_text(encoding="utf-8")
        if slug == "000_0b3d9faf541c66ac":
            assert f"en/{slug}/" in html
        else:
            assert f"en/{slug}" not in html, f"{slug}: Arabic page links to a missing English page"
    home = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert "010_" not in home


def test_article_page_content(site):
    config, _ = site
    out = config.output_dir
    html = (out / "ar" / "000_1d1647bb61631ba3" / "index.html").read_text(encoding="utf-8")
    assert "طيران استطلاع الإحتلال الإسرائيلي ينتهك الأجواء اللبنانية" in html
    assert '<time datetime="2015-08-10T17:45:00+03:00">' in html
    assert "أغسطس" in html  # Babel's Arabic month name
    assert "انتهى" not in html and "17:45 ت م" not in html
    assert "عاد طيران استطلاع الإحتلال" in html
    en = (out / "en" / "000_0b3d9faf541c66ac" / "index.html").read_text(encoding="utf-8")
    assert "Rouhani: Cooperation between Tehran and Moscow" in en
    assert '../../ar/000_0b3d9faf541c66ac/index.html' in en
    assert 'hreflang="ar"' in en and 'hreflang="en"' in en


def test_feeds_parse_and_link_to_pages_of_their_language(site):
    config, _ = site
    out = config.output_dir
    for lang, count in (("ar", 9), ("en", 2)):
        raw = (out / lang / "feed.xml").read_bytes()
        assert not XML_INVALID.search(raw.decode("utf-8"))
        feed = feedparser.parse(raw)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.language == lang
        assert len(feed.entries) == count
        dates = [e.published_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True)
        for entry in feed.entries:
            page = url_to_file(out, config.base_url, entry.link)
            assert page.is_file() and page.relative_to(out).parts[0] == lang
            assert entry.id == entry.link and entry.summary and entry.content[0].value


def test_two_builds_are_byte_identical(tmp_path, make_config):
    content = tmp_path / "content"
    _copy_fixtures(content)
    first = make_config(content, output=tmp_path / "one")
    second = make_config(content, output=tmp_path / "two")
    build(first, quiet=True)
    build(second, quiet=True)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_failed_build_leaves_previous_site_and_deleted_articles_vanish(tmp_path, make_config, monkeypatch):
    content = tmp_path / "content"
    _copy_fixtures(content)
    config = make_config(content)
    build(config, quiet=True)
    before = _digest(config.output_dir)
    import digest.site.pages as pages_module

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(pages_module, "rss_feed", explode)
    # An edit, so the build has work to do (a build with no changed input reads and writes nothing).
    edited = sorted(content.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nفقرة جديدة في نهاية الخبر.\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        build(config, quiet=True)
    assert _digest(config.output_dir) == before
    assert not list(config.output_dir.parent.glob(".output.building-*"))
    monkeypatch.undo()
    victim = sorted(content.glob("010_*.txt"))[0]
    victim.unlink()
    build(config, quiet=True)
    assert not (config.output_dir / "ar" / victim.stem).exists()
    assert victim.stem not in (config.output_dir / "ar" / "feed.xml").read_text(encoding="utf-8")


def test_arabic_file_names_give_percent_encoded_absolute_urls(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(sorted(WIRE.glob("000_*.txt"))[0], content / "خبر عاجل.txt")
    config = make_config(content)
    build(config, quiet=True)
    raw = (config.output_dir / "ar" / "feed.xml").read_text(encoding="utf-8")
    feed = feedparser.parse(raw)
    assert not feed.bozo
    link = feed.entries[0].link
    assert link.isascii() and "%D8%AE" in link  # a plain URL, as RSS and sitemaps require
    assert url_to_file(config.output_dir, config.base_url, link).is_file()
    sitemap = (config.output_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert link in sitemap and "خبر" not in sitemap


def test_an_empty_content_folder_builds_an_empty_site_and_says_why(tmp_path):
    (tmp_path / "content").mkdir()
    run = subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", "-q", "--translator", "none",
                          "--content", str(tmp_path / "content"), "--output", str(tmp_path / "output")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "published 0 articles" in run.stderr and "note: no articles in" in run.stderr and ".md" in run.stderr
    assert (tmp_path / "output" / "index.html").is_file()

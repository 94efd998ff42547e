"""The quality gates that run offline and fast, on a small site of every page kind (the wire fixtures, two articles
with human English, three per list page so that lists paginate): an HTTP crawl (tests/sitecrawl.py) of the site
served at the domain root and under a /repo/ sub-path finds no broken link and reaches every page and feed by
links; the Nu HTML Checker finds no error on any page or stylesheet. scripts/quality.sh runs the same crawl and vnu on any content,
plus Lighthouse and the W3C Feed Validator."""
from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, WIRE
from sitecheck import build_fixture_site
from sitecrawl import crawl, feed_files, page_kind, sitemap_gaps, unreached
from siteserver import SiteServer
from test_images import png

sys.path.insert(0, str(ROOT / "scripts"))
from quality_tools import run_vnu  # noqa: E402

SITES = {"root": ("http://127.0.0.1:8000/", "/"), "sub-path": ("https://user.github.io/repo/", "/repo/")}
# Every kind tests/sitecrawl.page_kind knows, but the two indexes the site does not make ('other' would be a page
# of a kind it does not know).
PAGE_KINDS = ("root", "404", "home", "home page N", "search", "section", "section page N", "day", "archive", "article")
VNU_JAR = Path(os.environ.get("QUALITY_TOOLS", ROOT / "build" / "tools")) / "node_modules/vnu-jar/build/dist/vnu.jar"


# Written for these tests: an article with a leading image, an image in its body, and its human English.
IMAGE_STORY = """---
title: افتتاح حديقة عامة على الواجهة البحرية
date: 2015-08-12T09:00:00+03:00
section: اجتماعي
image: images/park.png
---
افتتحت البلدية حديقة عامة جديدة على الواجهة البحرية. وتضم الحديقة ممرات للمشي وملاعب للأطفال.

![مخطط الحديقة](images/plan.png)
"""
IMAGE_STORY_EN = """---
title: A public park opens on the waterfront
---
The municipality opened a new public park on the waterfront. The park has walking paths and playgrounds.

![The park's plan](images/plan.png)
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """name -> output folder of the fixture site built for that public URL."""
    tmp = tmp_path_factory.mktemp("quality")
    wire = [path.name for path in sorted(WIRE.glob("*.txt"))]
    content = tmp / "content"
    (content / "images").mkdir(parents=True)
    for name in wire:
        shutil.copy(WIRE / name, content / name)
    for name in ("000_0b3d9faf541c66ac.txt", "000_0b3d9faf541c66ac.en.md"):
        shutil.copy(ROOT / "content" / name, content / name)
    (content / "park.md").write_text(IMAGE_STORY, encoding="utf-8")
    (content / "park.en.md").write_text(IMAGE_STORY_EN, encoding="utf-8")
    (content / "images" / "park.png").write_bytes(png(64, 32))
    (content / "images" / "plan.png").write_bytes(png(16, 16, (20, 120, 20)))
    built = {}
    for name, (base_url, _) in SITES.items():
        config, report = build_fixture_site(tmp, [], per_page=3, base_url=base_url, output_name=name)
        assert report.published == len(wire) + 2 and report.english == 2
        built[name] = config.output_dir
    return built


def _kinds(output: Path) -> Counter:
    return Counter(page_kind(p.relative_to(output).as_posix()) for p in output.rglob("*.html"))


@pytest.mark.parametrize("name", SITES)
def test_crawl_finds_no_broken_link_and_reaches_every_page(sites, name):
    output, (public, prefix) = sites[name], SITES[name]
    with SiteServer(output, prefix) as local:
        result = crawl(local, public)
    assert result.problems == []
    assert unreached(output, result) == []
    assert sitemap_gaps(output, public) == []
    # It did walk the site: every page kind in both languages, every feed, the stylesheet and the fonts it names.
    kinds = _kinds(output)
    assert set(kinds) == set(PAGE_KINDS), kinds
    for lang in ("ar", "en"):
        assert {page_kind(p.relative_to(output).as_posix()) for p in (output / lang).rglob("*.html")} >= {
            "home", "article", "search", "section", "day", "archive"}, lang
    fetched = {url.removeprefix(local) for url, status in result.fetched.items() if status == 200}
    assert sum(1 for url in fetched if url.endswith("/") or url.endswith(".html")) >= sum(kinds.values())
    feeds = {feed.relative_to(output).as_posix() for feed in feed_files(output)}
    assert {"ar/feed.xml", "en/feed.xml", "ar/section/society/feed.xml", "en/section/society/feed.xml"} <= feeds
    assert feeds | {"sitemap.xml", "static/style.css", "media/images/park.png", "media/images/plan.png"} <= fetched
    assert any(url.endswith(".woff2") for url in fetched)


def test_the_crawl_reports_broken_links_escapes_unlinked_pages_and_sitemap_gaps(sites, tmp_path):
    output = tmp_path / "site"
    shutil.copytree(sites["sub-path"], output)
    article = next(p for p in sorted((output / "ar").glob("0*/index.html")))
    article.unlink()  # linked from a home page, a feed and the sitemap
    home = output / "en" / "index.html"
    home.write_text(home.read_text(encoding="utf-8").replace(
        "</main>", '<a href="/static/style.css">outside the sub-path</a></main>'), encoding="utf-8")
    (output / "ar" / "orphan").mkdir()
    (output / "ar" / "orphan" / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    (output / "media" / "images" / "park.png").unlink()  # an article's img, og:image and feed enclosure
    style = output / "static" / "style.css"
    style.write_text(style.read_text(encoding="utf-8") + "\n.x{background:url(img/missing.png)}\n", encoding="utf-8")

    sitemap = output / "sitemap.xml"
    public = SITES["sub-path"][0]
    entry = f"<url>\n<loc>{public}en/search/</loc>\n"
    text = sitemap.read_text(encoding="utf-8")
    start = text.index(entry)
    sitemap.write_text(text[:start] + text[text.index("</url>", start) + len("</url>\n"):], encoding="utf-8")

    with SiteServer(output, "/repo/") as local:
        result = crawl(local, public)
    host = local.removesuffix("repo/")
    broken = {line.split()[1]: line for line in result.problems}
    gone = local + article.parent.relative_to(output).as_posix() + "/"
    # The article as the home page links it (index.html, for file://) and as the sitemap and feed give it.
    assert set(broken) == {gone, gone + "index.html", host + "static/style.css", local + "static/img/missing.png",
                           local + "media/images/park.png"}
    assert "linked from " + local + "en/" in broken[host + "static/style.css"]
    assert unreached(output, result) == ["ar/orphan/index.html"]
    assert sitemap_gaps(output, public) == [
        f"{public}ar/search/: alternate en {public}en/search/ is not listed with the same alternates",
        f"no such page: {public}{gone.removeprefix(local)}",
        "not in the sitemap: ar/orphan/index.html", "not in the sitemap: en/search/index.html"]


@pytest.mark.skipif(shutil.which("java") is None or not VNU_JAR.is_file(),
                    reason=f"needs java and {VNU_JAR} (make test installs them: scripts/install-quality-tools.sh vnu)")
def test_the_nu_html_checker_finds_no_error_on_any_page_or_stylesheet(sites, tmp_path):
    pages = [page for output in sites.values() for page in sorted(output.rglob("*.html"))]
    assert set(_kinds(sites["root"])) == set(PAGE_KINDS)
    stylesheets = sorted((sites["root"] / "static").rglob("*.css"))
    assert stylesheets
    # A page and a stylesheet with known errors checked in the same run: the report is read, not just an empty answer.
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="ar"><title>x</title><p><div id="a" id="a">x</p>', encoding="utf-8")
    bad_css = tmp_path / "bad.css"
    bad_css.write_text(".x { colr: red; }\n", encoding="utf-8")
    errors = run_vnu(VNU_JAR, [*pages, *stylesheets, bad, bad_css])
    assert [f"{e.file}:{e.line}: {e.text}" for e in errors if e.file not in (bad, bad_css)] == []
    assert any("Duplicate attribute" in e.text for e in errors if e.file == bad)
    assert any("colr" in e.text for e in errors if e.file == bad_css)

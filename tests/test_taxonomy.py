"""Sections and days (issue 15): a page and a feed per section and language, a page per publication day, the
archive; every link among them resolves at a domain root and under a sub-path; the sitemap and the pages carry
their hreflang pairs; an edit re-renders only the pages that show it. Content: tests/taxonomy_site.py."""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from conftest import ROOT
from digest.build.pipeline import build
from digest.config import ConfigError, load_config
from digest.site.sections import transliterated_slug
from sitecheck import arabic_on_english_pages, broken_links, parse_page, resolve
from taxonomy_site import ARTICLES, write_site

AR_SECTIONS = {"economy", "culture", "alryada-almhlya", "hrb", "hrb-2", "shuwn-albldya"}
EN_SECTIONS = {"economy", "culture", "alryada-almhlya"}  # the others have no English stories or no English name
AR_DAYS = ["2024-03-04", "2024-03-03", "2024-03-02", "2024-03-01"]
BASES = {"root": "https://example.org/", "sub-path": "https://example.github.io/repo/"}


def _config(root: Path, base_url: str, output: str = "output"):
    toml = root / "site.toml"
    if not toml.exists():
        write_site(root)
    config = load_config(toml, root=ROOT, content=root / "content", output=root / output, base_url=base_url)
    return replace(config, translator=replace(config.translator, memory_dir=str(root / "memory")))


@pytest.fixture(params=list(BASES), scope="module")
def built(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"taxonomy-{request.param}")
    config = _config(root, BASES[request.param])
    report = build(config, quiet=True)
    assert not report.skipped and not report.warnings, (report.skipped, report.warnings)
    return config


class _Anchors(HTMLParser):
    """Every <a> with its attributes and text, and the h2 headings with the links inside them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict] = []
        self.h2: list[list[str]] = []
        self._in_h2 = False
        self._a: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self._in_h2 = True
            self.h2.append([])
        if tag == "a":
            self._a = dict(attrs, text="")
            self.anchors.append(self._a)
            if self._in_h2:
                self.h2[-1].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        if tag == "a":
            self._a = None

    def handle_data(self, data):
        if self._a is not None:
            self._a["text"] += data


def _anchors(page: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _target(config, page: Path, href: str) -> Path:
    target = resolve(config.output_dir, page, href, config.base_path)
    assert target is not None, href
    return target


def _article_links(config, page: Path) -> set[str]:
    """Slugs of the article pages a page links to."""
    out = config.output_dir.resolve()
    slugs = set()
    for a in _anchors(page).anchors:
        target = resolve(config.output_dir, page, a["href"], config.base_path)
        rel = target.relative_to(out).parts if target is not None else ()
        if len(rel) == 3 and rel[1] not in ("page", "search", "archive") and rel[2] == "index.html":
            slugs.add(rel[1])
    return slugs


def test_crawl_from_the_front_page_reaches_every_page_and_finds_no_broken_link(built):
    config = built
    out = config.output_dir.resolve()
    assert broken_links(config.output_dir, config.base_path) == []
    seen, queue = {out / "index.html"}, deque([out / "index.html"])
    while queue:
        page = queue.popleft()
        for ref in parse_page(page).refs:
            target = resolve(out, page, ref, config.base_path)
            if target is None or target.suffix != ".html":
                continue
            assert target.is_file(), f"{page.relative_to(out)} -> {ref}"
            if target not in seen:
                seen.add(target)
                queue.append(target)
    pages = {p.resolve() for p in out.rglob("*.html") if "pagefind" not in p.parts and p.name != "404.html"}
    assert pages - seen == set()  # every page, sections, days and the archive included, is reachable by links


def test_every_section_has_a_page_and_a_feed_per_language(built):
    config = built
    out = config.output_dir
    assert {p.name for p in (out / "ar" / "section").iterdir()} == AR_SECTIONS
    assert {p.name for p in (out / "en" / "section").iterdir()} == EN_SECTIONS
    for lang, slugs in (("ar", AR_SECTIONS), ("en", EN_SECTIONS)):
        for slug in slugs:
            page = out / lang / "section" / slug / "index.html"
            attrs = parse_page(page).html_attrs
            assert (attrs["lang"], attrs["dir"]) == ((lang, "rtl") if lang == "ar" else (lang, "ltr"))
            feed = feedparser.parse((out / lang / "section" / slug / "feed.xml").read_bytes())
            assert not feed.bozo, (lang, slug, feed.get("bozo_exception"))
            assert feed.feed.link == config.base_url + f"{lang}/section/{slug}/"
            assert feed.feed.language == lang and feed.entries
            # The feed's items are the section's stories, the newest first page's among them.
            first_page = _article_links(config, page)
            items = {entry.link[len(config.base_url) + 3:].strip("/") for entry in feed.entries}
            assert first_page <= items, (lang, slug)
    # Built-in table: اقتصاد and اقتصادي are one section, Economy; [sections] wins over the table for ثقافة.
    economy = out / "en" / "section" / "economy"
    assert "<h1 class=\"page-title\">Economy</h1>" in (economy / "index.html").read_text(encoding="utf-8")
    assert _article_links(config, economy / "index.html") | _article_links(config, economy / "page/2/index.html") \
        == {"market-up", "budget", "exports"}
    assert "Culture and Arts" in (out / "en/section/culture/index.html").read_text(encoding="utf-8")


def test_english_section_day_and_archive_pages_hold_no_arabic(built):
    found = arabic_on_english_pages(built.output_dir)
    assert {page: text for page, text in found.items() if "/section/" in page or "/day/" in page
            or "/archive/" in page} == {}


def test_section_slug_rule_and_collisions(built):
    config = built
    out = config.output_dir
    assert transliterated_slug("الرياضة المحلية") == "alryada-almhlya"
    assert transliterated_slug("  الرياضة   المحلية ") == "alryada-almhlya"
    assert re.fullmatch(r"section-[0-9a-f]{8}", transliterated_slug("١٢٣"))
    assert transliterated_slug("١٢٣") == transliterated_slug("١٢٣")  # stable
    # حرب and هرب both transliterate to 'hrb': the section with the older story keeps it.
    assert _article_links(config, out / "ar/section/hrb/index.html") == {"war-report"}
    assert _article_links(config, out / "ar/section/hrb-2/index.html") == {"escape-story"}


def test_section_labels_link_to_their_section_page(built):
    config = built
    out = config.output_dir
    checked = 0
    for lang in ("ar", "en"):
        for stem, _, section, *_ in ARTICLES:
            page = out / lang / stem / "index.html"
            if not page.exists():
                continue
            html = page.read_text(encoding="utf-8")
            kicker = re.search(r'<p class="kicker"><a href="([^"]+)">', html)
            if section is None or (lang == "en" and stem == "streets"):
                assert kicker is None, (lang, stem)  # no section, or no English name for it yet
                continue
            if lang == "en" and kicker is None:
                continue  # an English page whose section label is pending shows none
            target = _target(config, page, kicker.group(1))
            assert target.parent.parent.name == "section"
            listed = set()
            for section_page in [target, *sorted(target.parent.glob("page/*/index.html"))]:
                listed |= _article_links(config, section_page)
            assert stem in listed, (lang, stem)
            checked += 1
    assert checked >= 12
    # The teasers of the home pages link their labels too.
    home = (out / "ar/index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="kicker"><a href="section/economy/index.html">اقتصاد</a>', home)


def test_every_day_heading_of_the_home_pages_links_to_its_day_page(built):
    config = built
    out = config.output_dir
    headings = 0
    for lang in ("ar", "en"):
        for page in [out / lang / "index.html", *sorted((out / lang / "page").glob("*/index.html")), out / "index.html"]:
            if lang == "en" and page == out / "index.html":
                continue
            html = page.read_text(encoding="utf-8")
            for section in re.findall(r'<section class="day".*?</section>', html, re.S):
                href, day_iso = re.search(r'<h2 class="day-title"[^>]*><a href="([^"]+)"><time datetime="([^"]+)"',
                                          section).groups()
                target = _target(config, page, href)
                assert target.relative_to(out.resolve()).as_posix() == f"{lang}/day/{day_iso.replace('-', '/')}/index.html"
                # The day page lists every story under that heading.
                teasers = set(re.findall(r'<h3><a href="(?:[^"]*/)?([^/"]+)/index.html"', section))
                assert teasers <= _article_links(config, target), (page, day_iso)
                headings += 1
    assert headings >= 10


def test_an_article_date_links_to_its_day_page_which_lists_it(built):
    config = built
    checked = 0
    for page in sorted(config.output_dir.glob("*/*/index.html")):
        lang, stem = page.parts[-3], page.parts[-2]
        if lang not in ("ar", "en") or stem in ("page", "search", "archive"):
            continue
        href, day_iso = re.search(r'<a href="([^"]+)"><time datetime="([0-9-]{10})[^"]*">', page.read_text(
            encoding="utf-8")).group(1, 2)
        target = _target(config, page, href)
        assert target.parts[-6:-1] == (lang, "day", *day_iso.split("-"))
        assert stem in _article_links(config, target), (lang, stem)
        checked += 1
    assert checked == len(ARTICLES) + 7  # every Arabic page and the seven English ones


def test_day_pages_group_by_section_and_chain_to_the_archive(built):
    config = built
    out = config.output_dir
    for lang in ("ar", "en"):
        archive = out / lang / "archive" / "index.html"
        listed = [a for a in _anchors(archive).anchors if "/day/" in a["href"]]
        days = ["-".join(_target(config, archive, a["href"]).parts[-4:-1]) for a in listed]
        assert days == (AR_DAYS if lang == "ar" else ["2024-03-04", "2024-03-03", "2024-03-02", "2024-03-01"])
        # From the newest day, "previous day" walks every day to the oldest, and "next day" back.
        page = _target(config, archive, listed[0]["href"])
        walked = []
        while page is not None:
            walked.append("-".join(page.parts[-4:-1]))
            anchors = _anchors(page).anchors
            assert any(a["href"].endswith("archive/index.html") for a in anchors)
            back = [a for a in anchors if a.get("rel") == "next"]
            if len(walked) > 1:
                assert _target(config, page, back[0]["href"]).parts[-4:-1] == tuple(walked[-2].split("-"))
            older = [a for a in anchors if a.get("rel") == "prev"]
            page = _target(config, page, older[0]["href"]) if older else None
        assert walked == days
        # Each section of the archive links to its section page, with the count of its stories.
        sections = [a for a in _anchors(archive).anchors if "/section/" in a["href"]]
        assert {_target(config, archive, a["href"]).parent.name for a in sections} == \
            (AR_SECTIONS if lang == "ar" else EN_SECTIONS)
    # 2 March in Arabic: three sections, each heading linking to its page, in the order of their newest story.
    day = out / "ar/day/2024/03/02/index.html"
    headings = [h for h in _anchors(day).h2]
    assert [_target(config, day, h[0]).parent.name for h in headings] == ["alryada-almhlya", "hrb"]
    assert _article_links(config, day) == {"league-final", "youth-cup", "war-report"}
    # English, 3 March: the story whose section has no English name yet is under "Other stories".
    en_day = (out / "en/day/2024/03/03/index.html").read_text(encoding="utf-8")
    assert ">Other stories</h2>" in en_day and "Municipality starts repairing" in en_day


def test_sitemap_lists_sections_days_and_archive_with_alternates(built):
    config = built
    base = config.base_url
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(config.output_dir / "sitemap.xml").getroot()
    urls = {u.find("s:loc", ns).text: {link.get("hreflang"): link.get("href") for link in u.findall("x:link", ns)}
            for u in root.findall("s:url", ns)}
    for slug in AR_SECTIONS:
        assert base + f"ar/section/{slug}/" in urls
    for slug in EN_SECTIONS:
        alternates = urls[base + f"en/section/{slug}/"]
        assert alternates["ar"] == base + f"ar/section/{slug}/" and alternates["en"] == base + f"en/section/{slug}/"
        assert urls[base + f"ar/section/{slug}/"] == alternates
    assert urls[base + "ar/section/hrb/"] == {}  # Arabic only: no alternates
    assert base + "ar/section/economy/page/2/" in urls
    for day in AR_DAYS:
        path = day.replace("-", "/")
        assert urls[base + f"ar/day/{path}/"]["en"] == base + f"en/day/{path}/"
    assert urls[base + "ar/archive/"]["en"] == base + "en/archive/"
    # Every URL of the sitemap is a page of the site.
    for url in urls:
        rel = url[len(base):]
        assert (config.output_dir / rel / "index.html").is_file() or (config.output_dir / rel).is_file(), url


def test_pages_carry_hreflang_only_where_both_languages_exist(built):
    out = built.output_dir

    def alternates(rel: str) -> dict[str, str]:
        html = (out / rel).read_text(encoding="utf-8")
        return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))

    assert set(alternates("en/section/economy/index.html")) == {"ar", "en", "x-default"}
    assert alternates("ar/section/hrb/index.html") == {}
    assert alternates("ar/section/economy/page/2/index.html") == {}
    assert set(alternates("ar/day/2024/03/02/index.html")) == {"ar", "en", "x-default"}
    assert set(alternates("en/archive/index.html")) == {"ar", "en", "x-default"}


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path):
    first, second = _config(tmp_path, BASES["root"], "one"), _config(tmp_path, BASES["root"], "two")
    build(first, quiet=True)
    build(replace(second, translator=replace(second.translator, memory_dir=str(tmp_path / "memory2"))),
          quiet=True)

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                if p.is_file() and "pagefind" not in p.parts}

    one, two = files(first.output_dir), files(second.output_dir)
    assert one.keys() == two.keys()
    assert [rel for rel in one if one[rel] != two[rel]] == []


def _inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*")
            if p.is_file() and "pagefind" not in p.parts}


def test_an_edit_rerenders_only_the_section_and_day_pages_that_show_it(tmp_path):
    config = _config(tmp_path, BASES["root"])
    build(config, quiet=True)
    before = _inodes(config.output_dir)
    build(config, quiet=True)
    assert _inodes(config.output_dir) == before  # no change: nothing written
    poetry = config.content_dir / "poetry.md"  # ثقافة, 3 March, Arabic only
    poetry.write_text(poetry.read_text(encoding="utf-8").replace("أمسية شعرية في", "أمسية شعرية كبرى في"),
                      encoding="utf-8")
    build(config, quiet=True)
    after = _inodes(config.output_dir)
    rewritten = {rel for rel in after if before.get(rel) != after[rel]}
    assert {"ar/poetry/index.html", "ar/day/2024/03/03/index.html", "ar/section/culture/index.html",
            "ar/section/culture/feed.xml"} <= rewritten
    untouched = {"ar/day/2024/03/02/index.html", "ar/day/2024/03/01/index.html", "ar/section/economy/index.html",
                 "ar/section/hrb/index.html", "ar/archive/index.html", "en/section/culture/index.html",
                 "en/day/2024/03/03/index.html", "sitemap.xml"}
    assert rewritten.isdisjoint(untouched), rewritten & untouched
    assert all(rel.startswith("ar/") or rel == "index.html" for rel in rewritten), rewritten
    assert "كبرى" in (config.output_dir / "ar/day/2024/03/03/index.html").read_text(encoding="utf-8")


def test_a_section_gets_its_english_page_once_it_has_an_english_name(tmp_path):
    config = _config(tmp_path, BASES["root"])
    build(config, quiet=True)
    assert not (config.output_dir / "en/section/shuwn-albldya").exists()
    en = config.content_dir / "streets.en.md"
    en.write_text(en.read_text(encoding="utf-8").replace("---\n", "---\nsection: Municipal Affairs\n", 1),
                  encoding="utf-8")
    build(config, quiet=True)
    page = config.output_dir / "en/section/shuwn-albldya/index.html"
    assert "Municipal Affairs" in page.read_text(encoding="utf-8")
    assert (config.output_dir / "en/section/shuwn-albldya/feed.xml").is_file()
    assert broken_links(config.output_dir, config.base_path) == []
    # The Arabic page now pairs with it; the sitemap says so.
    assert 'hreflang="en" href="https://example.org/en/section/shuwn-albldya/"' in \
        (config.output_dir / "ar/section/shuwn-albldya/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("entry, message", [
    ('"اقتصاد" = { en = "Economy", slug = "Economy News" }', "is not a URL name"),
    ('"اقتصاد" = { english = "Economy" }', "unknown key 'english'"),
    ('"اقتصاد" = { slug = "" }', "should be a non-empty string"),
    ('"اقتصاد" = 3', "should be"),
])
def test_a_wrong_sections_entry_is_one_clear_error(tmp_path, entry, message):
    toml = tmp_path / "site.toml"
    toml.write_text(f"[sections]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(toml, root=ROOT)
    assert str(toml) in str(error.value) and message in str(error.value) and "\n" not in str(error.value)


def test_sections_of_the_config_are_read(tmp_path):
    toml = tmp_path / "site.toml"
    toml.write_text('[sections]\n"ثقافة" = { en = "Culture", slug = "culture" }\n"رياضة" = "Sport"\n',
                    encoding="utf-8")
    assert load_config(toml, root=ROOT).sections == (("ثقافة", "Culture", "culture"), ("رياضة", "Sport", None))


def test_an_article_named_like_a_page_kind_folder_gets_another_slug():
    from digest.read import slugify

    assert [slugify(name) for name in ("archive", "section", "day", "search")] == \
        ["archive-article", "section-article", "day-article", "search-article"]


def test_spelling_variants_of_a_section_are_one_section_with_a_stable_slug(tmp_path):
    from taxonomy_site import write_article

    config = _config(tmp_path, BASES["root"])
    # Taa marbuta written as haa, alef with hamza without it: the same section as الرياضة المحلية.
    write_article(config.content_dir, "late-goal", "2024-03-05T21:00:00+03:00", "الرياضه  المحليه",
                  "هدف متأخر يحسم مباراة الديربي", ["حسم هدف متأخر مباراة الديربي مساء اليوم.", "وغادر الجمهور سعيدا."],
                  None, None)
    build(config, quiet=True)
    out = config.output_dir
    assert {p.name for p in (out / "ar" / "section").iterdir()} == AR_SECTIONS  # no new section
    listed = _article_links(config, out / "ar/section/alryada-almhlya/index.html")
    assert {"late-goal", "league-final"} <= listed
    # The section keeps the name most of its stories give it, and the slug of its oldest story's spelling.
    assert '<h1 class="page-title">الرياضة المحلية</h1>' in \
        (out / "ar/section/alryada-almhlya/index.html").read_text(encoding="utf-8")


def test_odd_section_names_give_safe_slugs_escaped_pages_and_valid_feeds(tmp_path):
    from taxonomy_site import write_article

    config = _config(tmp_path, BASES["sub-path"])
    odd = {"markup": "<script>alert(1)</script> قسم", "latin": "Tech News", "digits": "٢٠٢٤",
           "long": " ".join(["أخبار"] * 40), "bidi": "منوعات\u202eمقلوبة"}
    for n, (stem, section) in enumerate(odd.items()):
        write_article(config.content_dir, f"odd-{stem}", f"2024-03-0{n + 5}T10:00:00+03:00", section,
                      f"خبر عن قسم غريب رقم {n}", ["هذا خبر قصير للاختبار.", "وفيه جملة ثانية."], None, None)
    report = build(config, quiet=True)
    assert not report.skipped
    out = config.output_dir
    slugs = {p.name for p in (out / "ar" / "section").iterdir()} - AR_SECTIONS
    assert len(slugs) == len(odd) and all(re.fullmatch(r"[a-z0-9-]{1,64}", slug) for slug in slugs), slugs
    assert "tech-news" in slugs and any(re.fullmatch(r"section-[0-9a-f]{8}", s) for s in slugs)
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "\u202e" not in text, page
    for slug in slugs:
        feed = feedparser.parse((out / "ar" / "section" / slug / "feed.xml").read_bytes())
        assert not feed.bozo and feed.entries, slug
    assert broken_links(out, config.base_path) == []

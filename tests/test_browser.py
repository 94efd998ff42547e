"""Real-browser checks: a built site served on 127.0.0.1 (at the root and under a GitHub project sub-path),
driven by headless Debian chromium over the DevTools protocol. Screenshots land in build/screenshots/."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, WIRE
from cdp import Browser, CDPError, find_chromium
from siteserver import SiteServer
from sitecheck import build_fixture_site

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: run scripts/install-browser.sh (make test does)")

SEED = "000_0b3d9faf541c66ac"
# Wire items with Latin names, codes and URLs inside Arabic text, and plain ones.
WIRE_FILES = ["001_7673fdf63f16514c.txt", "025_bf9fb5d7267ba1a7.txt", "038_a6de42d21798b313.txt",
              "222_284c2800feae87da.txt", "010_", "042_", "200_"]
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    config, report = build_fixture_site(tmp_path_factory.mktemp("browser-site"), WIRE_FILES, per_page=4)
    assert report.published == len(WIRE_FILES) + 1
    return config


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as b:
        yield b


@pytest.fixture(scope="module")
def root_url(site):
    with SiteServer(site.output_dir, "/") as url:
        yield url


@pytest.fixture(scope="module")
def subpath_url(site):
    # The default base URL is https://example.github.io/digest/: serve it under /digest/ like GitHub Pages would.
    with SiteServer(site.output_dir, site.base_path) as url:
        yield url


# Where the headline's text sits inside the article column: a Range measures the glyphs, not the block box.
HEADLINE_GEOMETRY = """(() => {
  const h1 = document.querySelector('main h1');
  const column = h1.closest('article') || document.querySelector('main');
  const range = document.createRange();
  range.selectNodeContents(h1);
  const lines = [...range.getClientRects()];
  const col = column.getBoundingClientRect();
  return {dir: getComputedStyle(document.documentElement).direction,
          first_line_left: lines[0].left, first_line_right: lines[0].right,
          col_left: col.left + parseFloat(getComputedStyle(column).paddingLeft),
          col_right: col.right - parseFloat(getComputedStyle(column).paddingRight)};
})()"""


def test_arabic_article_lays_out_right_to_left(browser, root_url):
    browser.viewport(1280, 900)
    mark = len(browser.events)
    browser.goto(f"{root_url}ar/{SEED}/index.html")
    g = browser.evaluate(HEADLINE_GEOMETRY)
    assert g["dir"] == "rtl"
    # The first line of the headline starts at the column's right edge ...
    assert abs(g["first_line_right"] - g["col_right"]) <= 2, g
    # ... and the body paragraphs too: a mirrored layout, not left-aligned text with dir set.
    para = browser.evaluate("""(() => { const p = document.querySelector('.body p');
        const r = document.createRange(); r.selectNodeContents(p);
        return [r.getClientRects()[0].right, p.getBoundingClientRect().right]; })()""")
    assert abs(para[0] - para[1]) <= 2, para
    # The self-hosted Naskh face is what shapes the Arabic text, and nothing on the page failed to load.
    assert browser.evaluate("document.fonts.check('700 20px \"Noto Naskh Arabic\"', 'موجز')")
    assert browser.evaluate("[...document.fonts].filter(f => f.status === 'loaded').length") >= 1
    assert browser.console_problems(mark) == []


def test_english_article_lays_out_left_to_right(browser, root_url):
    browser.viewport(1280, 900)
    browser.goto(f"{root_url}en/{SEED}/index.html")
    g = browser.evaluate(HEADLINE_GEOMETRY)
    assert g["dir"] == "ltr"
    assert abs(g["first_line_left"] - g["col_left"]) <= 2, g


def test_latin_inside_arabic_is_isolated(browser, root_url):
    browser.viewport(1280, 900)
    browser.goto(f"{root_url}ar/001_7673fdf63f16514c/index.html")
    runs = browser.evaluate("[...document.querySelectorAll('.body bdi')].map(b => [b.textContent, "
                            "getComputedStyle(b).direction, getComputedStyle(b).unicodeBidi])")
    assert runs, "the article has Latin text that should be isolated"
    for text, direction, bidi in runs:
        assert bidi == "isolate", (text, bidi)
        assert direction == "ltr", (text, direction)


@pytest.mark.parametrize("start, paired", [(f"ar/{SEED}/index.html", f"en/{SEED}/index.html"),
                                           (f"en/{SEED}/index.html", f"ar/{SEED}/index.html"),
                                           ("index.html", "en/index.html"),
                                           ("en/index.html", "ar/index.html")])
def test_language_switcher_leads_to_the_paired_page(browser, root_url, subpath_url, start, paired):
    browser.viewport(1280, 900)
    for base in (root_url, subpath_url):
        browser.goto(base + start)
        switch = browser.evaluate("(() => { const a = document.querySelector('.lang-switch');"
                                  " return [a.href, a.hreflang, a.lang, a.textContent.trim()]; })()")
        href, hreflang, lang, label = switch
        target_lang = paired[:2]
        assert (hreflang, lang) == (target_lang, target_lang)
        assert href == base + paired, (base, start, href)
        # The label is written in the target language.
        assert any("\u0600" <= c <= "\u06ff" for c in label) == (target_lang == "ar"), label
        mark = len(browser.events)
        browser.evaluate("document.querySelector('.lang-switch').click()")
        browser.wait_event("Page.loadEventFired", mark)
        assert browser.evaluate("location.href") == base + paired
        assert browser.evaluate("document.documentElement.lang") == target_lang
        assert browser.evaluate("document.documentElement.dir") == ("rtl" if target_lang == "ar" else "ltr")


PAGES = ["index.html", "ar/index.html", "en/index.html", "ar/page/2/index.html", f"ar/{SEED}/index.html",
         f"en/{SEED}/index.html", "ar/001_7673fdf63f16514c/index.html", "404.html"]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_phone_width_has_no_horizontal_scroll(browser, subpath_url, dark):
    browser.viewport(360, 740, mobile=True, dark=dark)
    for page in PAGES:
        mark = len(browser.events)
        browser.goto(subpath_url + page)
        widths = browser.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], (page, widths)
        # Assets resolve under the sub-path too (stylesheet applied, no failed request logged).
        assert browser.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") \
            == "solid", page
        assert browser.console_problems(mark) == [], page


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: list[float], b: list[float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


COLOURS = """(() => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const bg = rgb(getComputedStyle(document.body).backgroundColor);
  const pick = sel => { const e = document.querySelector(sel); return e && rgb(getComputedStyle(e).color); };
  return {bg, text: pick('main p'), muted: pick('.meta'), link: pick('.lang-switch'), kicker: pick('.kicker'),
          summary_bg: rgb(getComputedStyle(document.querySelector('.summary')).backgroundColor),
          summary_text: pick('.summary p'), summary_title: pick('.summary h2')};
})()"""


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_text_contrast_meets_wcag_aa_in_both_themes(browser, root_url, dark):
    browser.viewport(1280, 900, dark=dark)
    browser.goto(f"{root_url}ar/001_7673fdf63f16514c/index.html")
    c = browser.evaluate(COLOURS)
    for name in ("text", "muted", "link", "kicker"):
        assert _contrast(c[name], c["bg"]) >= 4.5, (name, c)
    for name in ("summary_text", "summary_title"):
        assert _contrast(c[name], c["summary_bg"]) >= 4.5, (name, c)
    # The two themes really differ: dark text on light, light text on dark.
    assert (_luminance(c["bg"]) < 0.2) == dark


def test_skip_link_is_first_and_visible_on_focus(browser, root_url):
    browser.viewport(1280, 900)
    browser.goto(f"{root_url}ar/index.html")
    browser.press_tab()
    focused = browser.evaluate("""(() => { const a = document.activeElement; const r = a.getBoundingClientRect();
        return [a.className, a.getAttribute('href'), r.top >= 0 && r.bottom <= innerHeight,
                getComputedStyle(a).outlineStyle]; })()""")
    assert focused[:3] == ["skip-link", "#main", True], focused
    assert focused[3] != "none"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_screenshots_of_an_article_on_desktop_and_phone(browser, root_url, lang):
    """For people to look at: glyph shaping and mirroring. Saved under build/screenshots/ (git-ignored)."""
    for kind, width, height, mobile in (("desktop", 1280, 900, False), ("mobile", 360, 740, True)):
        browser.viewport(width, height, mobile=mobile)
        browser.goto(f"{root_url}{lang}/{SEED}/index.html")
        path = SCREENSHOTS / f"{lang}-article-{kind}.png"
        browser.screenshot(path, full_page=False)
        assert path.stat().st_size > 10_000  # a real rendered page, not an empty canvas


# --- search (Pagefind) -------------------------------------------------------------------------------------------
SEARCH_FIXTURES = ROOT / "tests" / "fixtures" / "search"


def _build_search_site(tmp: Path, write_content) -> "Config":
    from dataclasses import replace

    from digest.build.pipeline import build
    from digest.config import load_config

    content = tmp / "content"
    write_content(content)
    config = load_config(ROOT / "site.toml", root=ROOT, content=content, output=tmp / "output", translator="none")
    config = replace(config, translator=replace(config.translator, memory_dir=str(tmp / "memory")))
    lines: list[str] = []
    build(config, log=lines.append)
    assert (config.output_dir / "pagefind" / "pagefind.js").is_file(), lines  # the index was built
    return config


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    import shutil

    return _build_search_site(tmp_path_factory.mktemp("search-site"), lambda content: shutil.copytree(
        SEARCH_FIXTURES, content, ignore=shutil.ignore_patterns("README.md")))


def _type_search(browser, page_url: str, query: str) -> list[str]:
    """Open a search page, type `query` into Pagefind's box as a reader would, return the result links."""
    browser.goto(page_url)
    browser.evaluate("""new Promise((ok, fail) => { const t0 = Date.now(); (function wait() {
        const box = document.querySelector('.pagefind-ui__search-input');
        if (box) { box.focus(); ok(true); } else if (Date.now() - t0 > 10000) { fail('no search box'); }
        else { setTimeout(wait, 50); } })(); })""")
    browser.send("Input.insertText", text=query)
    return browser.evaluate("""new Promise(ok => { const t0 = Date.now(); (function wait() {
        const links = [...document.querySelectorAll('.pagefind-ui__result-link')].map(a => a.href);
        if (links.length || Date.now() - t0 > 10000) { ok(links); } else { setTimeout(wait, 50); } })(); })""")


@pytest.mark.parametrize("lang, query, slug", [
    ("ar", "المدارس", "school"),   # the body says للمدارس: preposition, article and plural ending handled
    ("ar", "الأمطار", "rain"),     # the body says أمطار: the article is stripped, hamza forms are one
    ("en", "school", "school"),    # the body says "schools"
    ("en", "harbours", "rain"),    # the body says "harbour"
])
def test_search_page_finds_the_article_by_a_word_of_its_body(browser, search_site, lang, query, slug):
    """Under the domain root and the GitHub Pages sub-path alike: typed into the search page, a word in another
    inflection finds the article of that edition, its link is right, and the page logs no CSP violation."""
    browser.viewport(1280, 900)
    for prefix in ("/", search_site.base_path):
        with SiteServer(search_site.output_dir, prefix) as base:
            mark = len(browser.events)
            links = _type_search(browser, f"{base}{lang}/search/", query)
            assert links and links[0] == f"{base}{lang}/{slug}/", (prefix, query, links)
            assert all(link.startswith(f"{base}{lang}/") for link in links), links  # this edition's index only
            assert browser.console_problems(mark) == [], prefix
            # The result link leads to the article itself.
            browser.goto(links[0])
            assert browser.evaluate("document.documentElement.lang") == lang
            assert browser.console_problems(mark) == []


def test_search_results_show_markup_in_an_article_as_text(browser, search_site):
    with SiteServer(search_site.output_dir, "/") as base:
        mark = len(browser.events)
        links = _type_search(browser, f"{base}ar/search/", "زعفرانية")
        assert links == [f"{base}ar/markup/"]
        results = browser.evaluate("(() => { const r = document.querySelector('.pagefind-ui__results');"
                                   " return [r.querySelectorAll('img, b, script').length, r.textContent]; })()")
        assert results[0] == 0, results
        assert "<img src=x onerror" in results[1] and "<b>" not in results[1]  # as text, like the article shows it
        assert browser.console_problems(mark) == []


def test_search_page_without_index_says_so(browser, tmp_path):
    """A site built without Pagefind (or whose indexing failed) still has readable search pages that say why."""
    import shutil

    from digest.config import load_config
    from digest.site.render import PageRenderer

    output = tmp_path / "output"
    (output / "en" / "search").mkdir(parents=True)
    config = load_config(ROOT / "site.toml", root=ROOT, content=tmp_path, output=output)
    (output / "en" / "search" / "index.html").write_bytes(PageRenderer(config).search_page("en"))
    shutil.copytree(ROOT / "static", output / "static")
    with SiteServer(output, "/") as base:
        browser.goto(f"{base}en/search/")
        assert "not available" in browser.evaluate("document.querySelector('.search-unavailable').textContent")


# What Pagefind's Arabic stemmer (Snowball Arabic) does with inflected forms, as the README's search section says.
# Each form is the only word of interest in its own article; a query finds exactly the forms listed. A Pagefind
# upgrade that changes this fails here: update the README's table with it.
FORMS = ["مدرسة", "المدرسة", "بالمدرسة", "مدرستها", "والمدرسة", "مدارس", "المدارس", "للمدارس", "معلم", "المعلمون",
         "المعلمين", "الاقتصاد", "اقتصادية", "كتاب", "الكتب", "مطر", "أمطار"]
SINGULAR = {"مدرسة", "المدرسة", "بالمدرسة", "مدرستها"}
FOUND = {
    "مدرسة": SINGULAR,                            # article, ب+ال and the pronoun suffix go; و+ال does not
    "المدرسة": SINGULAR,
    "مدرسه": SINGULAR,                            # ة typed as ه
    "مَدْرَسَة": SINGULAR,                         # vowel marks ignored
    "والمدرسة": {"والمدرسة"},
    "المدارس": {"مدارس", "المدارس", "للمدارس"},   # the broken plural is a word of its own: no مدرسة
    "معلم": {"معلم", "المعلمون", "المعلمين"},      # sound plurals reach the singular
    "المعلمين": {"معلم", "المعلمون", "المعلمين"},
    "الإقتصاد": {"الاقتصاد", "اقتصادية"},          # hamza on alif ignored; the adjective shares the stem
    "الكتب": {"الكتب"},                            # كتاب / الكتب: broken plural, not found
    "مطر": {"مطر"},
    "الأمطار": {"أمطار"},
}


@pytest.fixture(scope="module")
def forms_site(tmp_path_factory):
    def write(content: Path) -> None:
        content.mkdir()
        for i, form in enumerate(FORMS):
            (content / f"w{i:02d}.md").write_text(
                f"---\ntitle: خبر رقم {i}\ndate: 2024-05-{i + 1:02d}\n---\nنص تجريبي يذكر {form} في هذه الجملة.\n",
                encoding="utf-8")
    return _build_search_site(tmp_path_factory.mktemp("forms-site"), write)


def test_arabic_stemming_is_what_the_readme_says(browser, forms_site):
    with SiteServer(forms_site.output_dir, "/") as base:
        browser.goto(f"{base}ar/search/")
        found = browser.evaluate("""(async queries => {
            const pagefind = await import(new URL('../../pagefind/pagefind.js', location.href).href);
            const out = {};
            for (const q of queries) {
              const r = await pagefind.search(q);
              out[q] = (await Promise.all(r.results.map(x => x.data()))).map(d => d.url);
            }
            return out; })(%s)""" % json.dumps(list(FOUND), ensure_ascii=False))
    got = {q: {FORMS[int(url.rstrip("/").rsplit("w", 1)[1])] for url in urls} for q, urls in found.items()}
    assert got == FOUND


def test_search_works_from_serve_with_live_reload(browser, tmp_path):
    """`generate.py serve` (digest.serve.watch_and_serve) serves the index too, at the root and under the base
    URL's sub-path, and its live-reload script (a 'self' script) is allowed by the search page's policy. The index
    is made in the background after each build: a saved article is soon found by its new word."""
    import shutil
    import threading
    import time
    from dataclasses import replace

    from digest.config import load_config
    from digest.serve import watch_and_serve

    content = tmp_path / "content"
    shutil.copytree(SEARCH_FIXTURES, content, ignore=shutil.ignore_patterns("README.md"))
    config = load_config(ROOT / "site.toml", root=ROOT, content=content, output=tmp_path / "output",
                         translator="none")
    config = replace(config, translator=replace(config.translator, memory_dir=str(tmp_path / "memory")))
    stop, ready = threading.Event(), []
    thread = threading.Thread(target=watch_and_serve, args=(lambda: config,), daemon=True,
                              kwargs=dict(port=0, quiet=True, log=lambda m: None, ready=ready.append, stop=stop))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not ready and time.monotonic() < deadline:
            time.sleep(0.05)
        base = ready[0].rstrip("/") + "/"
        bundle = config.output_dir / "pagefind" / "pagefind.js"
        while not bundle.is_file() and time.monotonic() < deadline:  # the first index, made in the background
            time.sleep(0.05)
        browser.viewport(1280, 900)
        for prefix in ("", config.base_path.lstrip("/")):
            mark = len(browser.events)
            links = _type_search(browser, f"{base}{prefix}ar/search/", "المدارس")
            assert links and links[0] == f"{base}{prefix}ar/school/", links
            assert browser.evaluate("!!document.querySelector('script[src=\"/__livereload.js\"]')")
            assert browser.console_problems(mark) == []
        with (content / "rain.md").open("a", encoding="utf-8") as handle:
            handle.write("\nوفي المساء عاد الصيادون بقواربهم البرتقالية إلى المرفأ.\n")
        deadline = time.monotonic() + 30
        links: list[str] = []
        while not links and time.monotonic() < deadline:
            try:
                links = _type_search(browser, f"{base}ar/search/", "البرتقالية")
            except CDPError:  # live reload reloaded the page (the save's rebuild) while it was being read
                continue
        assert links == [f"{base}ar/rain/"]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not list(tmp_path.glob(".output.search-*"))  # no staging folder left


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_search_box_is_mirrored_in_arabic_and_drawn_in_the_site_faces(browser, search_site, lang):
    """Pagefind lays its box out with physical sides; the site's stylesheet makes them logical. Screenshots of both
    search pages are saved in build/screenshots/ for people to look at."""
    browser.viewport(1280, 900)
    with SiteServer(search_site.output_dir, "/") as base:
        assert _type_search(browser, f"{base}{lang}/search/", "المدارس" if lang == "ar" else "school")
        box = browser.evaluate("""(() => {
            const input = document.querySelector('.pagefind-ui__search-input').getBoundingClientRect();
            const clear = document.querySelector('.pagefind-ui__search-clear').getBoundingClientRect();
            const icon = getComputedStyle(document.querySelector('.pagefind-ui__form'), '::before');
            return {clear_mid: clear.left + clear.width / 2, input_mid: input.left + input.width / 2,
                    icon_mask: icon.maskImage || icon.webkitMaskImage,
                    font: getComputedStyle(document.querySelector('.pagefind-ui__result-title')).fontFamily}; })()""")
        browser.screenshot(SCREENSHOTS / f"{lang}-search-desktop.png", full_page=False)
    # The clear button sits at the end of the line: the left on Arabic pages, the right on English ones.
    assert (box["clear_mid"] < box["input_mid"]) == (lang == "ar"), box
    assert "search-icon.svg" in box["icon_mask"], box  # our icon, not Pagefind's data: URL
    assert box["font"].startswith('"Noto Naskh Arabic"') == (lang == "ar"), box


# --- the front page ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def front_url(tmp_path_factory):
    from dataclasses import replace

    from digest.build.pipeline import build
    from digest.config import load_config
    from front_site import write_front_content

    tmp = tmp_path_factory.mktemp("front-site")
    write_front_content(tmp / "content")
    config = load_config(ROOT / "site.toml", root=ROOT, content=tmp / "content", output=tmp / "output",
                         translator="none")
    config = replace(config, translator=replace(config.translator, memory_dir=str(tmp / "memory")))
    build(config, quiet=True)
    with SiteServer(config.output_dir, "/") as url:
        yield url


# Every image loaded (lazy ones made eager first), and the boxes of the lead, its parts and each teaser row.
FRONT_GEOMETRY = """(async () => {
  const images = [...document.querySelectorAll('main img')];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  const box = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
                                                                     width: r.width}; };
  const lead = document.querySelector('.lead');
  return {
    images: images.map(img => ({src: img.getAttribute('src'), natural: img.naturalWidth})),
    lead: box(lead), leadImage: box(lead.querySelector('.lead-image')), leadText: box(lead.querySelector('.lead-text')),
    lists: [...document.querySelectorAll('.teasers')].map(ol => ({box: box(ol),
                                                                   items: [...ol.children].map(box)})),
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  };
})()"""


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_front_page_leads_with_the_newest_story_and_fills_its_rows(browser, front_url, lang):
    """Desktop (1280 px) and phone (390 px) screenshots of the front page are saved in build/screenshots/
    (front-<lang>-desktop.png, front-<lang>-phone.png) for people to look at."""
    browser.viewport(1280, 900)
    browser.goto(f"{front_url}{lang}/index.html")
    desktop = browser.evaluate(FRONT_GEOMETRY)
    browser.screenshot(SCREENSHOTS / f"front-{lang}-desktop.png", full_page=True)
    assert desktop["images"] and all(img["natural"] > 0 for img in desktop["images"]), desktop["images"]
    teaser_widths = [item["width"] for ol in desktop["lists"] for item in ol["items"]]
    assert desktop["lead"]["width"] > 1.5 * min(teaser_widths)
    # The lead's image sits at the start of the line: the right in Arabic, the left in English.
    image, text = desktop["leadImage"], desktop["leadText"]
    assert (image["left"] > text["left"]) if lang == "ar" else (image["left"] < text["left"])
    for ol in desktop["lists"]:  # no row of teasers leaves columns empty: each reaches across the list
        rows: dict[int, list[dict]] = {}
        for item in ol["items"]:
            rows.setdefault(round(item["top"]), []).append(item)
        for row in rows.values():
            span = max(i["right"] for i in row) - min(i["left"] for i in row)
            assert span >= ol["box"]["width"] - 2, (lang, ol)
    browser.viewport(390, 844, mobile=True)
    browser.goto(f"{front_url}{lang}/index.html")
    phone = browser.evaluate(FRONT_GEOMETRY)
    browser.screenshot(SCREENSHOTS / f"front-{lang}-phone.png", full_page=True)
    assert phone["scrollWidth"] <= phone["innerWidth"]
    assert all(img["natural"] > 0 for img in phone["images"])
    for ol in phone["lists"]:  # one column
        assert all(abs(item["width"] - ol["box"]["width"]) < 2 for item in ol["items"])

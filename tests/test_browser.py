"""Real-browser checks: a built site served on 127.0.0.1 (at the root and under a GitHub project sub-path),
driven by headless Debian chromium over the DevTools protocol. Screenshots land in build/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, WIRE
from cdp import Browser, find_chromium
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

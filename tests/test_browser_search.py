"""The layered search index in headless chromium (digest/build/searchlayers.py, static/layered/pagefind.js): after
edits built incrementally, the search page merges the base bundle with the delta of changed pages. An edited
article is found by its new words and shown once, a new article is found, a removed one is not (no link to a
page that is gone), at the domain root and under the GitHub Pages sub-path, with no console or CSP problem."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cdp import Browser
from siteserver import SiteServer
from test_browser import CHROMIUM, SEARCH_FIXTURES, _build_search_site, _type_search

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: run scripts/install-browser.sh (make test does)")

# Search through the module the search page's interface imports, as it does: URLs of every result, in order.
SEARCH_ALL = """(async queries => {
    const layered = await import(new URL('../../static/layered/pagefind.js', location.href).href);
    await layered.options({baseUrl: new URL('../../', location.href).pathname});
    const out = {};
    for (const q of queries) {
      const found = await layered.search(q);
      out[q] = await Promise.all(found.results.map(async r => (await r.data()).url));
    }
    return out; })(%s)"""


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as b:
        yield b


def _search_all(browser, page_url: str, queries: list[str]) -> dict[str, list[str]]:
    browser.goto(page_url)
    return browser.evaluate(SEARCH_ALL % json.dumps(queries, ensure_ascii=False))


@pytest.fixture(scope="module")
def edited_site(tmp_path_factory):
    """The search fixtures built once (the base), then edited and built again (a delta over that base): rain.md
    gets a paragraph, port.md is new, school.md and its English are removed."""
    from digest.build.pipeline import build

    config = _build_search_site(tmp_path_factory.mktemp("layered-site"), lambda content: shutil.copytree(
        SEARCH_FIXTURES, content, ignore=shutil.ignore_patterns("README.md")))
    content = config.content_dir
    with (content / "rain.md").open("a", encoding="utf-8") as handle:
        handle.write("\nوفي المساء عاد الصيادون بقواربهم البرتقالية إلى المرفأ.\n")
    (content / "port.md").write_text("---\ntitle: توسعة الميناء\ndate: 2024-05-05\n---\n"
                                     "بدأت أعمال توسعة رصيف الحاويات في الميناء التجاري اليوم.\n", encoding="utf-8")
    (content / "school.md").unlink()
    (content / "school.en.md").unlink()
    lines: list[str] = []
    build(config, log=lines.append)
    assert any("search: indexed (base ar 3 pages, en 2 pages; delta 2 pages, 2 removed)" in line
               for line in lines), lines
    return config


@pytest.mark.parametrize("prefix", ["/", "sub-path"])
def test_the_delta_is_found_and_removed_articles_are_not(browser, edited_site, prefix):
    prefix = edited_site.base_path if prefix == "sub-path" else prefix
    with SiteServer(edited_site.output_dir, prefix) as base:
        mark = len(browser.events)
        found = _search_all(browser, f"{base}ar/search/", ["البرتقالية", "الحاويات", "المدارس", "الأمطار", "الميناء"])
        root = base[base.index("/", len("http://")):]
        assert found["البرتقالية"] == [f"{root}ar/rain/"]   # the edited article, by a word only its new version has
        assert found["الحاويات"] == [f"{root}ar/port/"]     # the new article
        assert found["المدارس"] == []                       # the removed article: in the base, dropped
        assert found["الأمطار"] == [f"{root}ar/rain/"]      # rain once: its base version is dropped
        assert sorted(found["الميناء"]) == [f"{root}ar/port/", f"{root}ar/rain/"]  # base and delta merged
        english = _search_all(browser, f"{base}en/search/", ["school", "harbour"])
        assert english == {"school": [], "harbour": [f"{root}en/rain/"]}  # base only (no English in the delta)
        # As a reader types it: the result links lead to the pages.
        links = _type_search(browser, f"{base}ar/search/", "البرتقالية")
        assert links == [f"{base}ar/rain/"]
        browser.goto(links[0])
        assert "البرتقالية" in browser.evaluate("document.querySelector('main').textContent")
        assert browser.console_problems(mark) == []


def test_a_language_no_layer_holds_finds_nothing(browser, tmp_path):
    """Pagefind answers from its largest language when the page's is missing: an English search page of a site
    without English articles would list Arabic ones. The layered module searches no layer then."""
    def write(content: Path) -> None:
        content.mkdir()
        (content / "only.md").write_text("---\ntitle: خبر\ndate: 2024-05-01\n---\nنص عن المدارس والمعلمين.\n",
                                         encoding="utf-8")
    config = _build_search_site(tmp_path, write)
    with SiteServer(config.output_dir, "/") as base:
        mark = len(browser.events)
        assert _search_all(browser, f"{base}ar/search/", ["المدارس"]) == {"المدارس": ["/ar/only/"]}
        assert _search_all(browser, f"{base}en/search/", ["المدارس"]) == {"المدارس": []}
        assert browser.console_problems(mark) == []


def test_a_base_made_in_parts_is_searched_as_one_index(browser, tmp_path, monkeypatch):
    """A large site's base is made in parts, no Pagefind run reading more than searchlayers.PART_BYTES of pages
    (here: one page each, so every article is in a part of its own). The search page merges the parts and the
    delta: an article of any part is found, an edited one once by its new words, a removed one not at all."""
    from digest.build import searchlayers
    from digest.build.pipeline import build

    monkeypatch.setattr(searchlayers, "PART_BYTES", 1)
    config = _build_search_site(tmp_path, lambda content: shutil.copytree(
        SEARCH_FIXTURES, content, ignore=shutil.ignore_patterns("README.md")))
    bundle = config.output_dir / "pagefind"
    assert sorted(p.name for p in bundle.glob("part-*")) == ["part-1", "part-2"]  # 3 Arabic pages, 2 English
    content = config.content_dir
    with (content / "school.md").open("a", encoding="utf-8") as handle:
        handle.write("\nوزار الوزير مختبر البرتقالية الجديد في المدرسة.\n")
    (content / "markup.md").unlink()
    lines: list[str] = []
    build(config, log=lines.append)
    assert any("delta 1 pages, 1 removed" in line for line in lines), lines
    layers = json.loads((bundle / "delta" / "layers.json").read_text(encoding="utf-8"))
    assert [part["path"] for part in layers["parts"]] == ["part-1/", "part-2/"]
    with SiteServer(config.output_dir, config.base_path) as base:
        mark = len(browser.events)
        root = base[base.index("/", len("http://")):]
        found = _search_all(browser, f"{base}ar/search/", ["الأمطار", "المدارس", "البرتقالية", "زعفرانية"])
        assert found == {"الأمطار": [f"{root}ar/rain/"], "المدارس": [f"{root}ar/school/"],
                         "البرتقالية": [f"{root}ar/school/"], "زعفرانية": []}
        english = _search_all(browser, f"{base}en/search/", ["school", "harbour"])
        assert english == {"school": [f"{root}en/school/"], "harbour": [f"{root}en/rain/"]}
        assert browser.console_problems(mark) == []

"""The search index step (digest/site/search.py): Pagefind over the written site, after the pages, never fatal.
What the index finds is checked in a real browser in tests/test_browser.py."""
from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from conftest import FIXTURES
from digest.build import build
from digest.build.searchindex import BUNDLE, pagefind_executable
from searchview import visible

SEARCH = FIXTURES / "search"


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(SEARCH, folder, ignore=shutil.ignore_patterns("README.md"))
    return folder


def _build(config, **kwargs) -> tuple[object, list[str]]:
    lines: list[str] = []
    report = build(config, log=lines.append, **kwargs)
    return report, lines


def _fake_pagefind(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-pagefind"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_pagefind_is_installed_from_the_pinned_requirements():
    assert pagefind_executable() is not None and pagefind_executable().is_file()
    pins = (Path(__file__).parent.parent / "requirements.txt").read_text(encoding="utf-8")
    assert "pagefind[bin]==" in pins and "pagefind-bin==" in pins


def _layers(config) -> dict:
    return json.loads((config.output_dir / BUNDLE / "delta" / "layers.json").read_text(encoding="utf-8"))


def _search_folder(config) -> Path:
    from digest.build import cache_dir
    from digest.build.searchlayers import index_folder

    return index_folder(cache_dir(config.output_dir), config.output_dir)


def _edit(path: Path, paragraph: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{paragraph}\n", encoding="utf-8")


def test_one_index_per_language_holding_only_the_articles(content, make_config):
    config = make_config(content)
    report, lines = _build(config)
    entry = json.loads((config.output_dir / BUNDLE / "pagefind-entry.json").read_text(encoding="utf-8"))
    # Three Arabic articles, two with an English translation: no home, archive, search or 404 page indexed.
    assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == {"ar": 3, "en": 2}
    assert list(entry["languages"]) == ["ar", "en"]  # sorted: two builds of the same pages give the same bytes
    assert (config.output_dir / BUNDLE / "wasm.ar.pagefind").is_file()
    said = [line.strip() for line in lines if line.strip().startswith("search:")]
    assert said and said[0].startswith("search: indexed (base made (none yet): ar 3 pages, en 2 pages; "
                                       "delta 0 pages, 0 removed)"), lines
    layers = _layers(config)
    assert layers["languages"] == {"base": ["ar", "en"], "delta": []} and layers["drop"] == []
    assert set(visible(config.output_dir / BUNDLE)) == {"/ar/school/", "/ar/rain/", "/ar/markup/", "/en/school/",
                                                         "/en/rain/"}
    for lang in ("ar", "en"):
        assert (config.output_dir / lang / "search" / "index.html").is_file()


def test_an_edit_is_indexed_in_the_delta_and_the_base_stays(content, make_config):
    config = make_config(content)
    _build(config)
    bundle = config.output_dir / BUNDLE
    base_entry = (bundle / "pagefind-entry.json").stat().st_ino
    _, lines = _build(config)  # no change at all
    assert any("search: index unchanged" in line for line in lines), lines
    _edit(content / "rain.md", "وفي المساء عاد الصيادون بقواربهم البرتقالية إلى المرفأ.")
    _, lines = _build(config)
    said = [line.strip() for line in lines if line.strip().startswith("search:")]
    assert said[0].startswith("search: indexed (base ar 3 pages, en 2 pages; delta 1 pages, 0 removed)"), lines
    assert (bundle / "pagefind-entry.json").stat().st_ino == base_entry  # the base was not made again
    layers = _layers(config)
    assert layers["languages"] == {"base": ["ar", "en"], "delta": ["ar"]}
    assert len(layers["drop"]) == 1 and layers["drop"][0].startswith("ar_")  # the base's old rain page
    shown = visible(bundle)
    assert "البرتقالية" in shown["/ar/rain/"]["content"] and len(shown) == 5
    # The same edit again and again: the delta is made for the pages changed since the base, not since last time.
    _edit(content / "school.md", "وأعلنت الوزارة جدولا جديدا للامتحانات.")
    _, lines = _build(config)
    assert any("delta 2 pages, 0 removed" in line for line in lines), lines
    shown = visible(bundle)
    assert "البرتقالية" in shown["/ar/rain/"]["content"] and "جدولا" in shown["/ar/school/"]["content"]
    # A full build into a fresh folder takes the base from the build cache (no whole-site run) and the delta again.
    _, lines = _build(config, full=True)
    assert any("search: indexed (base ar 3 pages, en 2 pages; delta 2 pages, 0 removed)" in line
               for line in lines), lines
    assert visible(bundle) == shown
    base = next(_search_folder(config).glob("base-*"))
    assert (bundle / "pagefind-entry.json").stat().st_ino == (base / "pagefind-entry.json").stat().st_ino  # linked
    assert not list(config.output_dir.parent.glob(f".{config.output_dir.name}.search-*"))  # no staging left


def test_a_removed_article_is_dropped_and_a_new_one_added(content, make_config):
    config = make_config(content)
    _build(config)
    (content / "school.md").unlink()
    (content / "school.en.md").unlink()
    (content / "port.md").write_text("---\ntitle: توسعة الميناء\ndate: 2024-05-05\n---\n"
                                     "بدأت أعمال توسعة الميناء التجاري اليوم.\n", encoding="utf-8")
    _, lines = _build(config)
    assert any("delta 1 pages, 2 removed" in line for line in lines), lines
    layers = _layers(config)
    assert len(layers["drop"]) == 2 and {d[:3] for d in layers["drop"]} == {"ar_", "en_"}
    assert set(visible(config.output_dir / BUNDLE)) == {"/ar/rain/", "/ar/markup/", "/ar/port/", "/en/rain/"}


def test_the_base_is_made_again_when_the_delta_grows_past_its_limit(content, make_config, monkeypatch):
    from digest.build import searchlayers

    config = make_config(content)
    _build(config)
    first = {p.name for p in _search_folder(config).glob("base-*")}
    monkeypatch.setattr(searchlayers, "DELTA_LIMIT", 1)
    _edit(content / "rain.md", "فقرة أولى جديدة.")
    _, lines = _build(config)
    assert any("delta 1 pages" in line for line in lines), lines  # at the limit: still a delta
    _edit(content / "school.md", "فقرة ثانية جديدة.")
    _, lines = _build(config)
    assert any("base made (2 pages changed since the last): ar 3 pages, en 2 pages; delta 0 pages, 0 removed"
               in line for line in lines), lines
    assert _layers(config)["drop"] == [] and not (config.output_dir / BUNDLE / "delta" / "fragment").exists()
    assert {p.name for p in _search_folder(config).glob("base-*")}.isdisjoint(first)  # the old base is gone
    assert len(list(_search_folder(config).glob("base-*"))) == 1
    shown = visible(config.output_dir / BUNDLE)
    assert "فقرة أولى" in shown["/ar/rain/"]["content"] and "فقرة ثانية" in shown["/ar/school/"]["content"]


def test_another_pagefind_binary_makes_a_new_base(content, make_config, tmp_path, monkeypatch):
    """Bundles of two Pagefind binaries are never mixed. The same binary installed anew (a CI runner's every run:
    another path or time, the same bytes) keeps the base."""
    config = make_config(content)
    _build(config)
    copy = tmp_path / "pagefind-copy"
    shutil.copy(pagefind_executable(), copy)  # the same bytes, a new file
    copy.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(copy))
    _edit(content / "rain.md", "فقرة.")
    _, lines = _build(config)
    assert any("search: indexed (base ar 3 pages, en 2 pages; delta 1 pages" in line for line in lines), lines
    with copy.open("ab") as handle:  # another binary (an ELF file runs the same with bytes after its end)
        handle.write(b"\0")
    _edit(content / "rain.md", "فقرة أخرى.")
    _, lines = _build(config)
    assert any("base made (none yet)" in line for line in lines), lines


@pytest.mark.parametrize("script, says", [
    ("echo 'Error: the disk is full' >&2; exit 3", "exit status 3: 'Error: the disk is full'"),
    ("exit 0", "wrote no pagefind.js"),
])
def test_a_failing_pagefind_is_one_warning_and_the_build_goes_on(content, make_config, tmp_path, monkeypatch,
                                                                 script, says):
    config = make_config(content)
    _build(config)
    bundle = config.output_dir / BUNDLE
    before = sorted(p.name for p in bundle.iterdir())
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", _fake_pagefind(tmp_path, script))
    (content / "rain.md").write_text((content / "rain.md").read_text(encoding="utf-8") + "\nفقرة.\n", encoding="utf-8")
    report, lines = _build(config)
    warnings = [line for line in lines if "search index" in line]
    assert len(warnings) == 1 and says in warnings[0] and warnings[0].startswith("warning: "), lines
    assert report.exit_code(strict=False) == 0 and report.published == 3
    assert "فقرة." in (config.output_dir / "ar" / "rain" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in bundle.iterdir()) == before  # the previous index stays
    assert not list(config.output_dir.parent.glob(f".{config.output_dir.name}.search-*"))
    # Pagefind back: the next build indexes, although no page changed since (a delta: the base is still good).
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    _, lines = _build(config)
    assert any("search: indexed (base ar 3 pages, en 2 pages; delta 1 pages" in line for line in lines), lines
    assert "فقرة." in visible(bundle)["/ar/rain/"]["content"]


def test_a_missing_or_hanging_pagefind_is_one_warning(content, make_config, tmp_path, monkeypatch):
    import digest.build.pagefind as search

    config = make_config(content)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere" / "pagefind"))
    report, lines = _build(config)
    warnings = [line for line in lines if "search index" in line]
    assert len(warnings) == 1 and "could not be started" in warnings[0], lines
    assert report.published == 3 and (config.output_dir / "ar" / "search" / "index.html").is_file()
    assert not (config.output_dir / BUNDLE).exists()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", _fake_pagefind(tmp_path, "sleep 30"))
    monkeypatch.setattr(search, "TIMEOUT", 0.5)
    _, lines = _build(config)
    warnings = [line for line in lines if "search index" in line]
    assert len(warnings) == 1 and "did not finish in" in warnings[0], lines


def _committed(config) -> tuple[str, object]:
    """What the last build committed, as the pipeline gives it to the search step (Session.search_pages)."""
    from digest.build import cache_dir
    from digest.build.state import load_state, state_path

    state = load_state(state_path(cache_dir(config.output_dir), config.output_dir), config.output_dir)
    return state.token, lambda: {path: state.manifest[path] for path in state.searchable}


def test_a_cancelled_run_starts_nothing_and_the_next_build_indexes(content, make_config):
    import threading

    from digest.build import cache_dir
    from digest.build.searchindex import update_index

    config = make_config(content)
    _build(config)
    cancel = threading.Event()
    cancel.set()
    token, pages = _committed(config)
    assert update_index(config.output_dir, cache_dir(config.output_dir), ("a newer build", pages), warn=print,
                        cancel=cancel).startswith("left")
    assert update_index(config.output_dir, cache_dir(config.output_dir), (token, pages), warn=print,
                        cancel=cancel) == "index unchanged"  # nothing to do needs no run


def test_an_article_named_search_does_not_take_the_search_page(content, make_config):
    (content / "search.md").write_text("---\ntitle: خبر عن البحث العلمي\ndate: 2024-05-04\n---\nنص الخبر.\n",
                                       encoding="utf-8")
    config = make_config(content)
    report, _ = _build(config)
    assert report.published == 4 and not report.skipped
    assert (config.output_dir / "ar" / "search-article" / "index.html").is_file()
    assert "البحث في الأخبار" in (config.output_dir / "ar" / "search" / "index.html").read_text(encoding="utf-8")


def test_an_index_of_pages_changed_during_the_run_is_not_swapped_in(content, make_config):
    """serve/watch: Pagefind reads the pages while no lock is held; its index goes in only if no build committed
    meanwhile (the last committed build's token is still the one it indexed for), else it runs again."""
    from digest.build import cache_dir
    from digest.build.searchindex import STALE, update_index

    config = make_config(content)
    _build(config)
    delta = config.output_dir / BUNDLE / "delta"
    before = delta.stat().st_ino
    (content / "rain.md").unlink()
    (content / "rain.en.md").unlink()
    _build(config, search_later=_Later())  # committed, its index left to "the background"
    committed = _committed(config)
    assert update_index(config.output_dir, cache_dir(config.output_dir), committed, warn=print,
                        latest=lambda: "a build committed meanwhile") == STALE
    assert delta.stat().st_ino == before  # the old index stays; the next run makes the new one
    assert not list(config.output_dir.parent.glob(f".{config.output_dir.name}.search-*"))
    assert update_index(config.output_dir, cache_dir(config.output_dir), committed, warn=print,
                        latest=lambda: committed[0]).startswith("indexed")
    assert set(visible(config.output_dir / BUNDLE)) == {"/ar/school/", "/ar/markup/", "/en/school/"}


class _Later:
    """A stand-in for serve's BackgroundIndex that never runs."""

    def request(self, *args) -> None:
        pass


def test_a_temporary_file_of_an_index_run_killed_mid_write_is_removed_by_the_next_run(content, make_config):
    """write_atomic writes the index's records through `.<name>.<random>.tmp`; a run killed in between leaves one
    in the cache's index folder. The next run (under the index lock) removes it, and keeps the records."""
    config = make_config(content)
    _build(config)
    folder = _search_folder(config)
    leftover = folder / ".index.json.k1ll3d.tmp"
    leftover.write_text("{", encoding="utf-8")
    records = sorted(p.name for p in folder.iterdir() if not p.name.endswith(".tmp"))
    _edit(sorted(content.glob("*.md"))[0], "فقرة أضيفت بعد التوقف.")
    _build(config)
    assert not leftover.exists()
    assert not list(folder.glob(".*.tmp"))
    assert set(records) <= {p.name for p in folder.iterdir()}

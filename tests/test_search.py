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


def test_one_index_per_language_holding_only_the_articles(content, make_config):
    config = make_config(content)
    report, lines = _build(config)
    entry = json.loads((config.output_dir / BUNDLE / "pagefind-entry.json").read_text(encoding="utf-8"))
    # Three Arabic articles, two with an English translation: no home, archive, search or 404 page indexed.
    assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == {"ar": 3, "en": 2}
    assert list(entry["languages"]) == ["ar", "en"]  # sorted: two builds of the same pages give the same bytes
    assert (config.output_dir / BUNDLE / "wasm.ar.pagefind").is_file()
    assert any(line.strip().startswith("search: indexed (ar 3 pages, en 2 pages)") for line in lines), lines
    for lang in ("ar", "en"):
        assert (config.output_dir / lang / "search" / "index.html").is_file()


def test_index_is_made_again_only_when_a_page_changed(content, make_config):
    config = make_config(content)
    _build(config)
    entry = config.output_dir / BUNDLE / "pagefind-entry.json"
    first = entry.stat().st_ino
    _, lines = _build(config)  # no change at all
    assert any("search: index unchanged" in line for line in lines) and entry.stat().st_ino == first
    (content / "rain.md").write_text((content / "rain.md").read_text(encoding="utf-8") + "\nفقرة جديدة.\n",
                                     encoding="utf-8")
    _, lines = _build(config)
    assert any("search: indexed" in line for line in lines) and entry.stat().st_ino != first
    # A full build swaps in a fresh folder: the index is made for it.
    _, lines = _build(config, full=True)
    assert any("search: indexed" in line for line in lines)
    assert (config.output_dir / BUNDLE / "pagefind.js").is_file()
    assert not list(config.output_dir.parent.glob(f".{config.output_dir.name}.search-*"))  # no staging left


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
    # Pagefind back: the next build indexes, although no page changed since.
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    _, lines = _build(config)
    assert any("search: indexed" in line for line in lines), lines


def test_a_missing_or_hanging_pagefind_is_one_warning(content, make_config, tmp_path, monkeypatch):
    import digest.build.searchindex as search

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


def test_a_cancelled_build_leaves_the_index_to_the_next(content, make_config):
    import threading

    config = make_config(content)
    cancel = threading.Event()
    from digest.build.searchindex import update_index
    from digest.build import cache_dir

    _build(config)
    cancel.set()
    (config.output_dir / "ar" / "rain" / "index.html").touch()  # a page changed, then the build was stopped
    assert update_index(config.output_dir, cache_dir(config.output_dir), warn=print, cancel=cancel).startswith("left")
    # The next build, although it changes nothing, makes the index the stopped one left out.
    _, lines = _build(config)
    assert any("search: indexed" in line for line in lines), lines


def test_an_article_named_search_does_not_take_the_search_page(content, make_config):
    (content / "search.md").write_text("---\ntitle: خبر عن البحث العلمي\ndate: 2024-05-04\n---\nنص الخبر.\n",
                                       encoding="utf-8")
    config = make_config(content)
    report, _ = _build(config)
    assert report.published == 4 and not report.skipped
    assert (config.output_dir / "ar" / "search-article" / "index.html").is_file()
    assert "البحث في الأخبار" in (config.output_dir / "ar" / "search" / "index.html").read_text(encoding="utf-8")


def test_an_index_of_pages_changed_during_the_run_is_not_swapped_in(content, make_config):
    """serve/watch: Pagefind reads the pages while a build may write; its index goes in only if none changed."""
    from contextlib import contextmanager

    from digest.build import cache_dir
    from digest.build.searchindex import STALE, update_index

    config = make_config(content)
    _build(config)
    entry = config.output_dir / BUNDLE / "pagefind-entry.json"
    before = entry.stat().st_ino
    page = config.output_dir / "ar" / "rain" / "index.html"

    @contextmanager
    def a_build_wrote_meanwhile():
        page.write_bytes(page.read_bytes() + b"\n")
        yield

    page.touch()
    assert update_index(config.output_dir, cache_dir(config.output_dir), warn=print,
                        hold=a_build_wrote_meanwhile) == STALE
    assert entry.stat().st_ino == before  # the old index stays; the next run makes the new one
    assert not list(config.output_dir.parent.glob(f".{config.output_dir.name}.search-*"))
    assert update_index(config.output_dir, cache_dir(config.output_dir), warn=print).startswith("indexed")

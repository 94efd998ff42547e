"""The search index's base is made by one Pagefind run per language over hard links of its searchable pages, and
merged (digest/build/searchlayers.py index_pages): the same bytes as one run over the whole output folder, which
held every page of both languages (and the listings) in one process's memory."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from digest.build import build, cache_dir, pagefind, searchlayers
from digest.build.searchindex import pagefind_executable
from digest.build.state import load_state, state_path


@pytest.fixture
def built(tmp_path, make_config):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "search", content, ignore=shutil.ignore_patterns("README.md"))
    config = make_config(content)
    build(config, log=lambda line: None)
    state = load_state(state_path(cache_dir(config.output_dir), config.output_dir), config.output_dir)
    return config.output_dir, {path: state.manifest[path] for path in state.searchable}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _runs(monkeypatch) -> list[list[str]]:
    """The HTML files each Pagefind run was given, in the order of the runs."""
    seen: list[list[str]] = []
    real = pagefind.run

    def run(executable, site, out, cancel=None):
        seen.append(sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")))
        return real(executable, site, out, cancel)

    monkeypatch.setattr(pagefind, "run", run)
    return seen


def test_one_run_per_language_gives_the_bytes_of_one_run_over_the_whole_site(built, tmp_path, monkeypatch):
    output, pages = built
    executable = pagefind_executable()
    assert pagefind.run(executable, output, tmp_path / "whole") is None
    runs = _runs(monkeypatch)
    (tmp_path / "split").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "split", None) is None
    # Two runs, each over the searchable pages of one language only (no listing, search or home page).
    assert runs == [sorted(p for p in pages if p.startswith("ar/")), sorted(p for p in pages if p.startswith("en/"))]
    assert len(runs[0]) == 3 and len(runs[1]) == 2
    whole, split = _files(tmp_path / "whole"), _files(tmp_path / "split")
    assert any(name.startswith("fragment/ar_") for name in split) and any(name.startswith("index/en_") for name in split)
    assert split.keys() == whole.keys()
    assert [name for name in whole if whole[name] != split[name]] == []
    assert pagefind.languages(tmp_path / "split") == {"ar": 3, "en": 2}
    assert not list(tmp_path.glob(".base-runs-*"))  # the links and the runs' bundles are removed


def test_runs_that_cannot_be_merged_give_one_run_over_the_whole_site(built, tmp_path, monkeypatch):
    output, pages = built
    executable = pagefind_executable()
    # The same language from two runs is refused (its index would be two indexes).
    for name in ("a", "b"):
        assert pagefind.run(executable, output, tmp_path / name, None) is None
    (tmp_path / "merged").mkdir()
    assert "in two runs" in pagefind.merge_bundles([tmp_path / "a", tmp_path / "b"], tmp_path / "merged")
    monkeypatch.setattr(pagefind, "merge_bundles", lambda parts, into: "refused for the test")
    runs = _runs(monkeypatch)
    (tmp_path / "fallback").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "fallback", None) is None
    assert len(runs) == 3 and "index.html" in runs[-1]  # two runs, then one over the whole folder
    assert _files(tmp_path / "fallback") == _files(tmp_path / "a")


def test_pages_not_known_or_not_in_folders_give_one_run(built, tmp_path, monkeypatch):
    output, pages = built
    runs = _runs(monkeypatch)
    for number, known in enumerate((None, {**pages, "top.html": "recipe"})):
        (tmp_path / f"b{number}").mkdir()
        assert searchlayers.index_pages(pagefind_executable(), output, known, tmp_path / f"b{number}", None) is None
    assert len(runs) == 2 and all("index.html" in files for files in runs)
    assert pagefind.languages(tmp_path / "b0") == {"ar": 3, "en": 2}

"""The search index's base is made by one Pagefind run per language, each reading only the files of that language's
searchable pages' shape, into one bundle whose entry file is merged (digest/build/searchlayers.py index_pages):
the same bytes as one run over the whole output folder, which held every page of both languages (and the
listings) in one process's memory."""
from __future__ import annotations

import json
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
    # An Arabic file name gives an Arabic slug: its folder must match the runs' glob too.
    (content / "مطر-الخريف.md").write_text((content / "rain.md").read_text(encoding="utf-8").replace(
        "title:", "title: خريف", 1), encoding="utf-8")
    config = make_config(content)
    build(config, log=lambda line: None)
    state = load_state(state_path(cache_dir(config.output_dir), config.output_dir), config.output_dir)
    return config.output_dir, {path: state.manifest[path] for path in state.searchable}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _runs(monkeypatch) -> list[str | None]:
    """The glob of each Pagefind run (None: the whole site), in the order of the runs."""
    seen: list[str | None] = []
    real = pagefind.run

    def run(executable, site, out, cancel=None, *, glob=None):
        seen.append(glob)
        return real(executable, site, out, cancel, glob=glob)

    monkeypatch.setattr(pagefind, "run", run)
    return seen


def test_one_run_per_language_gives_the_bytes_of_one_run_over_the_whole_site(built, tmp_path, monkeypatch):
    output, pages = built
    executable = pagefind_executable()
    assert pagefind.run(executable, output, tmp_path / "whole") is None
    runs = _runs(monkeypatch)
    (tmp_path / "split").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "split", None) is None
    # Two runs, each reading the article pages of one language only (not the listings or the other language).
    assert runs == ["ar/*/index.html", "en/*/index.html"]
    assert any(not path.isascii() for path in pages)  # the Arabic slug's page was found by the glob
    whole, split = _files(tmp_path / "whole"), _files(tmp_path / "split")
    assert any(name.startswith("fragment/ar_") for name in split) and any(name.startswith("index/en_") for name in split)
    assert split.keys() == whole.keys()
    assert [name for name in whole if whole[name] != split[name]] == []
    assert pagefind.languages(tmp_path / "split") == {"ar": 4, "en": 2}


def test_runs_whose_bundle_is_not_one_runs_give_one_run_over_the_whole_site(built, tmp_path, monkeypatch):
    output, pages = built
    executable = pagefind_executable()
    assert pagefind.run(executable, output, tmp_path / "whole") is None
    entry = json.loads((tmp_path / "whole" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert "in two runs" in pagefind.merge_entries([entry, entry], tmp_path / "whole")
    assert "differ" in pagefind.merge_entries([entry, {**entry, "version": "0.0.1"}], tmp_path / "whole")
    # A Pagefind that empties its output folder first would leave the last language only: made again, as one run.
    runs = _runs(monkeypatch)
    counting = pagefind.run

    def clearing(executable, site, out, cancel=None, *, glob=None):
        shutil.rmtree(out, ignore_errors=True)
        return counting(executable, site, out, cancel, glob=glob)

    monkeypatch.setattr(pagefind, "run", clearing)
    (tmp_path / "fallback").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "fallback", None) is None
    assert runs == ["ar/*/index.html", "en/*/index.html", None]
    assert _files(tmp_path / "fallback") == _files(tmp_path / "whole")
    # A run that indexed fewer pages than its folder has searchable ones (a glob that missed one): one run at once.
    monkeypatch.setattr(pagefind, "run", counting)
    real_languages = pagefind.languages
    monkeypatch.setattr(pagefind, "languages", lambda bundle: {k: v - 1 for k, v in real_languages(bundle).items()})
    runs.clear()
    (tmp_path / "short").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "short", None) is None
    assert runs == ["ar/*/index.html", None]
    assert _files(tmp_path / "short") == _files(tmp_path / "whole")


def test_pages_not_known_or_not_of_one_shape_per_folder_give_one_run(built, tmp_path, monkeypatch):
    output, pages = built
    runs = _runs(monkeypatch)
    nested = output / "ar" / "deeper" / "page"
    nested.mkdir(parents=True)
    shutil.copy(output / "ar" / "rain" / "index.html", nested / "index.html")
    cases = [None, {**pages, "top.html": "recipe"}, {**pages, "ar/deeper/page/index.html": "recipe"},
             {**pages, "x/gone/index.html": "recipe"}]  # x/: no searchable page there to be found
    for number, known in enumerate(cases):
        (tmp_path / f"b{number}").mkdir()
        assert searchlayers.index_pages(pagefind_executable(), output, known, tmp_path / f"b{number}", None) is None
    assert runs == [None, None, None, None]
    assert pagefind.languages(tmp_path / "b0") == {"ar": 5, "en": 2}  # the whole folder: the nested copy too


def test_page_ids_read_the_url_from_the_start_of_each_fragment(built, tmp_path):
    import gzip

    output, pages = built
    bundle = tmp_path / "bundle"
    assert pagefind.run(pagefind_executable(), output, bundle) is None
    ids = pagefind.page_ids(bundle)
    assert set(ids) == set(pages) and all(ids[p].startswith(p[:2] + "_") for p in pages)
    # Each id's fragment, decoded whole, names the same page.
    for path, page_id in ids.items():
        data = gzip.decompress((bundle / "fragment" / f"{page_id}.pf_fragment").read_bytes())
        assert pagefind.url_to_path(json.loads(data[len(b"pagefind_dcd"):])["url"]) == path
    # Escapes in the URL, and a fragment whose URL is not first (read whole): the same answers.
    odd = {"url": '/ar/a "b" \\ ف/', "content": "x" * 5000}
    compact = {"separators": (",", ":"), "ensure_ascii": False}  # as Pagefind writes it
    for name, text in (("first", json.dumps(odd, **compact)),
                       ("later", json.dumps({"content": "y", "url": odd["url"]}, **compact))):
        (tmp_path / name).write_bytes(gzip.compress(b"pagefind_dcd" + text.encode("utf-8")))
        assert pagefind.fragment_url(str(tmp_path / name)) == odd["url"]
    # Only the start is decompressed when the URL is first: a fragment cut short (a whole read fails) still names it.
    whole = gzip.compress(b"pagefind_dcd" + json.dumps(
        {**odd, "content": "".join(chr(0x600 + i * 7919 % 200) for i in range(20000))}, **compact).encode("utf-8"))
    (tmp_path / "cut").write_bytes(whole[:len(whole) // 2])
    assert pagefind.fragment_url(str(tmp_path / "cut")) == odd["url"]

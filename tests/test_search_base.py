"""The search index's base is made by one Pagefind run per language, each reading only that language's searchable
pages, into one bundle whose entry file is merged (digest/build/searchlayers.py index_pages): the same bytes as one
run over the whole output folder, which held every page of both languages (and the listings) in one process's
memory. A large site's base is made in parts, no run reading more than PART_BYTES of pages."""
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
    assert runs == ["ar/{markup,rain,school,مطر-الخريف}/index.html", "en/{rain,school}/index.html"]
    whole, split = _files(tmp_path / "whole"), _files(tmp_path / "split")
    assert any(name.startswith("fragment/ar_") for name in split) and any(name.startswith("index/en_") for name in split)
    assert split.keys() == whole.keys()
    assert [name for name in whole if whole[name] != split[name]] == []
    assert pagefind.languages(tmp_path / "split") == {"ar": 4, "en": 2}
    assert searchlayers.part_folders(tmp_path / "split") == [tmp_path / "split"]  # small: one part


def _fragments(bundle: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (bundle / "fragment").iterdir()}


def test_a_large_base_is_made_in_parts_no_run_reading_more_than_its_share(built, tmp_path, monkeypatch):
    """Pagefind holds every page of a run in memory: with PART_BYTES a little over two article pages, the four
    Arabic pages are indexed two by two and the two English ones together, in two parts, each a bundle of its own
    that holds the same page fragments (the same ids) as one run over the whole site."""
    output, pages = built
    executable = pagefind_executable()
    assert pagefind.run(executable, output, tmp_path / "whole") is None
    sizes = {path: (output / path).stat().st_size for path in pages}
    monkeypatch.setattr(searchlayers, "PART_BYTES", max(sizes.values()) * 2 + 1)
    read: list[list[str]] = []
    real = pagefind.run

    def run(executable, site, out, cancel=None, *, glob=None):
        before = set(_runs_pages(site, glob))
        read.append(sorted(before))
        return real(executable, site, out, cancel, glob=glob)

    monkeypatch.setattr(pagefind, "run", run)
    (tmp_path / "parts").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "parts", None) is None
    assert all(sum(sizes[path] for path in run_pages) <= searchlayers.PART_BYTES for run_pages in read)
    assert sorted(path for run_pages in read for path in run_pages) == sorted(pages)  # each page read once
    folders = searchlayers.part_folders(tmp_path / "parts")
    assert folders == [tmp_path / "parts", tmp_path / "parts" / "part-1"]
    assert [pagefind.languages(folder) for folder in folders] == [{"ar": 2, "en": 2}, {"ar": 2}]
    merged: dict[str, bytes] = {}
    for folder in folders:
        assert (folder / "pagefind.js").is_file() and (folder / "wasm.ar.pagefind").is_file()
        merged.update(_fragments(folder))
    assert merged == _fragments(tmp_path / "whole")
    # make_base records the parts; every page's id is known, whichever part holds it.
    base, problem = searchlayers.make_base(executable, "binary", output, tmp_path / "cache", pages, None)
    assert problem is None and base.parts == [{"ar": 2, "en": 2}, {"ar": 2}]
    assert base.languages == {"ar": 4, "en": 2} and set(base.ids) == set(pages)
    assert searchlayers.load_base(tmp_path / "cache", "binary") == base


def _runs_pages(site: Path, glob: str | None) -> list[str]:
    """The output paths a run reads: those of its glob, or every HTML file of its site (a folder of links)."""
    import fnmatch

    files = [p.relative_to(site).as_posix() for p in site.rglob("*.html")]
    if glob is None:
        return files
    if "{" not in glob:
        return [f for f in files if fnmatch.fnmatch(f, glob)]
    head, rest = glob.split("{", 1)
    names, tail = rest.split("}", 1)
    return [f for f in files if f in {head + name + tail for name in names.split(",")}]


def test_pages_whose_names_do_not_make_a_glob_are_given_by_links(built, tmp_path, monkeypatch):
    output, pages = built
    executable = pagefind_executable()
    assert pagefind.run(executable, output, tmp_path / "whole") is None
    monkeypatch.setattr(searchlayers, "_GLOB_BYTES", 10)  # no list fits: every run reads hard links
    sites: list[Path] = []
    real = pagefind.run

    def run(executable, site, out, cancel=None, *, glob=None):
        sites.append(site)
        assert glob is None and sorted(_runs_pages(site, None)) == sorted(
            p for p in pages if p.startswith(("ar/", "en/")[len(sites) - 1]))
        return real(executable, site, out, cancel, glob=glob)

    monkeypatch.setattr(pagefind, "run", run)
    (tmp_path / "linked").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "linked", None) is None
    assert len(sites) == 2 and all(site != output and not site.exists() for site in sites)  # links removed
    assert _files(tmp_path / "linked") == _files(tmp_path / "whole")
    assert searchlayers._glob(["ar/a*b/index.html", "ar/c/index.html"]) is None  # glob syntax in a name
    assert searchlayers._glob(["ar/a/index.html", "ar/b/x/index.html"]) == "{ar/a/index.html,ar/b/x/index.html}"


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
    globs = ["ar/{markup,rain,school,مطر-الخريف}/index.html", "en/{rain,school}/index.html"]

    def clearing(executable, site, out, cancel=None, *, glob=None):
        shutil.rmtree(out, ignore_errors=True)
        return counting(executable, site, out, cancel, glob=glob)

    monkeypatch.setattr(pagefind, "run", clearing)
    (tmp_path / "fallback").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "fallback", None) is None
    assert runs == [*globs, None]
    assert _files(tmp_path / "fallback") == _files(tmp_path / "whole")
    # A run that indexed fewer pages than it was given (a glob that missed one): one run at once.
    monkeypatch.setattr(pagefind, "run", counting)
    real_languages = pagefind.languages
    monkeypatch.setattr(pagefind, "languages", lambda bundle: {k: v - 1 for k, v in real_languages(bundle).items()})
    runs.clear()
    (tmp_path / "short").mkdir()
    assert searchlayers.index_pages(executable, output, pages, tmp_path / "short", None) is None
    assert runs == [globs[0], None]
    assert _files(tmp_path / "short") == _files(tmp_path / "whole")


def test_pages_not_known_or_not_found_give_one_run(built, tmp_path, monkeypatch):
    output, pages = built
    runs = _runs(monkeypatch)
    nested = output / "ar" / "deeper" / "page"
    nested.mkdir(parents=True)
    shutil.copy(output / "ar" / "rain" / "index.html", nested / "index.html")
    cases = [None, {**pages, "top.html": "recipe"}, {**pages, "x/gone/index.html": "recipe"}]
    for number, known in enumerate(cases):
        (tmp_path / f"b{number}").mkdir()
        assert searchlayers.index_pages(pagefind_executable(), output, known, tmp_path / f"b{number}", None) is None
    assert runs == [None, None, None]
    assert pagefind.languages(tmp_path / "b0") == {"ar": 5, "en": 2}  # the whole folder: the nested copy too
    # A page at another depth is listed by its whole path.
    runs.clear()
    (tmp_path / "nested").mkdir()
    known = {**pages, "ar/deeper/page/index.html": "recipe"}
    assert searchlayers.index_pages(pagefind_executable(), output, known, tmp_path / "nested", None) is None
    assert runs[0] == "{" + ",".join(sorted(p for p in known if p.startswith("ar/"))) + "}"
    assert pagefind.languages(tmp_path / "nested") == {"ar": 5, "en": 2}


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


def _pagefind_children() -> list[int]:
    """Pagefind processes that are children of this test process."""
    import os

    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if "pagefind" in name and int(rest[1]) == os.getpid() and rest[0] != "Z":
            found.append(int(pid))
    return found


@pytest.mark.parametrize("how", ["cancel", "ctrl-c"])
def test_parts_made_at_once_all_stop_when_the_build_stops(built, tmp_path, monkeypatch, how):
    """Parts are indexed two at a time (threads, one Pagefind each). A cancel (serve starting a newer build) or a
    Ctrl-C while they run ends every Pagefind process at once and starts no further part; no staging is left."""
    import os
    import signal
    import threading
    import time

    output, pages = built
    monkeypatch.setattr(searchlayers, "PART_BYTES", 1)  # one page a part: 4 Arabic parts, the English in 2
    monkeypatch.setattr(searchlayers, "CONCURRENT_RUNS", 2)
    cancel, started = threading.Event(), []
    real = pagefind.run

    def slow_run(executable, site, out, cancel_=None, *, glob=None):
        started.append(glob)
        if len(started) == 2:  # both threads are in a run: stop now, while the second one starts
            threading.Timer(0.3, cancel.set if how == "cancel" else lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        return real(executable, site, out, cancel_, glob=glob) if len(started) > 2 else _held(cancel_)

    def _held(stop) -> str | None:
        for _ in range(200):  # a run that takes long, as a large part's does, until stopped
            if stop is not None and stop.is_set():
                return "was stopped (the build is stopping)"
            time.sleep(0.05)
        return "not stopped"

    monkeypatch.setattr(pagefind, "run", slow_run)
    (tmp_path / "b").mkdir()
    began = time.monotonic()
    if how == "cancel":
        assert searchlayers.index_pages(pagefind_executable(), output, pages, tmp_path / "b", cancel) == \
            "was stopped (the build is stopping)"
    else:
        with pytest.raises(KeyboardInterrupt):
            searchlayers.index_pages(pagefind_executable(), output, pages, tmp_path / "b", None)
    assert time.monotonic() - began < 5
    assert len(started) == 2  # no part started after the stop
    assert _pagefind_children() == []
    assert not list(tmp_path.glob("*-pages*"))

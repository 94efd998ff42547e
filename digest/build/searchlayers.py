"""The search index in two layers, like a log-structured merge tree: a base bundle of the whole site and a small
delta bundle of the pages changed since, which the search page merges (static/layered/pagefind.js).

- **Base**: Pagefind over the whole site's searchable pages (in parts on a large site: index_pages), written into
  the build cache (`.cache/digest/search-<output>/base-<id>/`) with a record (`base.json`) of the recipe of every
  searchable page it was made from and the id Pagefind gave each page. It is remade only when there is none (a
  cold cache, another Pagefind binary) or when the delta would pass DELTA_LIMIT pages; a full build into a fresh
  folder reuses it.
- **Delta**: Pagefind over hard links of the pages whose recipe differs from the base's (new and edited
  articles), made again by every build that changes one; with `layers.json`: the languages of each layer and the
  ids of the base's pages that the search must drop (edited in the delta, or removed from the site).
- **Published** in the output folder as `pagefind/` (the base's files, hard links of the cache's) with `pagefind/
  delta/` inside: a build that changes only the delta swaps that subfolder in one rename; a new base swaps the
  whole `pagefind/` (base and delta together), so a reader never sees a delta made for another base.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from digest.build import pagefind
from digest.build.output import exchange, write_atomic
from digest.build.store import digest_of

DELTA = "delta"  # the delta's folder inside the published bundle
LAYERS = "layers.json"  # in the delta folder: what the search page merges and drops
DELTA_LIMIT = 100  # pages changed since the base (edited, new or removed) above which the base is made again
_FORMAT = 2  # of base.json; another value (an older layout) makes the base again


class Base(NamedTuple):
    id: str  # a hash of what it holds: names its folder, and the delta says which base it was made for
    folder: Path
    pages: dict[str, str]  # searchable output path -> recipe, as the base was made from
    ids: dict[str, str]  # output path -> Pagefind page id, for every page the base holds
    languages: dict[str, int]  # language -> pages, in all its parts
    parts: list[dict[str, int]]  # language -> pages of each part (index_pages), part 0 first


class Delta(NamedTuple):
    changed: dict[str, str]  # searchable output path -> recipe, where it differs from the base's
    removed: list[str]  # pages the base holds that the site no longer has
    tag: str  # names this delta (for the base it was planned against): equal tags, equal bundles

    def size(self) -> int:
        return len(self.changed) + len(self.removed)


def index_folder(cache: Path, output_dir: Path) -> Path:
    """The search layers' folder in the build cache, one per output folder (like the build state)."""
    return cache / f"search-{digest_of(str(output_dir.resolve()))[:16]}"


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# --- the base ------------------------------------------------------------------------------------------------
def load_base(folder: Path, binary: str) -> Base | None:
    """The base recorded in the cache, if it is complete and made by this Pagefind binary."""
    record = read_json(folder / "base.json")
    try:
        if record.get("format") != _FORMAT or record.get("binary") != binary:
            return None
        base = Base(record["id"], folder / f"base-{record['id']}", dict(record["pages"]), dict(record["ids"]),
                    dict(record["languages"]), [dict(part) for part in record["parts"]])
    except (KeyError, TypeError, ValueError):
        return None
    return base if (base.folder / "pagefind.js").is_file() else None


def make_base(executable: Path, binary: str, output_dir: Path, folder: Path, pages: dict[str, str] | None,
              cancel: threading.Event | None) -> tuple[Base | None, str | None]:
    """Pagefind over the searchable pages (index_pages) into a new base in the cache; (base, None) or (None,
    problem).
    `pages`: the recipes of the searchable pages it is made from; None when unknown: the pages Pagefind found,
    with no recipe (the next build that knows them makes the base again)."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".base-", dir=folder))
    try:
        problem = index_pages(executable, output_dir, pages, staging, cancel)
        if problem is not None:
            return None, problem
        previous = read_json(folder / "base.json").get("ids") or {}
        known = {page_id: path for path, page_id in previous.items()} if isinstance(previous, dict) else {}
        folders = part_folders(staging)
        ids = {path: page_id for part in folders for path, page_id in pagefind.page_ids(part, known).items()}
        recipes = dict(pages) if pages is not None else dict.fromkeys(ids, "")
        parts = [pagefind.languages(part) for part in folders]
        languages = {lang: sum(part.get(lang, 0) for part in parts) for lang in sorted(set().union(*parts))}
        # Named by what it holds: the same pages give the same base, and the same published bytes.
        entries = [(part / "pagefind-entry.json").read_bytes() for part in folders]
        base_id = digest_of(binary, entries, sorted(ids.items()))[:12]
        base = Base(base_id, folder / f"base-{base_id}", recipes, ids, languages, parts)
        if not base.folder.is_dir():
            os.rename(staging, base.folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_json(folder / "base.json", {"format": _FORMAT, "id": base.id, "binary": binary, "pages": base.pages,
                                      "ids": base.ids, "languages": base.languages, "parts": base.parts})
    remove_unused(folder, base.id)
    return base, None


def index_pages(executable: Path, output_dir: Path, pages: dict[str, str] | None, bundle: Path,
                cancel: threading.Event | None) -> str | None:
    """Pagefind over the searchable `pages` of the output into the folder `bundle`, in parts (`part_folders`):
    Pagefind keeps what it read of every page of a run until it writes the bundle (~150 KB per article page: 5,000
    Arabic articles took 741 MiB in one run, 30,000 would not fit a CI runner), so no run reads more than
    PART_BYTES of pages; a language with more is split into consecutive chunks, chunk i in part i. A part is a
    whole bundle, one run per language into one folder, their entry files merged (the same bytes as one run over
    those pages); parts are made two at a time; the search page merges them (static/layered/pagefind.js). Each run is given its pages by
    a glob listing them, or by hard links of them where the list would not make a safe glob. One run over the
    whole output folder when the pages are not known or cannot be read, or when a run did not index the pages it
    was given or the runs' bundle of a part is not what one run would have written."""
    parts = plan_parts(output_dir, pages) if pages else None
    if parts is not None:
        links = bundle.with_name(bundle.name + "-pages")  # beside the bundle: never inside a part
        problems = _index_parts(executable, output_dir, parts, bundle, links, cancel)
        found = [problem for problem in problems if problem is not None and problem is not _NOT_AS_PLANNED]
        if found:
            return found[0]
        if all(problem is None for problem in problems):
            return None
        shutil.rmtree(bundle, ignore_errors=True)  # not what the runs should write: made again, as one run
    return pagefind.run(executable, output_dir, bundle, cancel)


_NOT_AS_PLANNED = "the runs did not write what one run over their pages would"


class _Stop(threading.Event):
    """Set by the parts' caller when it stops early; also set when the build's own `cancel` is."""

    def __init__(self, cancel: threading.Event | None) -> None:
        super().__init__()
        self.cancel = cancel

    def is_set(self) -> bool:
        return super().is_set() or (self.cancel is not None and self.cancel.is_set())


def _index_parts(executable: Path, output_dir: Path, parts: list[dict[str, list[str]]], bundle: Path,
                 links: Path, cancel: threading.Event | None) -> list[str | None]:
    """Each part's runs (_index_part), CONCURRENT_RUNS parts at a time: a Pagefind run keeps ~1.4 cores busy, two
    at once finish the base of 5,000 articles in 8-11 s instead of 13.5-14.6 s. Their processes are ended at once
    when the caller stops (Ctrl-C, an error) or `cancel` is set."""
    stop = _Stop(cancel)
    runs = ThreadPoolExecutor(max_workers=CONCURRENT_RUNS)
    try:
        futures = [runs.submit(_index_part, executable, output_dir, part, bundle / part_name(number) if number
                               else bundle, links.with_name(f"{links.name}-{number}"), stop)
                   for number, part in enumerate(parts)]
        return [future.result() for future in futures]
    except BaseException:
        stop.set()  # each run in progress kills its Pagefind within a fifth of a second (pagefind.run)
        raise
    finally:
        runs.shutdown(wait=True, cancel_futures=True)


def _index_part(executable: Path, output_dir: Path, part: dict[str, list[str]], folder: Path, links: Path,
                cancel: threading.Event | None) -> str | None:
    """One run per top folder of `part` into `folder`, their entry files merged. None when that is done, else
    Pagefind's problem or _NOT_AS_PLANNED (a page left out, or a run that removed another's files)."""
    entries = []
    for paths in part.values():
        if cancel is not None and cancel.is_set():
            return pagefind.STOPPED  # before starting a run
        problem = _run_on(executable, output_dir, paths, folder, links, cancel)
        if problem is not None:
            return problem
        entries.append(read_json(folder / "pagefind-entry.json"))  # this run's languages alone
        if sum(pagefind.languages(folder).values()) != len(paths):
            return _NOT_AS_PLANNED
    return None if pagefind.merge_entries(entries, folder) is None else _NOT_AS_PLANNED


PART_BYTES = 10 << 20  # of HTML read by one Pagefind run at most: ~900 article pages, ~160 MiB of its memory
CONCURRENT_RUNS = max(1, min(2, os.cpu_count() or 1))  # parts indexed at once (two runs: ~320 MiB together)
PART_PREFIX = "part-"  # part i > 0 of a base: the folder part-i inside it (part 0 is the base's own folder)
_GLOB_BYTES = 64 << 10  # a glob listing a run's pages stays well below Linux's 128 KiB limit on one argument
_GLOB_SAFE = re.compile(r"[\w-]+(?:/[\w.-]+)*")  # path names without glob syntax (slugs are \w and -)


def part_name(number: int) -> str:
    return f"{PART_PREFIX}{number}"


def part_folders(bundle: Path) -> list[Path]:
    """The folders of a bundle's parts, part 0 (the bundle's own folder) first."""
    found = [bundle]
    while (bundle / part_name(len(found))).is_dir():
        found.append(bundle / part_name(len(found)))
    return found


def plan_parts(output_dir: Path, pages: dict[str, str]) -> list[dict[str, list[str]]] | None:
    """The runs that index `pages`: part -> top folder (a language: ar/, en/) -> its pages in that part: a top
    folder's pages, in order, in chunks of at most PART_BYTES (or one page). None when a page is not in a top
    folder or cannot be read (then one run over the whole output folder decides)."""
    by_top: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(pages):
        if "/" not in path:
            return None
        try:
            size = os.stat(output_dir / path).st_size
        except OSError:
            return None
        by_top.setdefault(path.split("/", 1)[0], []).append((path, size))
    parts: list[dict[str, list[str]]] = []
    for top, sized in by_top.items():
        chunks: list[list[str]] = [[]]
        filled = 0
        for path, size in sized:  # in order; a page that would pass PART_BYTES starts the next chunk
            if chunks[-1] and filled + size > PART_BYTES:
                chunks.append([])
                filled = 0
            chunks[-1].append(path)
            filled += size
        for number, chunk in enumerate(chunks):
            if number == len(parts):
                parts.append({})
            parts[number][top] = chunk
    return parts


def _run_on(executable: Path, output_dir: Path, paths: list[str], folder: Path, links: Path,
            cancel: threading.Event | None) -> str | None:
    """One Pagefind run over the pages `paths` of the output into `folder`: given by a glob listing them when
    their names hold no glob syntax and the list is short enough, else by hard links at their own paths (their
    URLs) in the folder `links`, removed after."""
    glob = _glob(paths)
    if glob is not None and len(glob.encode("utf-8")) <= _GLOB_BYTES:
        return pagefind.run(executable, output_dir, folder, cancel, glob=glob)
    try:
        pagefind.link_pages(output_dir, paths, links)
        return pagefind.run(executable, links, folder, cancel)
    finally:
        shutil.rmtree(links, ignore_errors=True)


def _glob(paths: list[str]) -> str | None:
    """A glob matching `paths` alone (`ar/{a,b}/index.html` when they share a folder and a file name), None when
    a name holds glob syntax."""
    if not all(_GLOB_SAFE.fullmatch(path) for path in paths):
        return None
    if len(paths) == 1:
        return paths[0]
    split = [path.split("/") for path in paths]
    if all(len(parts) == 3 and parts[0] == split[0][0] and parts[2] == split[0][2] for parts in split):
        return f"{split[0][0]}/{{{','.join(parts[1] for parts in split)}}}/{split[0][2]}"
    return "{" + ",".join(paths) + "}"


def remove_unused(folder: Path, keep: str | None) -> None:
    """Bases other than the current one, and staging folders of runs that were killed."""
    for path in folder.glob("base-*"):
        if path.name != f"base-{keep}":
            shutil.rmtree(path, ignore_errors=True)
    for path in folder.glob(".base-*"):
        shutil.rmtree(path, ignore_errors=True)


# --- the delta -----------------------------------------------------------------------------------------------
def plan_delta(base: Base, pages: dict[str, str]) -> Delta:
    """What the delta must hold over `base` for the searchable `pages` ({path: recipe}) of the output."""
    changed = {path: recipe for path, recipe in pages.items() if base.pages.get(path) != recipe}
    removed = sorted(path for path in base.ids if path not in pages)
    tag = digest_of(base.id, sorted(changed.items()), removed)[:20]
    return Delta(changed, removed, tag)


def make_delta(executable: Path, output_dir: Path, base: Base, delta: Delta, into: Path,
               cancel: threading.Event | None) -> str | None:
    """The delta bundle of `delta` in the folder `into` (absent yet), with its layers.json; None or a problem."""
    site = into.with_name(into.name + "-pages")
    dropped = [base.ids[path] for path in [*delta.changed, *delta.removed] if path in base.ids]
    languages: dict[str, int] = {}
    try:
        # The changed pages only, by hard links at their own paths (their URLs).
        if pagefind.link_pages(output_dir, sorted(delta.changed), site):
            problem = pagefind.run(executable, site, into, cancel)
            if problem is not None:
                return problem
            languages = pagefind.languages(into)
            own = set(pagefind.page_ids(into).values())
            dropped = [page_id for page_id in dropped if page_id not in own]  # a page whose text did not change
        else:
            into.mkdir(parents=True)
    finally:
        shutil.rmtree(site, ignore_errors=True)
    # The base's part 0 is the bundle's own folder; the search page merges its other parts and the delta.
    write_json(into / LAYERS, {"base": base.id, "tag": delta.tag, "languages": {
        "base": sorted(base.parts[0]), DELTA: sorted(languages)}, "parts": [
        {"path": f"{part_name(number)}/", "languages": sorted(part)} for number, part in enumerate(base.parts) if number],
        "drop": sorted(set(dropped))})
    return None


# --- publishing in the output folder -------------------------------------------------------------------------
def published(bundle: Path) -> tuple[str | None, str | None]:
    """(base id, delta tag) of the bundle in the output folder, (None, None) if there is none we made."""
    layers = read_json(bundle / DELTA / LAYERS)
    if not (bundle / "pagefind.js").is_file():
        return None, None
    return layers.get("base"), layers.get("tag")


def publish(bundle: Path, base: Base, delta_folder: Path, staging: Path) -> None:
    """Put `delta_folder` (made in `staging`, beside the output folder) in place: only the delta when the output
    has this base already, else the base (hard links of the cache's files) and the delta together."""
    if published(bundle)[0] == base.id and (bundle / DELTA).is_dir():
        _swap(delta_folder, bundle / DELTA, staging)
        return
    whole = staging / "bundle"
    pagefind.link_tree(base.folder, whole)
    shutil.rmtree(whole / DELTA, ignore_errors=True)
    os.rename(delta_folder, whole / DELTA)
    _swap(whole, bundle, staging)


def _swap(new: Path, final: Path, staging: Path) -> None:
    """`new` becomes `final` in one step; the old one ends inside `staging` (removed with it)."""
    if final.is_dir() and exchange(new, final):
        return  # `new` now holds the old folder, inside staging
    if final.exists():
        os.rename(final, staging / "old")
    os.rename(new, final)

"""The search index in two layers, like a log-structured merge tree: a base bundle of the whole site and a small
delta bundle of the pages changed since, which the search page merges (static/layered/pagefind.js).

- **Base**: Pagefind over the whole output folder, written into the build cache (`.cache/digest/search-<output>/
  base-<id>/`) with a record (`base.json`) of the recipe of every searchable page it was made from and the id
  Pagefind gave each page. It is remade only when there is none (a cold cache, another Pagefind binary) or when
  the delta would pass DELTA_LIMIT pages; a full build into a fresh folder reuses it.
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
from pathlib import Path
from typing import NamedTuple

from digest.build import pagefind
from digest.build.output import exchange, write_atomic
from digest.build.store import digest_of

DELTA = "delta"  # the delta's folder inside the published bundle
LAYERS = "layers.json"  # in the delta folder: what the search page merges and drops
DELTA_LIMIT = 100  # pages changed since the base (edited, new or removed) above which the base is made again
_FORMAT = 1  # of base.json; another value (an older layout) makes the base again


class Base(NamedTuple):
    id: str  # a hash of what it holds: names its folder, and the delta says which base it was made for
    folder: Path
    pages: dict[str, str]  # searchable output path -> recipe, as the base was made from
    ids: dict[str, str]  # output path -> Pagefind page id, for every page the base holds
    languages: dict[str, int]


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
                    dict(record["languages"]))
    except (KeyError, TypeError, ValueError):
        return None
    return base if (base.folder / "pagefind.js").is_file() else None


def make_base(executable: Path, binary: str, output_dir: Path, folder: Path, pages: dict[str, str] | None,
              cancel: threading.Event | None) -> tuple[Base | None, str | None]:
    """Pagefind over the whole output folder into a new base in the cache; (base, None) or (None, problem).
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
        ids = pagefind.page_ids(staging, known)
        recipes = dict(pages) if pages is not None else dict.fromkeys(ids, "")
        # Named by what it holds: the same pages give the same base, and the same published bytes.
        base_id = digest_of(binary, (staging / "pagefind-entry.json").read_bytes(), sorted(ids.items()))[:12]
        base = Base(base_id, folder / f"base-{base_id}", recipes, ids, pagefind.languages(staging))
        if not base.folder.is_dir():
            os.rename(staging, base.folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_json(folder / "base.json", {"format": _FORMAT, "id": base.id, "binary": binary, "pages": base.pages,
                                      "ids": base.ids, "languages": base.languages})
    remove_unused(folder, base.id)
    return base, None


def index_pages(executable: Path, output_dir: Path, pages: dict[str, str] | None, bundle: Path,
                cancel: threading.Event | None) -> str | None:
    """Pagefind over the searchable `pages` of the output into the folder `bundle`: one run per top folder (a
    language: ar/, en/) into the same folder, each given only the files of the searchable pages' shape there
    (`ar/*/index.html`: the articles, and the search and archive pages, which it reads and leaves out), the entry
    file merged. The same bytes as one run over the whole output folder, in ~60 % of its peak memory: Pagefind
    keeps what it read of every page until it writes the bundle, listings included (5,000 bilingual articles:
    1,208 MiB for one run over 12,256 HTML files, 723 MiB for the Arabic articles, 579 MiB for the English).
    One run over the whole folder when the pages are not known or not of one shape per folder, when a run did not
    index as many pages as its folder has searchable ones, or when the runs' bundle is not what one run would have
    written."""
    globs: dict[str, set[str]] = {}
    found: dict[str, bool] = {}
    counts: dict[str, int] = {}
    for path in pages or ():
        top, *middle, name = path.split("/") if "/" in path else ("", path)
        counts[top] = counts.get(top, 0) + 1
        globs.setdefault(top, set()).add("/".join([top, *("*" for _ in middle), name]) if middle else "")
        # A run must find a searchable page (data-pagefind-body), else Pagefind would index every page it reads.
        found[top] = found.get(top) or (output_dir / path).is_file()
    if globs and all(len(shapes) == 1 and _GLOB_SAFE.fullmatch(next(iter(shapes))) and found[top]
                     for top, shapes in globs.items()):
        entries = []
        for top in sorted(globs):
            problem = pagefind.run(executable, output_dir, bundle, cancel, glob=next(iter(globs[top])))
            if problem is not None:
                return problem
            entries.append(read_json(bundle / "pagefind-entry.json"))
            if sum(pagefind.languages(bundle).values()) != counts[top]:
                break  # the glob missed a searchable page (or Pagefind left one out): one run decides
        else:
            if pagefind.merge_entries(entries, bundle) is None:
                return None
        shutil.rmtree(bundle, ignore_errors=True)  # not what one run writes: made again, as one run
    return pagefind.run(executable, output_dir, bundle, cancel)


_GLOB_SAFE = re.compile(r"[A-Za-z0-9_-]+(/\*)+/[A-Za-z0-9_.-]+")  # a folder, one or more levels, a file name


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
    write_json(into / LAYERS, {"base": base.id, "tag": delta.tag, "languages": {
        "base": sorted(base.languages), DELTA: sorted(languages)}, "drop": sorted(set(dropped))})
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

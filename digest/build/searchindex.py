"""Post-write step: the search index. Pagefind's bundle in output/pagefind/, in two layers (searchlayers.py).

Pagefind (PyPI `pagefind[bin]`, pinned; digest/build/pagefind.py) reads the pages that carry `data-pagefind-body`
(article pages: templates/article.html marks the article; their page kind declares them `searchable`), splits
them by `<html lang>` into an Arabic and an English index (each with its own Snowball stemmer) and writes the
bundle the search pages load (templates/search.html, static/search.js, static/layered/pagefind.js).

Pagefind has no incremental mode and costs ~2 ms per page, so a whole-site run after every build would cost a
one-article edit 10-20 s at 5,000 articles. Instead the index is a base bundle of the whole site, kept in the build
cache and remade rarely, plus a delta bundle of the pages changed since (tens of milliseconds), which the search
page merges, dropping the base's results for pages the delta replaced or the site removed. Which pages changed is
known without reading them: every output file has a recipe (the hash of what it is made from, digest/site/pages.py),
and the base records the recipe of each page it holds.

The step is kept cheap and safe:
- A build that committed nothing new, with the index made for its output, costs one small file read.
- Everything is written beside the output and swapped in with one rename; staging left by a killed run is
  removed by the next one.
- Never fatal: Pagefind missing, failing or too slow is one warning line; the pages are published, search keeps
  the previous index (if any), and the next build tries again.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, ContextManager

from digest.build import pagefind, searchlayers
from digest.build.pagefind import pagefind_executable
from digest.build.report import Clock
from digest.build.searchlayers import DELTA, Base, index_folder, published, read_json, write_json
from digest.build.store import cache_dir
from digest.config import Config
from digest.site import SEARCH_BUNDLE as BUNDLE

STALE = "pages changed while indexing"  # update_index's answer when it did not swap in (serve/watch runs again)
STAMP = "index.json"  # in the layers' folder: which build's output the published index was made for

Log = Callable[[str], None]
Pages = Callable[[], "dict[str, str] | None"]  # the committed output's searchable pages: {path: recipe}
Committed = tuple[str, Pages]  # (token of the committed build state, its searchable pages)

__all__ = ["BUNDLE", "STALE", "BackgroundIndex", "pagefind_executable", "search_index", "update_index"]


def search_index(config: Config, clock: Clock, log: Log, committed: Committed, *,
                 later: "BackgroundIndex | None") -> None:
    """The pipeline's post-write step: one progress line; a problem is one warning line (`log`, even when quiet).
    `committed`: the output the build left (Session.search_pages). `later` (serve/watch): the index is made in
    that background thread, so a save is never kept waiting by it."""
    if later is not None:
        later.request(config.output_dir, cache_dir(config.output_dir), committed)
        clock.done("search", "index left to the background")
        return
    done = update_index(config.output_dir, cache_dir(config.output_dir), committed, warn=log, cancel=clock.cancel)
    clock.done("search", done)


class BackgroundIndex:
    """serve/watch: the index is made in a thread of its own after each build, never holding up the next save.
    Pagefind reads the pages while no lock is held; the new index is swapped in under `hold()` (the server's build
    lock: no build writes meanwhile) only if no build committed during the run, else the run starts again (a base
    made meanwhile is kept: it records the recipes it was made from, so the next delta covers what changed). One
    run at a time; a build finishing during a run asks for one more. `stop` set: the run in progress is killed."""

    def __init__(self, warn: Log, hold: Callable[[], ContextManager], stop: threading.Event | None = None):
        self.warn, self.hold, self.stop = warn, hold, stop
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._target: tuple[Path, Path, Committed] | None = None

    def request(self, output_dir: Path, cache: Path, committed: Committed) -> None:
        with self._guard:
            self._target = (output_dir, cache, committed)
            if self._thread is not None:
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
            self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _latest(self) -> str | None:
        with self._guard:
            return self._target[2][0] if self._target else None

    def _run(self) -> None:
        while True:
            with self._guard:
                self._again = False
                output_dir, cache, committed = self._target
            try:
                if update_index(output_dir, cache, committed, warn=self.warn, cancel=self.stop, hold=self.hold,
                                latest=self._latest) == STALE:
                    self._again = True
            except Exception as exc:  # noqa: BLE001 - the server keeps going; the next build tries again
                self.warn(f"warning: search index not updated: {type(exc).__name__}: {exc}")
            with self._guard:
                if not self._again or (self.stop is not None and self.stop.is_set()):
                    self._thread = None
                    return


def update_index(output_dir: Path, cache: Path, committed: Committed, *, warn: Log,
                 cancel: threading.Event | None = None, hold: Callable[[], ContextManager] = nullcontext,
                 latest: Callable[[], str | None] | None = None) -> str:
    """Bring output/pagefind/ in step with the committed output. Returns what was done, for the progress line.
    `cancel` set (serve/watch stopping): nothing is started, a run is killed; the next build indexes.
    `hold()`: held while the index is swapped in, which happens only if `latest()` (the token of the last committed
    build) is still `committed`'s, else STALE is returned."""
    output_dir = Path(output_dir).resolve()
    token, pages_of = committed
    folder = searchlayers.index_folder(cache, output_dir)
    bundle = output_dir / BUNDLE
    stamp = read_json(folder / STAMP)
    if stamp.get("token") == token and stamp.get("output") == str(output_dir) and token \
            and published(bundle) == (stamp.get("base"), stamp.get("tag")) and stamp.get("base"):
        return "index unchanged"
    if cancel is not None and cancel.is_set():
        return "left for the next build (stopping)"
    executable = pagefind_executable()
    if executable is None:
        warn("warning: search index not updated: Pagefind is not installed (pip install -r requirements.txt); "
             "the pages are published, search keeps the previous index (if any) until a build with Pagefind")
        return "not built (no Pagefind)"
    with _IndexLock(folder):
        binary = pagefind.binary_identity(executable, folder / "binary.json")
        pages = pages_of()  # None: a saved state that cannot say which pages are searchable
        base = searchlayers.load_base(folder, binary) if pages is not None else None
        delta = searchlayers.plan_delta(base, pages) if base is not None else None
        said = []
        if base is None or delta.size() > searchlayers.DELTA_LIMIT:
            reason = "none yet" if base is None else f"{delta.size()} pages changed since the last"
            base, problem = searchlayers.make_base(executable, binary, output_dir, folder, pages, cancel)
            if problem is not None:
                return _failed(warn, problem)
            delta = searchlayers.plan_delta(base, base.pages if pages is None else pages)
            said.append(f"base made ({reason}): {_languages(base)}")
        if published(bundle) == (base.id, delta.tag):
            _stamp(folder, output_dir, token, base, delta)
            return "; ".join(said) or "index unchanged (no searchable page changed)"
        problem = _make_and_publish(executable, output_dir, base, delta, cancel, hold, latest, token)
        if problem == STALE:
            return STALE
        if problem is not None:
            return _failed(warn, problem)
        _stamp(folder, output_dir, token, base, delta)
    if not said:
        said.append(f"base {_languages(base)}")
    said.append(f"delta {len(delta.changed)} pages, {len(delta.removed)} removed")
    return "indexed (" + "; ".join(said) + ")"


def _make_and_publish(executable: Path, output_dir: Path, base: Base, delta: searchlayers.Delta,
                      cancel: threading.Event | None, hold: Callable[[], ContextManager],
                      latest: Callable[[], str | None] | None, token: str) -> str | None:
    """The delta bundle made beside the output, then published (with the base when the output lacks it)."""
    _remove_leftovers(output_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.search-", dir=output_dir.parent))
    try:
        problem = searchlayers.make_delta(executable, output_dir, base, delta, staging / DELTA, cancel)
        if problem is not None:
            return problem
        with hold():
            if latest is not None and latest() != token:  # a build committed while Pagefind ran
                return STALE
            searchlayers.publish(output_dir / BUNDLE, base, staging / DELTA, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return None


def _failed(warn: Log, problem: str) -> str:
    warn(f"warning: search index not updated: Pagefind {problem}; the pages are published, search shows the "
         "previous index (if any) until the next build")
    return "failed"


def _stamp(folder: Path, output_dir: Path, token: str, base: Base, delta: searchlayers.Delta) -> None:
    try:
        write_json(folder / STAMP, {"output": str(output_dir), "token": token, "base": base.id, "tag": delta.tag})
    except OSError:  # a cache we cannot write: the next build checks again
        pass


def _languages(base: Base) -> str:
    said = ", ".join(f"{lang} {count} pages" for lang, count in base.languages.items()) or "no pages"
    return f"{said} in {len(base.parts)} parts" if len(base.parts) > 1 else said


def _remove_leftovers(output_dir: Path) -> None:
    """Staging folders of an index run that was killed."""
    for path in output_dir.parent.glob(f".{output_dir.name}.search-*"):
        shutil.rmtree(path, ignore_errors=True)


class _IndexLock:
    """One index run at a time per output folder, across processes (a `build` beside a `serve`): an flock on a
    file in the layers' folder, waited for."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self) -> "_IndexLock":
        self.folder.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except ImportError:  # Windows: no flock
            pass
        # write_atomic's temporary files of a run killed mid-write (no other run writes here while we hold the lock)
        for leftover in self.folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)  # closing the descriptor releases the flock

"""Page rendering and per-article work, in a fork pool of worker processes when there is much of it.

Why a module of its own: the pool's plumbing (module-level work table read by forked workers, signal
handling, batching, the compiled-template cache folder) is independent of what the pipeline renders;
build() just hands it a list of page jobs.
"""
from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path
from typing import Callable, Iterator

from digest.build.output import check_relative
from digest.build.pagecache import PageCache, compress
from digest.build.store import code_version
from digest.config import Config
from digest.site.pages import RenderContext, render_jobs
from digest.site.render import PageRenderer, make_environment


# --- rendering, in worker processes when there is much of it -------------------------------------------------------
_WORK: dict = {}
_PARALLEL_MIN = 200  # below this many items the pool's start-up costs more than it saves


def _workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def parallel(func, items: list[tuple], min_items: int = _PARALLEL_MIN):
    """func(*item) for every item; in a fork pool when there are at least `min_items` (results in order)."""
    if len(items) < min_items or _workers() == 1:
        return [func(*item) for item in items]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (_workers() * 8))
    with _pool(ctx) as pool:
        return pool.starmap(func, items, chunksize=chunk)


def render_pages(config: Config, root: Path, jobs: list[tuple], views, cache: Path,
                 check: Callable[[], None] = lambda: None, *, pages: PageCache | None = None,
                 keys: dict[tuple, list[tuple[str, str]]] | None = None) -> int:
    """Render page jobs ((page kind, *arguments), digest/site/pages.py) into `root`; `views` gives the page models.
    `check()` runs after each batch of the pool; an exception from it stops the pool's workers.

    `keys`: per job, (output path, page key) of each file it makes: a job whose files are all in the page cache
    `pages` is written from there instead of rendered, and what is rendered is added to it."""
    if not jobs:
        return 0
    _WORK.update(config=config, root=root, views=views, bytecode_dir=_bytecode_dir(cache), pages=pages,
                 keys=keys or {})
    try:
        if len(jobs) < _PARALLEL_MIN or _workers() == 1:
            count, made = _render_jobs(jobs)
            if pages is not None:
                pages.put_many(made)
            return count
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        # Contiguous runs of one kind (articles first: one cache read per run), then the home pages.
        size = max(20, len(jobs) // (_workers() * 6))
        batches = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        rendered = 0
        with _pool(ctx) as pool:  # leaving it ends the workers (terminates them if the build stops)
            for count, made in pool.imap_unordered(_render_jobs, batches):
                rendered += count
                if pages is not None:
                    pages.put_many(made)
                check()
        return rendered
    finally:
        _WORK.clear()


def _bytecode_dir(cdir: Path) -> str:
    """Compiled templates of this code version (older versions' folders are removed)."""
    import shutil

    folder = cdir / "templates" / code_version()[:20]
    if not folder.is_dir():
        shutil.rmtree(cdir / "templates", ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


# Ctrl-C and SIGTERM: the parent's handlers stop the build; a worker ignores the one and dies of the other.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _pool(ctx) -> Iterator:
    """A worker pool that ends gracefully when the work is done (close, then join: each worker takes its stop
    sentinel and exits) and is terminated only when the work stops early (cancel, error, Ctrl-C, SIGTERM).

    Why not `with ctx.Pool(...)`: its __exit__ always terminates, which holds the task queue's lock while it
    signals the workers; a worker that misses its SIGTERM then waits forever on that lock, and so does the build.

    Why the workers are forked with the stop signals blocked: a forked worker starts with the parent's handlers
    (generate.py turns SIGTERM into KeyboardInterrupt) until its initializer runs, and CPython drops a signal that
    arrives before the child runs any Python code (it clears the pending flags after fork). So terminate() reaching
    a worker that had not run yet (machine under load) was lost: the worker lived on, blocked on the lock, and the
    build waited for it forever (seen once in ~20 builds under heavy load; reproduced by delaying the workers'
    first run). Blocked, the signal waits in the kernel until _worker_signals has set the worker's own handlers
    and unblocks it. The stop signals are also held while the pool is terminated, so a
    second Ctrl-C cannot leave it half ended."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        pool = ctx.Pool(_workers(), initializer=_worker_signals)  # the pool's threads keep the block: harmless
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a signal that came meanwhile is raised here
        yield pool
        pool.close()
        pool.join()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pool.terminate()  # kills the workers and joins them
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent (which stops the pool) and die quietly when the pool ends. The stop
    signals are blocked from the fork (see _pool) until these handlers are in place."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _render_jobs(jobs: list[tuple]) -> tuple[int, list[tuple[str, bytes]]]:
    """Write the files of `jobs`: from the page cache when it has all of a job's files, else rendered. Returns
    the number of files written and (page key, compressed bytes) of those rendered, for the parent to cache."""
    config, root, pages, keys = _WORK["config"], _WORK["root"], _WORK["pages"], _WORK["keys"]
    cached: dict[str, bytes] = {}
    if pages is not None:
        cached = pages.get_many(key for job in jobs for _, key in keys.get(job, ()))
    todo = [job for job in jobs if not (job in keys and all(key in cached for _, key in keys[job]))]
    made: list[tuple[str, bytes]] = []
    written = _Writer(str(root))
    for job in jobs:
        if job in keys and job not in todo:
            for rel, key in keys[job]:
                written(rel, cached[key])
    if todo:
        renderer = _WORK.get("renderer")
        if renderer is None:
            # Templates compiled once per process, or not at all when the compiled form is in the cache.
            renderer = _WORK["renderer"] = PageRenderer(config, make_environment(config, _WORK["bytecode_dir"]))
        key_of = {rel: key for job in todo for rel, key in keys.get(job, ())} if pages is not None else {}
        for rel, data in render_jobs(RenderContext(renderer, _WORK["views"]), todo):
            written(rel, data)
            if rel in key_of:
                made.append((key_of[rel], compress(data)))
    return written.count, made


class _Writer:
    """Writes files below one folder, each parent folder made once."""

    def __init__(self, base: str):
        self.base, self.count = base, 0
        self.made: set[str] = set()

    def __call__(self, rel: str, data: bytes) -> None:
        check_relative(rel)  # refuses a path leaving the output folder
        path = os.path.join(self.base, rel)
        parent = os.path.dirname(path)
        if parent not in self.made:
            try:
                os.mkdir(parent)  # one call for the usual case, a new folder in an existing one
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(parent, exist_ok=True)
            self.made.add(parent)
        with open(path, "wb") as handle:
            handle.write(data)
        self.count += 1

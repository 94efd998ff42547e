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

from digest.build.output import OutputError, check_relative
from digest.build.pagecache import PageCache, compress
from digest.build.store import code_version
from digest.config import Config
from digest.site.pages import RenderContext, render_jobs
from digest.site.render import PageRenderer, make_environment


# --- rendering, in worker processes when there is much of it -------------------------------------------------------
_WORK: dict = {}
_PARALLEL_MIN = 200  # below this many items the pool's start-up costs more than it saves
# The parent waits for its workers in slices of this many seconds, never unbounded: a Ctrl-C or SIGTERM that lands
# in the instant between the interpreter's last check for signals and the blocking wait on the pool's lock only
# runs its handler when that wait ends, and with workers busy (or stalled) for long it did not end: a build
# ignored SIGTERM for 120 s under load (tests/test_interrupts.py, 2 runs in ~50). A slice's end runs it.
_WAKE = 0.25


def _workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def parallel(func, items: list[tuple], min_items: int = _PARALLEL_MIN):
    """func(*item) for every item; in a fork pool when there are at least `min_items` (results in order)."""
    if len(items) < min_items or _workers() == 1:
        return [func(*item) for item in items]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (_workers() * 8))
    with _pool(ctx) as (pool, check_workers):
        result = pool.starmap_async(_unless_stopped, [(func, *item) for item in items], chunksize=chunk)
        while True:
            try:
                return result.get(timeout=_WAKE)
            except multiprocessing.TimeoutError:
                check_workers()  # (see _WAKE)


def _unless_stopped(func, *item):
    """func(*item) in a worker, unless the pool was stopped early (then nothing: the parent discards it)."""
    return None if _stopped() else func(*item)


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
        with _pool(ctx) as (pool, check_workers):  # leaving it ends the workers (an early stop: after their file)
            results = pool.imap_unordered(_render_jobs, batches)
            while True:
                try:
                    count, made = results.next(timeout=_WAKE)
                except StopIteration:
                    break
                except multiprocessing.TimeoutError:  # (see _WAKE)
                    check_workers()
                    check()
                    continue
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


class WorkerLost(OutputError):
    """A worker process ended abruptly (SIGKILL from the kernel's out-of-memory killer, say): its task's results
    will never come, so the build stops with this instead of waiting for them forever."""


# Ctrl-C and SIGTERM stop the build in the parent, which then ends its workers itself (they ignore both).
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_STOP_FLAG = None  # in a worker: the pool's shared stop flag (a byte in shared memory, set by the parent)


@contextlib.contextmanager
def _pool(ctx) -> Iterator:
    """A worker pool whose workers always end gracefully: when the work is done, and also when it stops early
    (cancel, error, Ctrl-C, SIGTERM): then the parent sets the stop flag, each worker ends the file it is on,
    skips the tasks left (_stopped) and takes its stop sentinel (close, then join).

    Why never Pool.terminate() (nor `with ctx.Pool(...)`, whose exit calls it): it SIGTERMs workers at any point,
    and a worker killed while holding one of the pool's queue locks (sending a result, or waiting for its next
    task) leaves the parent waiting forever for that lock; and CPython drops a SIGTERM that reaches a worker
    before it first ran (it clears pending signal flags after fork), so such a worker lived on, blocked on the
    task queue's lock that terminate() holds. Both were seen as builds hanging under load (forever in
    Pool.terminate's joins). Workers ignore SIGINT and SIGTERM (a Ctrl-C, `timeout` or a service stop signals
    the whole process group): the parent stops them this way; if the parent dies, their task queue closes and
    they exit.

    The stop signals are blocked while the workers are forked (each unblocks them once it ignores them: the
    parent's handlers, which a fork copies, never run in a worker) and while the pool is being ended (a second
    Ctrl-C cannot leave it half ended; it is raised right after).

    Yields the pool and `check_workers()`, which raises WorkerLost once a worker ended abruptly: the caller's
    waits call it every _WAKE seconds. (Not handled: a worker killed while it held a lock of the pool's queues;
    the kernel kills the largest process, a worker while it renders, not while it sends.)"""
    flag, started, size = ctx.RawValue("b", 0), ctx.Value("i", 0), _workers()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        pool = ctx.Pool(size, initializer=_worker_setup, initargs=(flag, started))  # its threads keep the block
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise

    def check_workers() -> None:
        if started.value > size:
            raise WorkerLost("a worker process of the build ended abruptly (killed by a signal: perhaps by the "
                             "system, for lack of memory); nothing was published")

    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a signal that came meanwhile is raised here
        yield pool, check_workers
    except BaseException:
        flag.value = 1
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            if started.value > size:
                # The lost worker's task never reports: the pool would wait for it at close() forever. What
                # is left is skipped (the stop flag) and no result is awaited any more.
                flag.value = 1
                pool._cache.clear()  # noqa: SLF001 - Pool has no public way to give up a task
            pool.close()
            pool.join()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _worker_setup(flag, started) -> None:
    """In each worker, first: stopping is the parent's (see _pool); the stop signals were blocked from the fork.
    `started` counts the workers ever started: the pool starts a new one only when one ended abruptly (workers
    end otherwise only at close()), and that one's task is lost (WorkerLost)."""
    global _STOP_FLAG
    _STOP_FLAG = flag
    with started.get_lock():
        started.value += 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _stopped() -> bool:
    """In a worker: whether the parent stopped the pool early (what is left is skipped)."""
    return _STOP_FLAG is not None and _STOP_FLAG.value != 0


def _render_jobs(jobs: list[tuple]) -> tuple[int, list[tuple[str, bytes]]]:
    """Write the files of `jobs`: from the page cache when it has all of a job's files, else rendered. Returns
    the number of files written and (page key, compressed bytes) of those rendered, for the parent to cache."""
    config, root, pages, keys = _WORK["config"], _WORK["root"], _WORK["pages"], _WORK["keys"]
    if _stopped():
        return 0, []
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
            if _stopped():  # the build stopped: the rest of this batch is not wanted
                break
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

"""Page rendering and per-article work, in a fork pool of worker processes when there is much of it.

Why a module of its own: the pool's plumbing (module-level work table read by forked workers, signal
handling, batching, the compiled-template cache folder) is independent of what the pipeline renders;
build() just hands it a list of page jobs.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from digest.build.output import safe_join
from digest.build.store import code_version
from digest.config import Config
from digest.site.pages import RenderContext, render_jobs
from digest.site.render import PageRenderer, make_environment


# --- rendering, in worker processes when there is much of it -------------------------------------------------------
_WORK: dict = {}
_PARALLEL_MIN = 200  # below this many items the pool's start-up costs more than it saves


def _workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def parallel(func, items: list[tuple]):
    """func(*item) for every item; in a fork pool when there are many (results in order)."""
    if len(items) < _PARALLEL_MIN or _workers() == 1:
        return [func(*item) for item in items]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (_workers() * 8))
    with ctx.Pool(_workers(), initializer=_worker_signals) as pool:
        return pool.starmap(func, items, chunksize=chunk)


def render_pages(config: Config, root: Path, jobs: list[tuple], views, cache: Path,
                 check: Callable[[], None] = lambda: None) -> int:
    """Render page jobs ((page kind, *arguments), digest/site/pages.py) into `root`; `views` gives the page models.
    `check()` runs after each batch of the pool; an exception from it stops the pool's workers."""
    if not jobs:
        return 0
    _WORK.update(config=config, root=root, views=views, bytecode_dir=_bytecode_dir(cache))
    try:
        if len(jobs) < _PARALLEL_MIN or _workers() == 1:
            return _render_jobs(jobs)
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        # Contiguous runs of one kind (articles first: one cache read per run), then the home pages.
        size = max(20, len(jobs) // (_workers() * 6))
        batches = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        rendered = 0
        with ctx.Pool(_workers(), initializer=_worker_signals) as pool:  # leaving it terminates the workers
            for count in pool.imap_unordered(_render_jobs, batches):
                rendered += count
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


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent (which stops the pool) and die quietly when the pool ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _render_jobs(jobs: list[tuple]) -> int:
    config, root = _WORK["config"], _WORK["root"]
    renderer = _WORK.get("renderer")
    if renderer is None:
        # Templates compiled once per process, or not at all when the compiled form is in the cache.
        renderer = _WORK["renderer"] = PageRenderer(config, make_environment(config, _WORK["bytecode_dir"]))
    made_dirs: set[str] = set()
    count = 0
    base = str(root)
    for rel, data in render_jobs(RenderContext(renderer, _WORK["views"]), jobs):
        safe_join(root, rel)  # refuses a path leaving the output folder
        path = os.path.join(base, rel)
        parent = os.path.dirname(path)
        if parent not in made_dirs:
            os.makedirs(parent, exist_ok=True)
            made_dirs.add(parent)
        with open(path, "wb") as handle:
            handle.write(data)
        count += 1
    return count

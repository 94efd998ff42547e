"""Post-write step: the search index. Pagefind runs over the written site and writes output/pagefind/.

Pagefind (PyPI `pagefind[bin]`, pinned) reads every HTML page of output/, keeps those that carry
`data-pagefind-body` (article pages: templates/article.html marks the article), splits them by `<html lang>` into
an Arabic and an English index (each with its own Snowball stemmer) and writes the bundle the search pages load
(templates/search.html): its script, style, WebAssembly and index fragments.

Why after writing rather than from the page models: Pagefind indexes exactly what readers see, and the step stays
one call that can fail alone. It is kept cheap and safe:
- Skipped when no HTML page changed since the last index (a signature of every page's path, size and mtime, kept
  in the build cache): a no-change build costs one stat, a build that changed only feeds a stat of each page.
- Written beside output/ and swapped in with one rename, so a reader never sees a half-written index; the next
  run removes the staging folder of a killed one.
- Never fatal: Pagefind missing, failing or too slow is one warning line; the pages are published, search keeps
  the previous index (if any), and the next build tries again. Pagefind has no incremental mode: a run indexes
  every page (0.1 s for 60 pages; see README for larger sites).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, ContextManager

from digest.build.output import exchange, write_atomic
from digest.build.report import Clock
from digest.build.store import cache_dir
from digest.config import Config
from digest.site.render import SEARCH_BUNDLE as BUNDLE

TIMEOUT = 600.0  # seconds: Pagefind indexes ~10,000 pages in seconds; more means it hangs
STALE = "pages changed while indexing"  # update_index's answer when it did not swap in (serve/watch runs again)
STAMP = "search-index.json"  # in the build cache: the signature of the pages last indexed

Log = Callable[[str], None]


def search_index(config: Config, clock: Clock, log: Log, *, changed: bool, later: "BackgroundIndex | None") -> None:
    """The pipeline's post-write step: one progress line; a problem is one warning line (`log`, even when quiet).
    `later` (serve/watch): the index is made in that background thread, so a save is never kept waiting by it."""
    if later is not None:
        later.request(config.output_dir, cache_dir(config.output_dir))
        clock.done("search", "index left to the background")
        return
    done = update_index(config.output_dir, cache_dir(config.output_dir), changed=changed, warn=log,
                        cancel=clock.cancel)
    clock.done("search", done)


class BackgroundIndex:
    """serve/watch: the index is made in a thread of its own after each build, never holding up the next save.
    Pagefind reads the pages while no lock is held; the new index is swapped in under `hold()` (the server's build
    lock: no build writes meanwhile) only if no page changed during the run, else the run starts again. One run
    at a time; a build finishing during a run asks for one more. `stop` set: the run in progress is killed."""

    def __init__(self, warn: Log, hold: Callable[[], ContextManager], stop: threading.Event | None = None):
        self.warn, self.hold, self.stop = warn, hold, stop
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._target: tuple[Path, Path] | None = None

    def request(self, output_dir: Path, cache: Path) -> None:
        with self._guard:
            self._target = (output_dir, cache)
            if self._thread is not None:
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
            self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._guard:
                self._again = False
                output_dir, cache = self._target
            try:
                if update_index(output_dir, cache, warn=self.warn, cancel=self.stop, hold=self.hold) == STALE:
                    self._again = True
            except Exception as exc:  # noqa: BLE001 - the server keeps going; the next build tries again
                self.warn(f"warning: search index not updated: {type(exc).__name__}: {exc}")
            with self._guard:
                if not self._again or (self.stop is not None and self.stop.is_set()):
                    self._thread = None
                    return


def pagefind_executable() -> Path | None:
    """The Pagefind binary: PAGEFIND_BINARY_PATH, else the one pip installed (pagefind[bin]), else on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:  # the wrapper is not installed: a binary on PATH still does
        found = os.environ.get("PAGEFIND_BINARY_PATH") or shutil.which("pagefind")
        return Path(found) if found else None
    return get_executable()


def pages_signature(output_dir: Path) -> str:
    """Path, size and mtime of every HTML page outside the bundle: what Pagefind would read."""
    digest = hashlib.blake2b(digest_size=16)
    stack = [output_dir]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if not (folder == output_dir and entry.name == BUNDLE):
                        stack.append(Path(entry.path))
                elif entry.name.endswith(".html"):
                    st = entry.stat(follow_symlinks=False)
                    line = f"{entry.path}\x00{st.st_size}\x00{st.st_mtime_ns}\x00"
                    digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def update_index(output_dir: Path, cache: Path, *, changed: bool = True, warn: Log,
                 cancel: threading.Event | None = None, hold: Callable[[], ContextManager] = nullcontext) -> str:
    """Bring output/pagefind/ in step with the pages of output/. Returns what was done, for the progress line.
    `changed=False` (a build that wrote nothing): the last index stands when it was made and is still there.
    `cancel` set (serve/watch stopping): nothing is started, a run is killed; the next build indexes.
    `hold()`: held while the index is swapped in, which happens only if no page changed during the run (STALE
    is returned otherwise)."""
    output_dir = Path(output_dir).resolve()
    stamp_file = cache / STAMP
    bundle = output_dir / BUNDLE
    last = _read_stamp(stamp_file)
    if not changed and last.get("output") == str(output_dir) and (bundle / "pagefind.js").is_file():
        return "index unchanged"
    signature = pages_signature(output_dir)
    if last.get("signature") == signature and (bundle / "pagefind.js").is_file():
        return "index unchanged (no page changed)"
    stamp_file.unlink(missing_ok=True)  # written again only when this run succeeds: a failed one is retried
    if cancel is not None and cancel.is_set():
        return "left for the next build (stopping)"
    executable = pagefind_executable()
    if executable is None:
        warn("warning: search index not updated: Pagefind is not installed (pip install -r requirements.txt); "
             "the pages are published, search keeps the previous index (if any) until a build with Pagefind")
        return "not built (no Pagefind)"
    _remove_leftovers(output_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.search-", dir=output_dir.parent))
    try:
        problem = _run(executable, output_dir, staging, cancel)
        if problem is None and not (staging / "pagefind.js").is_file():
            problem = "wrote no pagefind.js"
        if problem is None:
            _sort_entry(staging / "pagefind-entry.json")
        if problem is not None:
            warn(f"warning: search index not updated: Pagefind {problem}; the pages are published, search "
                 "shows the previous index (if any) until the next build")
            return "failed"
        with hold():
            if hold is not nullcontext and pages_signature(output_dir) != signature:  # a build wrote meanwhile
                return STALE
            _swap_in(staging, bundle)
            _write_stamp(stamp_file, {"output": str(output_dir), "signature": signature})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return f"indexed ({_languages(bundle)})"


def _run(executable: Path, site: Path, out: Path, cancel: threading.Event | None = None) -> str | None:
    """Run Pagefind over `site` into `out`; None when it worked, else what went wrong (one line). Killed when
    `cancel` is set or after TIMEOUT seconds."""
    command = [str(executable), "--site", str(site), "--output-path", str(out)]
    try:
        # Run from the empty output folder: a pagefind.yml/.toml/.json where the build was started is not read.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, cwd=out)
    except OSError as exc:
        return f"could not be started ({executable}: {exc.strerror or exc})"
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            try:
                _, stderr = process.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    return "was stopped (the build is stopping)"
                if time.monotonic() > deadline:
                    return f"did not finish in {TIMEOUT:g} s"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        last = lines[-1][:200] if lines else "no message"
        return f"failed (exit status {process.returncode}: {last!r})"
    return None


def _sort_entry(path: Path) -> None:
    """Pagefind lists the languages of its entry file in a random order (a hash map): sorted, two builds of the same
    pages give the same bytes. The file is JSON read by pagefind.js, which does not care about the order."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["languages"] = dict(sorted(entry["languages"].items()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return  # an entry file of another shape: left as Pagefind wrote it
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _swap_in(staging: Path, bundle: Path) -> None:
    """Replace output/pagefind/ by the new bundle in one step (the old one ends in `staging`, removed after)."""
    new = staging.with_name(staging.name + "-new")
    os.rename(staging, new)  # the bundle's own folder (Pagefind wrote into `staging`)
    staging.mkdir()
    if bundle.is_dir() and exchange(new, bundle):
        os.rename(new, staging / "old")
        return
    if bundle.exists():
        os.rename(bundle, staging / "old")
    os.rename(new, bundle)


def _remove_leftovers(output_dir: Path) -> None:
    """Staging folders of an index run that was killed."""
    for path in output_dir.parent.glob(f".{output_dir.name}.search-*"):
        shutil.rmtree(path, ignore_errors=True)


def _languages(bundle: Path) -> str:
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = entry.get("languages", {})
        return ", ".join(f"{lang} {info.get('page_count', '?')} pages" for lang, info in sorted(languages.items()))
    except (OSError, ValueError, AttributeError):
        return "languages unknown"


def _read_stamp(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_stamp(path: Path, data: dict) -> None:
    try:
        write_atomic(path, json.dumps(data).encode("utf-8"))
    except OSError:  # a cache we cannot write: the next build indexes again
        pass

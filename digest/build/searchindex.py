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
from pathlib import Path
from typing import Callable

from digest.build.output import exchange, write_atomic
from digest.build.report import Clock
from digest.build.store import cache_dir
from digest.config import Config
from digest.site.render import SEARCH_BUNDLE as BUNDLE

TIMEOUT = 600.0  # seconds: Pagefind indexes ~10,000 pages in seconds; more means it hangs
STAMP = "search-index.json"  # in the build cache: the signature of the pages last indexed

Log = Callable[[str], None]


def search_index(config: Config, clock: Clock, log: Log, *, changed: bool) -> None:
    """The pipeline's post-write step: one progress line; a problem is one warning line (`log`, even when quiet)."""
    done = update_index(config.output_dir, cache_dir(config.output_dir), changed=changed, warn=log,
                        cancel=clock.cancel)
    clock.done("search", done)


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
                 cancel: threading.Event | None = None) -> str:
    """Bring output/pagefind/ in step with the pages of output/. Returns what was done, for the progress line.
    `changed=False` (a build that wrote nothing): the last index stands when it was made and is still there.
    `cancel` set (serve/watch stopping): nothing is started; the next build indexes."""
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
        problem = _run(executable, output_dir, staging)
        if problem is None and not (staging / "pagefind.js").is_file():
            problem = "wrote no pagefind.js"
        if problem is None:
            _sort_entry(staging / "pagefind-entry.json")
        if problem is not None:
            warn(f"warning: search index not updated: Pagefind {problem}; the pages are published, search "
                 "shows the previous index (if any) until the next build")
            return "failed"
        _swap_in(staging, bundle)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_stamp(stamp_file, {"output": str(output_dir), "signature": signature})
    return f"indexed ({_languages(bundle)})"


def _run(executable: Path, site: Path, out: Path) -> str | None:
    """Run Pagefind over `site` into `out`; None when it worked, else what went wrong (one line)."""
    command = [str(executable), "--site", str(site), "--output-path", str(out)]
    try:
        # Run from the empty output folder: a pagefind.yml/.toml/.json where the build was started is not read.
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT, cwd=out)
    except subprocess.TimeoutExpired:
        return f"did not finish in {TIMEOUT:.0f} s"
    except OSError as exc:
        return f"could not be started ({executable}: {exc.strerror or exc})"
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        last = lines[-1][:200] if lines else "no message"
        return f"failed (exit status {done.returncode}: {last!r})"
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

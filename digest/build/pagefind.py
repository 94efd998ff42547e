"""The Pagefind binary and its bundles: finding and running it, reading what a bundle holds, copying one cheaply.

Pagefind (PyPI `pagefind[bin]`, pinned) is run as a command over a folder of HTML pages (`--site`) and writes a
bundle: its scripts, WebAssembly, the index chunks, and one fragment file per page (`fragment/<id>.pf_fragment`,
gzip of `pagefind_dcd` + JSON holding the page's URL, title and text). A search result names its page by that id
(`ar_1a2b3c4`), which is a hash of the fragment: the same page text gives the same id in any bundle.

Measured (README, Search): a run costs ~11 ms to start and ~1.3-2 ms per page, most of it writing the bundle, so
the index of a few changed pages costs tens of milliseconds and the whole site seconds. Pagefind's Python API
(`pagefind.index`) was measured too and is no way round it: its wrapper polls the binary's answers every 0.1 s
(one page per 0.1 s), and custom records (text from the page models) save only part of the parsing, not the
writing (0.7x of the HTML path at 8,470 pages).
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import threading
import time
import zlib
from pathlib import Path
from urllib.parse import unquote

from digest.build.output import write_atomic

STOPPED = "was stopped (the build is stopping)"  # run()'s answer when `cancel` was set
TIMEOUT = 600.0  # seconds: Pagefind indexes ~10,000 pages in seconds; more means it hangs
_FRAGMENT_MAGIC = b"pagefind_dcd"


def pagefind_executable() -> Path | None:
    """The Pagefind binary: PAGEFIND_BINARY_PATH, else the one pip installed (pagefind[extended], then
    pagefind[bin]: the order of Pagefind's own wrapper), else on PATH. Found without importing the wrapper
    packages, which import asyncio and logging (30-80 ms of every build that indexes)."""
    found = os.environ.get("PAGEFIND_BINARY_PATH")
    if found:
        return Path(found)
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin:
            continue
        for name in ("pagefind_extended", "pagefind", "pagefind_extended.exe", "pagefind.exe"):
            candidate = Path(spec.origin).parent / name
            if candidate.is_file():
                return candidate
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def binary_identity(executable: Path, remember: Path) -> str:
    """Which binary this is: a hash of its bytes (another Pagefind may give other page ids or write another
    bundle format, so bundles of two binaries are never mixed). Remembered in `remember` by the file's path, size
    and time, so it is read again only when those change (a CI runner installs it anew, newly timed, every run)."""
    try:
        st = os.stat(executable)
    except OSError:
        return str(executable)
    signature = f"{executable}|{st.st_size}|{st.st_mtime_ns}"
    try:
        known = json.loads(remember.read_text(encoding="utf-8"))
        if known["signature"] == signature:
            return str(known["hash"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(executable, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return signature
    identity = f"{st.st_size}-{digest.hexdigest()}"
    try:
        write_atomic(remember, json.dumps({"signature": signature, "hash": identity}).encode("utf-8"))
    except OSError:  # a cache we cannot write: hashed again next time
        pass
    return identity


def run(executable: Path, site: Path, out: Path, cancel: threading.Event | None = None, *,
        glob: str | None = None) -> str | None:
    """Run Pagefind over the HTML pages of `site` (those matching `glob`, relative to `site`, if given) into the
    bundle folder `out` (checked to hold pagefind.js). None when it worked, else what went wrong (one line).
    Killed when `cancel` is set or after TIMEOUT seconds."""
    command = [str(executable), "--site", str(site), "--output-path", str(out)] + (["--glob", glob] if glob else [])
    out.mkdir(parents=True, exist_ok=True)
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
                    return STOPPED
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
    if not (out / "pagefind.js").is_file():
        return "wrote no pagefind.js"
    sort_entry(out / "pagefind-entry.json")
    return None


def sort_entry(path: Path) -> None:
    """Pagefind lists the languages of its entry file in a random order (a hash map): sorted, two builds of the same
    pages give the same bytes. The file is JSON read by pagefind.js, which does not care about the order."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["languages"] = dict(sorted(entry["languages"].items()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return  # an entry file of another shape: left as Pagefind wrote it
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def languages(bundle: Path) -> dict[str, int]:
    """Language -> page count of a bundle, from its entry file ({} when it has none or cannot be read)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        return {lang: int(info.get("page_count", 0)) for lang, info in sorted(entry["languages"].items())}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def page_ids(bundle: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """Output path of every page in a bundle -> its id (`ar/x/index.html` -> `ar_1a2b3c4`), from its fragment
    files. `known` (id -> path, from an earlier bundle) saves reading the fragments already seen: an id is a hash
    of the fragment, so the same id is the same page."""
    known = known or {}
    ids: dict[str, str] = {}
    try:
        names = os.listdir(bundle / "fragment")
    except OSError:
        return ids
    folder = os.path.join(bundle, "fragment")
    for name in names:
        page_id = name.split(".", 1)[0]
        path = known.get(page_id)
        if path is None:
            try:
                url = fragment_url(os.path.join(folder, name))
            except (OSError, ValueError, KeyError, TypeError, EOFError, zlib.error):
                continue  # not a fragment we can read: that page cannot be replaced by a later delta
            path = url_to_path(url)
        ids[path] = page_id
    return ids


# Pagefind writes the URL first: `pagefind_dcd{"url":"/ar/x/",...`; a JSON string, escapes included.
_URL_FIRST = re.compile(rb'pagefind_dcd\{"url":("(?:[^"\\]|\\.)*")')


def fragment_url(file: str) -> str:
    """The page URL a fragment file holds. Read from its first 2 KB decompressed (a cold base names 10,000 pages:
    0.5 s instead of 1-1.4 s for whole decompression and JSON of every fragment), the whole JSON otherwise."""
    with open(file, "rb") as handle:
        raw = handle.read()
    found = _URL_FIRST.match(zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, 2048))
    if found:
        return json.loads(found.group(1))
    data = gzip.decompress(raw)
    return json.loads(data[len(_FRAGMENT_MAGIC):] if data.startswith(_FRAGMENT_MAGIC) else data)["url"]


def url_to_path(url: str) -> str:
    """Pagefind's URL of a page (relative to the site root, `index.html` dropped) -> its output path."""
    path = unquote(url.split("#", 1)[0]).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def link_pages(source: Path, paths: list[str], target: Path) -> list[str]:
    """Hard links (copies across file systems) of the files `paths` of `source` at the same paths below `target`,
    so Pagefind gives them the same URLs; returns the paths that were there."""
    present, made = [], set()
    for path in paths:
        src = source / path
        if not src.is_file():
            continue
        parent = (target / path).parent
        if parent not in made:
            parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        try:
            os.link(src, target / path)
        except OSError:
            shutil.copyfile(src, target / path)
        present.append(path)
    return present


def merge_entries(entries: list[dict], bundle: Path) -> str | None:
    """The entry file of a bundle written by several runs into one folder, over pages of disjoint languages (each
    run adds its languages' index, fragments and wasm, made from those pages alone, and rewrites the scripts every
    run writes with the same bytes): the languages of all runs, as one run over all their pages would have
    listed them. None, or why the bundle is not that (then it must be made again, as one run)."""
    merged = dict(entries[0]) if entries else {}
    languages: dict = {}
    for entry in entries:
        if not isinstance(entry.get("languages"), dict) or \
                {k: v for k, v in entry.items() if k != "languages"} != \
                {k: v for k, v in merged.items() if k != "languages"}:
            return "the runs' entry files differ beyond their languages"
        for lang, info in entry["languages"].items():
            if lang in languages:
                return f"language {lang!r} in two runs"
            languages[lang] = info
    try:  # every run's files are still there (a later run did not clear the folder)
        pages = sum(int(info["page_count"]) for info in languages.values())
        if any(not (bundle / f"pagefind.{info['hash']}.pf_meta").is_file() for info in languages.values()) \
                or len(os.listdir(bundle / "fragment")) != pages:
            return "a run removed another's files"
    except (OSError, KeyError, TypeError, ValueError):
        return "the runs' bundle cannot be read"
    merged["languages"] = dict(sorted(languages.items()))
    (bundle / "pagefind-entry.json").write_text(json.dumps(merged, ensure_ascii=False, separators=(",", ":")),
                                                encoding="utf-8")
    return None


def link_tree(source: Path, target: Path) -> None:
    """Copy a folder by hard links (a bundle's files are never modified in place), by copying where the two
    folders are on different file systems. Paths as strings: a Path per file cost half the time of publishing a
    base of 10,000 fragments (0.36-0.47 s against 0.21 s)."""
    source, target = os.fspath(source), os.fspath(target)
    for folder, dirs, files in os.walk(source):
        rel = os.path.relpath(folder, source)
        into = target if rel == "." else os.path.join(target, rel)
        os.makedirs(into, exist_ok=True)
        for name in files:
            src, dst = os.path.join(folder, name), os.path.join(into, name)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)

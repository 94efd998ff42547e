"""What a build's inputs are, as hashes: the stat-checked digests of the content files, and the fingerprints of
the inputs many outputs share (code, settings, templates, static files, translation memory). Each output's
recipe is a hash of the fingerprints and content digests it depends on."""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import fields
from operator import itemgetter
from pathlib import Path
from typing import Iterable

from digest.build.state import BuildState
from digest.build.store import code_version, digest_of
from digest.config import Config
from digest.read import InputRefused, read_bounded, relative_to
from digest.translate import memory_root

# A file modified this close to the previous scan may have changed again within the same timestamp tick,
# so its stat signature is not trusted (the "racy clean" case git also guards against).
_RACY_NS = 2_000_000_000


def file_digests(paths: Iterable[Path], base: Path, previous: dict[str, tuple[int, int, int, int, str]],
                 previous_scan_ns: int, max_bytes: int | None = None) -> dict[str, tuple[int, int, int, int, str]]:
    """sha256 of each file, re-read only when its stat signature changed (or is too recent to trust). A file that
    is not a regular file, or is over `max_bytes`, is never opened: its digest says "refused"."""
    out: dict[str, tuple[int, int, int, int, str]] = {}
    rel_of = relative_to(base)
    trusted_before = previous_scan_ns - _RACY_NS
    for path in paths:
        rel = rel_of(path)
        try:
            st = os.stat(path)
        except OSError:
            continue
        sig = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
        old = previous.get(rel)
        if old is not None and old[:4] == sig and sig[1] < trusted_before:
            out[rel] = old
            continue
        if not stat.S_ISREG(st.st_mode) or (max_bytes is not None and st.st_size > max_bytes):
            out[rel] = (*sig, f"refused:{st.st_mode:o}")  # never opened: the reader says why, in one line
            continue
        try:
            sha = hashlib.sha256(read_bounded(path, max_bytes if max_bytes is not None else st.st_size)).hexdigest()
        except InputRefused:
            out[rel] = (*sig, f"refused:{st.st_mode:o}")
            continue
        except OSError:
            continue
        out[rel] = (*sig, sha)
    return out


def tree_digest(folder: Path) -> str:
    """Hash of every file name and content under a folder (templates, static, memory): small folders only."""
    parts = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    return digest_of(parts)


def stat_digest(folder: Path, pattern: str = "*") -> str:
    """Cheap fingerprint of a folder written only by atomic replace (new inode each write)."""
    parts = []
    if folder.is_dir():
        for path in sorted(folder.rglob(pattern)):
            try:
                st = path.stat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                parts.append((path.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns, st.st_ino))
    return digest_of(parts)


def fingerprints(config: Config, state: BuildState) -> dict[str, str]:
    """Hashes of the inputs shared by many outputs; each output's recipe includes those it depends on."""
    code = code_version()
    per_site = {f.name: repr(getattr(config, f.name)) for f in fields(config)
                if f.name not in ("content_dir", "output_dir", "config_path", "translator", "root", "templates_dir",
                                  "static_dir",  # folders: their contents are fingerprinted instead
                                  "drafts", "future")}  # which articles are listed: the pages' own deps say it
    site = digest_of(code, per_site)
    static = tree_digest(config.static_dir)
    templates = _template_digests(config.templates_dir, state)
    tr = config.translator
    fp = {
        "code": code, "site": site, "static": static,
        "article": digest_of(code, config.max_file_bytes),
        "summary": digest_of(code, config.summary_sentences, config.summary_words),
        # Not the memory: a record remembers the answers its own segments got (build._answers_changed), so an
        # answer arriving makes again only the records that use it.
        "record": digest_of(site, repr(tr)),
        "memory": memory_digest(tr),
    }
    # Per template (by its name in templates/): the page kinds' recipes include the one they render with.
    for name in ("article.html", "index.html", "404.html", *(n for n in templates if "." in n)):
        fp[name] = digest_of(site, static, templates.get(name, ""))
    return fp


def memory_digest(tr) -> str:
    """Cheap fingerprint of the translation memory's files (rewritten only by atomic replace)."""
    return stat_digest(memory_root(tr), "*.jsonl")


def _template_digests(folder: Path, state: BuildState) -> dict[str, str]:
    """Per template: hash of its source and of every template it extends/includes/imports, recursively.
    Remembered in the state by the hash of all sources, so an unchanged folder costs only reading it."""
    sources: dict[str, str] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                sources[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    key = digest_of(sorted(sources.items()))
    if state.templates and state.templates[0] == key:
        return state.templates[1]
    import jinja2
    from jinja2 import meta

    env = jinja2.Environment()
    refs: dict[str, set[str]] = {}
    for name in sources:
        try:
            refs[name] = {r for r in meta.find_referenced_templates(env.parse(sources[name])) if r}
        except jinja2.TemplateSyntaxError:
            refs[name] = set(sources)  # broken: depend on everything (the render will report it)
        except TypeError:
            refs[name] = set(sources)
    out = {}
    for name in sources:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(refs.get(current, set()) | ({*sources} if None in refs.get(current, set()) else set()))
        out[name] = digest_of(sorted((n, sources.get(n, "")) for n in seen))
    state.templates = (key, out)
    return out


def dates_from_outside(config: Config, paths: list[Path], files: dict, git_times: dict[str, int]) -> dict:
    """Per article file, the date it gets if it has none of its own (first commit, else mtime): part of its key."""
    out = {}
    rel_of = relative_to(config.content_dir)
    for path in paths:
        rel = rel_of(path)
        if rel not in files:
            continue
        when = git_times.get(rel)
        out[rel] = when if when is not None else ("mtime", int(files[rel][1] // 1_000_000_000))
    return out


def files_key(files: dict[str, tuple[int, int, int, int, str]], whens: dict) -> tuple[str, ...]:
    """The content files' part of the inputs key: how many, their paths, their content hashes (not their stat
    signatures: a file touched but unchanged changes nothing) and their outside dates, in the files' order (the
    scan's: the same for the same tree). A few long strings, not one per file: 2 ms instead of 5 at 9,500 files."""
    return str(len(files)), "\x00".join(files), "\x00".join(map(itemgetter(4), files.values())), repr(whens)


def quick_hash(*parts: str) -> str:
    """digest_of for a flat list of strings (the plan hashes thousands of them per build)."""
    return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

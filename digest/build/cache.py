"""What makes rebuilds incremental: a per-article cache, the build state (a manifest of output files and the
recipe of each), and the journaled in-place writer used when only a few files change.

Cache keys are hashes of everything a value depends on: the input bytes, the settings that matter to it and
the code version (the source of the `digest` package and the versions of the libraries that shape the output).
A key that misses costs a recomputation, never a wrong page: nothing is invalidated by hand, so a config change
or an upgrade cannot leave a stale entry in use.

Atomicity of incremental writes: changed files are first written to a staging folder beside output/; then a
journal listing every rename and deletion is written and renamed into place (the commit point), the renames and
deletions are applied, and the journal is removed. A build killed before the commit point leaves output/
untouched (the staging folder is thrown away by the next build); a build killed after it is completed by the
next build (or `serve`/`watch`) before anything else, since every journal step is idempotent. Full builds keep
the classic whole-folder swap (digest.build.output.StagedOutput).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sqlite3
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from digest.read import InputRefused, read_bounded, relative_to
from digest.build.output import safe_join, write_atomic

STATE_VERSION = 5
# Libraries whose version changes bytes of the output (Markdown, sanitizer, dates, templates, YAML).
_LIBRARIES = ("Jinja2", "Markdown", "MarkupSafe", "nh3", "Babel", "PyYAML")
# A file modified this close to the previous scan may have changed again within the same timestamp tick,
# so its stat signature is not trusted (the "racy clean" case git also guards against).
_RACY_NS = 2_000_000_000


def digest_of(*parts: Any) -> str:
    """A short stable hash of strings/bytes/None/numbers/nested tuples."""
    h = hashlib.blake2b(digest_size=16)
    _feed(h, parts)
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, bytes):
        h.update(b"b%d:" % len(value))
        h.update(value)
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(data))
        h.update(data)
    elif isinstance(value, (tuple, list)):
        h.update(b"(%d:" % len(value))
        for item in value:
            _feed(h, item)
        h.update(b")")
    elif isinstance(value, dict):
        _feed(h, sorted(value.items()))
    else:
        _feed(h, repr(value))


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the package source and of the output-shaping library versions."""
    package = Path(__file__).resolve().parent.parent  # digest/, every subpackage included
    parts: list[Any] = []
    for path in sorted(package.rglob("*.py")):
        parts.append((path.relative_to(package).as_posix(), path.read_bytes()))
    return digest_of(STATE_VERSION, parts, library_versions())


def library_versions() -> list[tuple[str, str]]:
    """(name, version) of the installed _LIBRARIES, read from their `Name-Version.dist-info` folder names: the
    same answer as importlib.metadata.version at a fraction of its import and lookup time (every build pays it)."""
    wanted = {name.lower().replace("-", "_") for name in _LIBRARIES}
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[: -len(".dist-info")].partition("-")
                if project.lower().replace("-", "_").replace(".", "_") in wanted:
                    found.add((project.lower(), version))
    return sorted(found)


def cache_dir(output_dir: Path) -> Path:
    """The cache lives beside the output folder (for the default layout: <project>/.cache/digest)."""
    override = os.environ.get("DIGEST_CACHE_DIR")
    return Path(override) if override else output_dir.resolve().parent / ".cache" / "digest"


# --- key/value store ---------------------------------------------------------------------------------------
class Store:
    """Pickled values by key in one SQLite file: parsed articles, summaries, per-article page models."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # a corrupt cache is only a lost cache
            self._db = self._open(path)
        self._pending: dict[str, bytes] = {}

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        for key in keys:
            if key in self._pending:
                found[key] = pickle.loads(self._pending[key])
        rest = [k for k in keys if k not in found]
        for i in range(0, len(rest), 500):
            chunk = rest[i:i + 500]
            rows = self._db.execute(f"SELECT key, value FROM kv WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            for key, value in rows:
                try:
                    found[key] = pickle.loads(value)
                except Exception:  # an entry from an incompatible run: recompute it
                    continue
        return found

    def get(self, key: str) -> Any | None:
        return self.get_many([key]).get(key)

    def put(self, key: str, value: Any) -> None:
        self._pending[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def flush(self) -> None:
        if not self._pending:
            return
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", self._pending.items())
        self._pending.clear()

    def prune(self, keep: set[str]) -> int:
        """Drop entries not in `keep`; called rarely (the cache otherwise only grows with edits)."""
        stale = [k for (k,) in self._db.execute("SELECT key FROM kv") if k not in keep]
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM kv WHERE key = ?", ((k,) for k in stale))
        return len(stale)

    def close(self) -> None:
        self.flush()
        self._db.close()


# --- build state: what the last build wrote and from what -------------------------------------------------
@dataclass
class BuildState:
    """Saved with each successful build, per output folder, in two files: a small one (stat signatures, the
    fingerprint of all inputs and the last report), which is all a no-change build reads, and a large one (the
    manifest and the per-article records), read only when something has to be planned, named by a random token
    that the small one holds. A build stages its state before its commit point (stage_state) and the state becomes
    current in the same step as the output (promote_state, from the journal or after the folder swap): at any
    moment a killed build leaves the previous output with its state, or the new output with the new one."""

    output: str = ""
    manifest: dict[str, str] = field(default_factory=dict)  # output file -> recipe key
    files: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)  # input -> stat sig + sha256
    scanned_ns: int = 0  # wall clock when `files` was taken
    # record key -> (complete, digests, teaser digests, pending, digest of the memory's answers for its segments)
    records: dict[str, Any] = field(default_factory=dict)
    stubs: dict[str, Any] = field(default_factory=dict)  # shard -> pickled {article key: Article fields, no body}
    inputs: str = ""  # hash of every input of the build that saved this state
    summary: dict[str, Any] = field(default_factory=dict)  # that build's report, replayed by a no-change build
    templates: tuple = ()  # (hash of the template sources, per-template dependency digests)
    teasers: dict[str, bytes] = field(default_factory=dict)  # shard -> pickled {record key: teaser tuples}
    dates: tuple = ()  # (code version, {(ISO date, lang): display date}) seen in earlier builds
    humans: dict[str, tuple] = field(default_factory=dict)  # human translation key -> its reading notes
    token: str = ""


def state_path(cache: Path, output_dir: Path) -> Path:
    return cache / f"state-{digest_of(str(output_dir.resolve()))[:16]}.pickle"


def _quick_path(path: Path) -> Path:
    return path.with_suffix(".quick")


def _heavy_path(path: Path, token: str) -> Path:
    return path.with_name(f"{path.stem}.{token}.pickle")


def _staged_path(path: Path) -> Path:
    """The small part of a state staged by a build that has not reached its commit point yet."""
    return path.with_suffix(".quick.next")


_QUICK = ("output", "files", "scanned_ns", "inputs", "summary", "templates", "token")
_HEAVY = ("manifest", "records", "stubs", "dates", "teasers", "humans")


def load_state(path: Path, output_dir: Path, heavy: bool = True) -> BuildState:
    """The saved state (just its small part unless `heavy`); an empty one if missing, torn or foreign."""
    state = BuildState(output=str(output_dir.resolve()))
    try:
        with open(_quick_path(path), "rb") as handle:
            quick = pickle.load(handle)
        if quick.get("output") != state.output or quick.get("version") != STATE_VERSION:
            return state
        for name in _QUICK:
            setattr(state, name, quick[name])
    except Exception:  # missing, torn or from an incompatible version: start afresh
        return BuildState(output=str(output_dir.resolve()))
    if heavy:
        load_heavy(path, state)
    return state


def load_heavy(path: Path, state: BuildState) -> bool:
    """Fill in the manifest and records; False (and a state good for a full build only) if they do not match."""
    try:
        with open(_heavy_path(path, state.token), "rb") as handle:
            data = pickle.load(handle)
        if data.get("token") == state.token and state.token:
            for name in _HEAVY:
                setattr(state, name, data[name])
            return True
    except Exception:
        pass
    state.files, state.inputs, state.summary = {}, "", {}
    return False


def stage_state(path: Path, state: BuildState, output_id: tuple[int, int] | None = None) -> None:
    """Write the state of a build about to commit without making it current. `output_id` (device, inode) is
    that of the folder a full build is about to swap in: found in place by the next build, it proves the swap
    happened (recover_state). An incremental build's journal promotes its state instead (None here)."""
    state.token = os.urandom(8).hex()
    write_atomic(_heavy_path(path, state.token),
                 pickle.dumps({"token": state.token, **{n: getattr(state, n) for n in _HEAVY}},
                              protocol=pickle.HIGHEST_PROTOCOL))
    quick = {"version": STATE_VERSION, "output_id": output_id, **{n: getattr(state, n) for n in _QUICK}}
    write_atomic(_staged_path(path), pickle.dumps(quick, protocol=pickle.HIGHEST_PROTOCOL))


def promote_state(path: Path) -> None:
    """The staged state becomes the current one (one rename; idempotent), and older large parts go."""
    try:
        os.replace(_staged_path(path), _quick_path(path))
    except FileNotFoundError:
        return
    _drop_unused_parts(path)


def recover_state(path: Path, output_dir: Path) -> None:
    """Under the output lock, after apply_journal: a state staged by a full build killed after swapping its folder
    in becomes current; any other staged state is dropped (its build never reached its commit point), and so
    are temporary files of interrupted writes and large parts that no state refers to."""
    staged = _staged_path(path)
    if staged.exists():
        try:
            with open(staged, "rb") as handle:
                output_id = pickle.load(handle).get("output_id")
            st = os.stat(output_dir)
            swapped = output_id is not None and tuple(output_id) == (st.st_dev, st.st_ino)
        except Exception:  # torn, unreadable, or no output folder
            swapped = False
        if swapped:
            promote_state(path)
        else:
            staged.unlink(missing_ok=True)
    for leftover in path.parent.glob(f".{path.stem}.*.tmp"):  # write_atomic's, from a killed process
        leftover.unlink(missing_ok=True)
    if len(list(path.parent.glob(f"{path.stem}*.pickle"))) > 1:
        _drop_unused_parts(path)


def _drop_unused_parts(path: Path) -> None:
    try:
        with open(_quick_path(path), "rb") as handle:
            token = pickle.load(handle).get("token")
    except Exception:
        token = None
    for part in path.parent.glob(f"{path.stem}*.pickle"):
        if token is None or part != _heavy_path(path, token):
            part.unlink(missing_ok=True)


def save_quick(path: Path, state: BuildState) -> None:
    """Rewrite only the small part of the current state (same token: the large part is unchanged)."""
    quick = {"version": STATE_VERSION, **{n: getattr(state, n) for n in _QUICK}}
    write_atomic(_quick_path(path), pickle.dumps(quick, protocol=pickle.HIGHEST_PROTOCOL))


# --- input scanning ----------------------------------------------------------------------------------------
def file_digests(paths: Iterable[Path], base: Path, previous: dict[str, tuple[int, int, int, int, str]],
                 previous_scan_ns: int, max_bytes: int | None = None) -> dict[str, tuple[int, int, int, int, str]]:
    """sha256 of each file, re-read only when its stat signature changed (or is too recent to trust). A file that
    is not a regular file, or is over `max_bytes`, is never opened: its digest says "refused"."""
    out: dict[str, tuple[int, int, int, int, str]] = {}
    rel_of = relative_to(base)
    for path in paths:
        rel = rel_of(path)
        try:
            st = os.stat(path)
        except OSError:
            continue
        sig = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
        old = previous.get(rel)
        if old is not None and old[:4] == sig and st.st_mtime_ns < previous_scan_ns - _RACY_NS:
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


# --- journaled in-place output -----------------------------------------------------------------------------
def journal_path(final: Path) -> Path:
    final = final.resolve()
    return final.with_name(f".{final.name}.journal")


class IncrementalOutput:
    """Write only changed files into a staging folder; `commit()` moves them into the live folder via a journal."""

    def __init__(self, final: Path):
        self.final = final.resolve()
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.changes-", dir=self.final.parent))
        self.written: list[str] = []
        self._dirs: set[str] = set()
        self.committed = False

    def path_for(self, relative: str) -> Path:
        path = safe_join(self.stage, relative)
        parent = os.path.dirname(relative)
        if parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        return path

    def write(self, relative: str, data: bytes) -> None:
        with open(self.path_for(relative), "wb") as handle:
            handle.write(data)
        self.written.append(relative)

    def commit(self, deletions: Iterable[str], state: Path | None = None) -> None:
        """Write the journal (the commit point) and apply it; `state`: the build state staged for this output
        (stage_state), made current by the journal once the files are in place."""
        # Every file in the staging folder, including those written there directly by render workers.
        journal = {"stage": str(self.stage), "final": str(self.final), "writes": sorted(walk_files(self.stage)),
                   "deletes": sorted(deletions), "state": str(state) if state else None}
        write_atomic(journal_path(self.final), json.dumps(journal).encode())  # the commit point
        self.committed = True
        apply_journal(self.final)

    def discard(self) -> None:
        if not self.committed:  # past the commit point the staged files belong to the journal
            shutil.rmtree(self.stage, ignore_errors=True)


def apply_journal(final: Path) -> bool:
    """Finish a committed incremental write (idempotent); True if there was one."""
    path = journal_path(final)
    try:
        journal = json.loads(path.read_text())
    except FileNotFoundError:
        return False
    except ValueError:  # torn journal: it was never committed (write_atomic renames only a complete file)
        path.unlink(missing_ok=True)
        return False
    stage, root = Path(journal["stage"]), Path(journal["final"])
    for rel in journal["writes"]:
        source, target = stage / rel, root / rel
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for rel in journal["deletes"]:
        target = root / rel
        target.unlink(missing_ok=True)
        _remove_empty_parents(target.parent, root)
    if journal.get("state"):
        promote_state(Path(journal["state"]))
    shutil.rmtree(stage, ignore_errors=True)
    path.unlink(missing_ok=True)
    return True


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def remove_leftovers(final: Path) -> None:
    """Staging folders of builds that were killed before their commit point."""
    final = final.resolve()
    if not final.parent.is_dir():
        return
    for path in final.parent.glob(f".{final.name}.changes-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in final.parent.glob(f".{journal_path(final).name}.*.tmp"):  # a journal write that was killed
        path.unlink(missing_ok=True)


def walk_files(root: Path) -> Iterator[str]:
    """Every file under root, relative, for tests and checks."""
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            yield os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")

"""The build cache's key/value store and its keys: values are pickled under a hash of everything they depend on
(the input bytes, the settings that matter to them and the code version: the source of the `digest` package and
the versions of the libraries that shape the output). A key that misses costs a recomputation, never a wrong
page: nothing is invalidated by hand, so a config change or an upgrade cannot leave a stale entry in use."""
from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

STATE_VERSION = 9
# Libraries whose version changes bytes of the output (Markdown, sanitizer, dates, templates, YAML).
_LIBRARIES = ("Jinja2", "Markdown", "MarkupSafe", "nh3", "Babel", "PyYAML")


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

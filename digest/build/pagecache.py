"""Rendered pages by recipe: a full build into an empty folder (`build --full`, a deleted output folder) mostly
writes bytes it already made, instead of rendering 10,000 pages again.

Why it is safe: a page's recipe (digest/site/pages.py: the fingerprint of its template, settings and code, and
the digests of the page models it shows) is what the incremental layer already trusts to leave an output file
alone; equal recipe, equal bytes. The cache only extends that trust to a file that is not there any more. Its key
is the hash of the page's path and recipe, its value the page's bytes in a zlib stream of level 0: stored, not
compressed, but with zlib's checksum, so a value damaged on disk is a miss, never a wrong page. Level 1 shrinks
HTML to a third but runs at ~120 MB/s; measured, level 0 with SQLite's synchronous=OFF costs a cold build of 1,000
articles 6 % less CPU, and a warm full one of 5,000 19 % less, than level 1 with synchronous=NORMAL. No fsync:
this is a cache, and a crash that loses or damages rows only costs renders.

One SQLite file beside the build cache (`.cache/digest/pages.sqlite`), apart from store.sqlite because its rows
are many and large and are pruned on their own rule: when it holds far more pages than the site has, the pages
of the current plan are kept and the rest dropped. Render workers read it through their own connection (opened
after the fork); only the parent writes. Anything unreadable is a miss: the page is rendered.
"""
from __future__ import annotations

import os
import sqlite3
import zlib
from pathlib import Path
from typing import Callable, Iterable

LEVEL = 0  # stored, checksummed (see above)
_CHUNK = 500  # keys per SELECT (SQLite's default limit of bound parameters is 999)


def page_key(path: str, recipe: str) -> str:
    """The cache key of an output file: its path and recipe (two pages never share one)."""
    import hashlib

    return hashlib.blake2b(f"{path}\x00{recipe}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def compress(data: bytes) -> bytes:
    return zlib.compress(data, LEVEL)


class PageCache:
    """Compressed page bytes by page key in one SQLite file; per-process connections (fork-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._dbs: dict[int, sqlite3.Connection | None] = {}

    def _db(self) -> sqlite3.Connection | None:
        pid = os.getpid()
        if pid not in self._dbs:
            self._dbs[pid] = self._open()
        return self._dbs[pid]

    def _open(self) -> sqlite3.Connection | None:
        for attempt in (1, 2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=OFF")  # a cache (see above)
                db.execute("CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
                # Pages added since the last prune: when to look for stale ones without counting the rows.
                db.execute("CREATE TABLE IF NOT EXISTS added (n INTEGER NOT NULL)")
                return db
            except sqlite3.DatabaseError:
                if attempt == 2:
                    return None  # no page cache this build: every page is rendered
                self.path.unlink(missing_ok=True)  # a corrupt cache is only a lost cache
            except OSError:
                return None
        return None

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """key -> the page's bytes, for the keys the cache holds (compressed values are decompressed)."""
        db = self._db()
        keys = list(keys)
        found: dict[str, bytes] = {}
        if db is None:
            return found
        try:
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i:i + _CHUNK]
                rows = db.execute(f"SELECT key, value FROM pages WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                for key, value in rows:
                    try:
                        found[key] = zlib.decompress(value)
                    except zlib.error:
                        continue
        except sqlite3.DatabaseError:
            return {}
        return found

    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        """Store (key, compressed bytes) pairs (compress() them where they are rendered: in the workers)."""
        db = self._db()
        if db is None or not items:
            return
        try:
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO pages (key, value) VALUES (?, ?)", items)
                db.execute("INSERT INTO added (n) VALUES (?)", (len(items),))
        except sqlite3.DatabaseError:
            pass  # a page not cached is rendered next time

    def prune(self, site_keys: Callable[[], set[str]], pages: int) -> int:
        """Drop every page but the site's (`site_keys()`: the keys of its `pages` files) once more pages were added
        since the last prune than half the site (edits leave old versions behind); otherwise this is only a sum
        over a tiny table. Returns how many were dropped."""
        db = self._db()
        if db is None:
            return 0
        try:
            (added,) = db.execute("SELECT coalesce(sum(n), 0) FROM added").fetchone()
            if added <= pages // 2 + 1000:
                return 0
            keep = site_keys()
            stale = [k for (k,) in db.execute("SELECT key FROM pages") if k not in keep]
            with db:
                db.execute("BEGIN")
                db.executemany("DELETE FROM pages WHERE key = ?", ((k,) for k in stale))
                db.execute("DELETE FROM added")
            return len(stale)
        except sqlite3.DatabaseError:
            return 0

    def close(self) -> None:
        db = self._dbs.pop(os.getpid(), None)
        if db is not None:
            db.close()

"""Translation memory: every machine-translated segment, stored in plain git-friendly files.

Layout: <memory_dir>/<backend>/<source>-<target>/<shard>.jsonl, where <shard> is the first hex digit of the
key and every line is one entry {"key", "source", "translation"} with sorted keys, lines sorted by key. The key is
a hash of the normalised source text, so the same sentence with different spacing shares an entry; the source
is kept beside it so a reviewer can read (and correct) the memory in a diff, and so a hash collision is detected.
Files are rewritten atomically (temporary file + rename): an interrupted build never leaves a torn file.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from digest.read import InputRefused, read_bounded
from digest.model import Problem

# write_atomic (digest.build) is imported where files are written: digest.build imports this package (the
# pipeline's translate step), and importing the build only inside functions keeps `import digest.translate` free of
# it, so neither package's __init__ can make an import cycle.

# Characters that change nothing a reader sees: zero-width spaces/joiners, BOM, bidi marks, tatweel.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2066-\u2069\u202a-\u202e\ufeff\u0640]")
_SPACE = re.compile(r"\s+")
_RACY_NS = 2_000_000_000
MAX_SHARD_BYTES = 64_000_000  # one shard file; a larger one (or a FIFO, device, /dev/zero link) is never read
# All the shards of one memory together (about 300,000 sentences): many shards just under the shard limit would
# otherwise all be held at once (48 sparse 63 MB files: 3 GB). Files past the budget are not read (a warning).
MAX_MEMORY_BYTES = 64_000_000
# One entry is one sentence or piece of one (at most 4,500 characters): a longer line is not an entry, and is not
# handed to the JSON parser (a 60 MB line took seconds and hundreds of MB).
MAX_LINE_BYTES = 64_000

# Problems found in memory files by the loads of this process, one per file (the build reports them as warnings).
_PROBLEMS: dict[str, Problem] = {}


def take_problems() -> list[Problem]:
    """The memory files found broken since the last call (their good lines were used), oldest first."""
    found = list(_PROBLEMS.values())
    _PROBLEMS.clear()
    return found


def normalise(text: str) -> str:
    """The form of a source segment that is hashed: NFC, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def segment_key(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:20]


class TranslationMemory:
    """The entries of one backend and language pair. Thread-safe; call save() to write changes."""

    def __init__(self, root: str | os.PathLike[str], backend: str, source: str, target: str,
                 snapshot_dir: str | os.PathLike[str] | None = None) -> None:
        """`snapshot_dir`: where to keep a parsed copy of the memory, used while its files' stat signatures are
        unchanged, or (for files changed within two seconds of the copy) their bytes: parsing and checking every
        line costs ~0.1 s per 6,000 entries, loading the copy ~0.01 s."""
        self.folder = Path(root) / backend / f"{source}-{target}"
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str, str]] = {}  # key -> (source, translation)
        self._dirty: set[str] = set()  # shards to rewrite
        if snapshot_dir is None:
            self._load()
        else:
            self._load_snapshot(Path(snapshot_dir))

    def _load_snapshot(self, folder: Path) -> None:
        if not self.folder.is_dir():
            return
        paths = sorted(self.folder.glob("*.jsonl"))
        signature = []
        newest = 0
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            signature.append((path.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        name = hashlib.sha256(str(self.folder.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:20]
        snapshot = folder / f"memory-{name}.pickle"
        saved = None
        try:
            with open(snapshot, "rb") as handle:
                saved = pickle.load(handle)  # (signature, content digest, taken at ns, entries)
            if saved[0] == signature and newest < saved[2] - _RACY_NS:
                self._entries = saved[3]
                _PROBLEMS.update((p.path, p) for p in saved[4])
                return
        except Exception:  # missing, torn or foreign: parse the files
            saved = None
        # Stat signatures alone are not trusted for files changed within two seconds of the copy (they may have
        # changed again within the same timestamp tick, the "racy clean" case): their bytes decide then.
        taken = time.time_ns()
        digest, texts = _content_digest(paths)
        if saved is not None and saved[1] == digest:
            self._entries = saved[3]
            problems = saved[4]
        else:
            problems = self._parse(texts)  # the very bytes the digest was made of
        _PROBLEMS.update((p.path, p) for p in problems)
        if saved is None or saved[0] != signature or saved[1] != digest or newest >= saved[2] - _RACY_NS:
            from digest.build import write_atomic

            try:
                write_atomic(snapshot, pickle.dumps((signature, digest, taken, self._entries, problems),
                                                           protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:
                pass

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        _PROBLEMS.update((p.path, p) for p in self._parse(_content_digest(sorted(self.folder.glob("*.jsonl")))[1]))

    def _parse(self, texts: list[tuple[Path, bytes | Problem]]) -> list[Problem]:
        """Read every good line; a file with bad lines gives one problem naming its first bad line."""
        problems = []
        for path, data in texts:
            if isinstance(data, Problem):
                problems.append(data)
                continue
            bad: list[tuple[int, str]] = []
            for number, raw in enumerate(data.split(b"\n"), 1):
                if not raw.strip():
                    continue
                why = self._parse_line(raw)
                if why:
                    bad.append((number, why))
            if bad:
                first, why = bad[0]
                more = f" ({len(bad):,} bad lines in all)" if len(bad) > 1 else ""
                problems.append(Problem(str(path), f"translation memory line ignored: {why}{more}; the file's other "
                                        "lines were used (fix or delete the line)", "warning", first))
        return problems

    def _parse_line(self, raw: bytes) -> str | None:
        """Add one memory line; or say why it cannot be used (a hand-edited line gone wrong costs one
        re-translation, never the build)."""
        if len(raw) > MAX_LINE_BYTES:
            return f"longer than {MAX_LINE_BYTES:,} bytes ({len(raw):,}): not an entry"
        try:
            entry = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return f"not UTF-8 (byte 0x{raw[exc.start]:02x})"
        except (ValueError, RecursionError):
            return "not a JSON object"
        if not isinstance(entry, dict):
            return "not a JSON object"
        key, source, translation = entry.get("key"), entry.get("source"), entry.get("translation")
        if not all(isinstance(v, str) for v in (key, source, translation)):
            return "'key', 'source' and 'translation' must all be text"
        if translation.strip() and key == segment_key(source):  # else: emptied or source corrected by hand
            self._entries[key] = (source, translation)
        return None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, source: str) -> str | None:
        key = segment_key(source)
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or normalise(entry[0]) != normalise(source):
            return None
        return entry[1]

    def put(self, source: str, translation: str) -> None:
        key = segment_key(source)
        with self._lock:
            if self._entries.get(key) == (source, translation):
                return
            self._entries[key] = (source, translation)
            self._dirty.add(key[0])

    def keys(self) -> set[str]:
        with self._lock:
            return set(self._entries)

    def prune(self, keep: Iterable[str]) -> int:
        """Drop every entry whose source is not among `keep` (source segments); returns how many went."""
        wanted = {segment_key(s) for s in keep}
        with self._lock:
            stale = [k for k in self._entries if k not in wanted]
            for key in stale:
                del self._entries[key]
                self._dirty.add(key[0])
        return len(stale)

    def save(self) -> int:
        """Rewrite the shards that changed; returns the number of files written."""
        with self._lock:
            shards = sorted(self._dirty)
            self._dirty.clear()
            contents = {s: sorted((k, v) for k, v in self._entries.items() if k[0] == s) for s in shards}
        from digest.build import write_atomic

        for shard, entries in contents.items():
            path = self.folder / f"{shard}.jsonl"
            if not entries:
                path.unlink(missing_ok=True)
                continue
            lines = [json.dumps({"key": k, "source": src, "translation": tr}, ensure_ascii=False, sort_keys=True)
                     for k, (src, tr) in entries]
            write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
        return len(contents)


def _content_digest(paths: list[Path]) -> tuple[str, list[tuple[Path, bytes | Problem]]]:
    """Hash of the files' names and bytes, and the bytes (parsed from these very bytes on a miss); a file that
    cannot be read within its bounds comes with its Problem instead."""
    h = hashlib.blake2b(digest_size=16)
    texts: list[tuple[Path, bytes | Problem]] = []
    left = MAX_MEMORY_BYTES
    for path in paths:
        try:
            data = read_bounded(path, min(MAX_SHARD_BYTES, left))
            left -= len(data)
        except InputRefused as exc:
            why = f"it {exc}" if left >= MAX_SHARD_BYTES or "over the limit" not in str(exc) else (
                f"the memory's files before it already hold {MAX_MEMORY_BYTES - left:,} of the "
                f"{MAX_MEMORY_BYTES:,} bytes a memory may have")
            problem = Problem(str(path), f"translation memory file not read: {why}; its entries are not used",
                              "warning")
            h.update(f"refused:{path.name}:{exc}".encode("utf-8", "surrogateescape"))
            texts.append((path, problem))
            continue
        except OSError:
            continue
        h.update(b"%d:%s\x00" % (len(data), path.name.encode("utf-8", "surrogateescape")))
        h.update(data)
        texts.append((path, data))
    return h.hexdigest(), texts


def stored_backends(root: str | os.PathLike[str], source: str, target: str) -> list[str]:
    """Backends that have a memory for this language pair, sorted."""
    base = Path(root)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / f"{source}-{target}").is_dir())

"""The build state: what the last build wrote (a manifest of output files and the recipe of each) and what it
kept for the next one, saved in two parts and made current in the same step as the output it describes."""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digest.build.output import write_atomic
from digest.build.store import STATE_VERSION, digest_of


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
    # record key -> (complete, digests, teaser digests, pending, digest of the memory's answers for its segments),
    # read as a ShardedDict; a build sets the shards (shard -> pickled {record key: ...})
    records: Any = field(default_factory=dict)
    stubs: Any = field(default_factory=dict)  # article key -> Article fields without the body: the same, sharded
    # (records, stubs, teasers and site are kept in Blobs: the large part holds their names, BlobDict reads them)
    inputs: str = ""  # hash of every input of the build that saved this state
    summary: dict[str, Any] = field(default_factory=dict)  # that build's report, replayed by a no-change build
    templates: tuple = ()  # (hash of the template sources, per-template dependency digests)
    teasers: dict[str, bytes] = field(default_factory=dict)  # shard -> pickled {record key: teaser tuples}
    dates: tuple = ()  # (code version, {(ISO date, lang): display date}) seen in earlier builds
    humans: dict[str, tuple] = field(default_factory=dict)  # human translation key -> its reading notes
    searchable: frozenset = frozenset()  # output files that go into the search index (Page.searchable)
    git: tuple = ()  # (content folder and its repository's HEAD, first-commit times of its files) of that build
    frame: str = ""  # hash of its inputs but the article texts (edits.frame_key)
    site: dict[str, bytes] = field(default_factory=dict)  # its Site, pickled by part, for an edit build (edits.LastSite)
    token: str = ""


_IN_BLOBS = ("records", "stubs", "teasers", "site")
_SHARDED = ("records", "stubs")  # dicts by key, pickled in shards: read as ShardedDict


def shard_of(key: str) -> str:
    """The shard a record or article key is kept in (256 shards: keys are hex digests)."""
    return key[:2]


class ShardedDict:
    """A dict kept pickled in shards by key (shards.reshard): a shard is unpickled when one of its keys is first
    looked up, so an edit build reads the shard or two of the articles it changed, a full build all of them."""

    def __init__(self, shards):
        self.shards = shards  # shard -> pickled {key: value} (a dict, or a BlobDict)
        self.decoded: dict[str, dict] = {}

    def part(self, shard: str) -> dict:
        found = self.decoded.get(shard)
        if found is None:
            data = self.shards.get(shard)
            found = self.decoded[shard] = pickle.loads(data) if data is not None else {}
        return found

    def keys(self) -> set[str]:
        return {k for shard in self.shards for k in self.part(shard)}

    def items(self):
        return ((k, v) for shard in sorted(self.shards) for k, v in self.part(shard).items())

    def values(self):
        return (v for _, v in self.items())

    def __contains__(self, key: str) -> bool:
        return key in self.part(shard_of(key))

    def __getitem__(self, key: str):
        return self.part(shard_of(key))[key]

    def get(self, key: str, default=None):
        return self.part(shard_of(key)).get(key, default)


class StateDamaged(Exception):
    """A piece of the build state is missing or not what was saved: the build starts again without the state
    (pipeline.build), from the caches keyed by content."""


class Blobs:
    """The large pieces of the build state (pickled shards of article stubs and teaser views, the parts of the
    last Site), one file each in a folder beside the state, named by a hash of their bytes: an edit build reads
    the few it needs and writes the few that changed, not 13 MB in one file. Written before the state that names
    them is staged; the ones no current state names are removed after a build commits (prune)."""

    def __init__(self, path: Path):
        self.folder = path.with_name(f"{path.stem}.blobs")

    def get(self, name: str) -> bytes:
        """A blob's bytes, checked against its name (StateDamaged if it is gone or altered)."""
        try:
            data = (self.folder / name).read_bytes()
        except OSError as exc:
            raise StateDamaged(f"{self.folder.name}/{name} cannot be read: {exc.strerror or exc}") from None
        if digest_of(data)[:32] != name:
            raise StateDamaged(f"{self.folder.name}/{name} is not what was saved")
        return data

    def put(self, data: bytes) -> str:
        name = digest_of(data)[:32]
        target = self.folder / name
        if not target.exists():
            write_atomic(target, data)
        return name

    def clear(self) -> None:
        """Every blob goes (the state was found damaged: a blob of the same name would not be written again)."""
        self.prune(set())

    def prune(self, keep: set[str]) -> None:
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return
        for entry in entries:  # (write_atomic's temporary files of a killed build too)
            if entry.name not in keep:
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass


class BlobDict:
    """A dict of name -> bytes kept in Blobs: each value read on first use. What stage_state saves of it is the
    names of the values read or kept, and new blobs for the values set."""

    def __init__(self, blobs: Blobs, names: dict[str, str], values: dict[str, bytes] | None = None):
        self.blobs, self.names, self.values = blobs, names, values if values is not None else {}

    def get(self, key: str, default=None):
        value = self.values.get(key)
        if value is None:
            name = self.names.get(key)
            if name is None:
                return default
            value = self.values[key] = self.blobs.get(name)
        return value

    def __getitem__(self, key: str) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: str) -> bool:
        return key in self.names or key in self.values

    def __setitem__(self, key: str, value: bytes) -> None:
        self.names.pop(key, None)
        self.values[key] = value

    def pop(self, key: str, default=None):
        value = self.get(key, default)
        self.names.pop(key, None)
        self.values.pop(key, None)
        return value

    def update(self, pairs) -> None:
        for key, value in (pairs.items() if isinstance(pairs, dict) else pairs):
            self[key] = value

    def keys(self) -> set[str]:
        return self.names.keys() | self.values.keys()

    def __iter__(self):
        return iter(self.keys())

    def __bool__(self) -> bool:
        return bool(self.names or self.values)

    def items(self):
        return ((key, self[key]) for key in self.keys())

    def copy(self) -> "BlobDict":
        return BlobDict(self.blobs, dict(self.names), dict(self.values))

    def saved(self) -> dict[str, str]:
        """Key -> blob name, the new values written."""
        out = dict(self.names)
        for key, value in self.values.items():
            if key not in out:
                out[key] = self.blobs.put(value)
        return out


def _saved(value, blobs: Blobs) -> dict[str, str]:
    """Key -> blob name of a state field's pieces (shard -> bytes, or part -> bytes), new pieces written."""
    value = _pieces(value)
    if isinstance(value, BlobDict):  # (of this state: the same folder)
        return value.saved()
    return {key: blobs.put(data) for key, data in value.items()}


def _read_as(field: str, pieces: BlobDict):
    return ShardedDict(pieces) if field in _SHARDED else pieces


def _pieces(value):
    """A state field's pieces (key -> bytes: a dict, or a BlobDict once saved), from under a ShardedDict."""
    return value.shards if isinstance(value, ShardedDict) else value


def state_path(cache: Path, output_dir: Path) -> Path:
    return cache / f"state-{digest_of(str(output_dir.resolve()))[:16]}.pickle"


def _quick_path(path: Path) -> Path:
    return path.with_suffix(".quick")


def _heavy_path(path: Path, token: str) -> Path:
    return path.with_name(f"{path.stem}.{token}.pickle")


def _staged_path(path: Path) -> Path:
    """The small part of a state staged by a build that has not reached its commit point yet."""
    return path.with_suffix(".quick.next")


_QUICK = ("output", "files", "scanned_ns", "inputs", "summary", "templates", "token", "git", "frame")
_HEAVY = ("manifest", "records", "stubs", "dates", "teasers", "humans", "searchable", "site")


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
            blobs = Blobs(path)
            for name in _HEAVY:
                setattr(state, name, _read_as(name, BlobDict(blobs, data[name])) if name in _IN_BLOBS else data[name])
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
    blobs = Blobs(path)
    names = {name: _saved(getattr(state, name), blobs) for name in _IN_BLOBS}  # a blob of the same bytes: kept
    for name in _IN_BLOBS:
        setattr(state, name, _read_as(name, BlobDict(blobs, names[name])))
    heavy = {n: names[n] if n in _IN_BLOBS else getattr(state, n) for n in _HEAVY}
    write_atomic(_heavy_path(path, state.token),
                 pickle.dumps({"token": state.token, **heavy}, protocol=pickle.HIGHEST_PROTOCOL))
    quick = {"version": STATE_VERSION, "output_id": output_id, **{n: getattr(state, n) for n in _QUICK}}
    write_atomic(_staged_path(path), pickle.dumps(quick, protocol=pickle.HIGHEST_PROTOCOL))


def prune_blobs(path: Path, state: BuildState) -> None:
    """After a build committed `state`: the blobs no state names any more go."""
    Blobs(path).prune({name for field in _IN_BLOBS for name in _pieces(getattr(state, field)).names.values()})


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

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
    # record key -> (complete, digests, teaser digests, pending, digest of the memory's answers for its segments)
    records: dict[str, Any] = field(default_factory=dict)
    stubs: dict[str, Any] = field(default_factory=dict)  # shard -> pickled {article key: Article fields, no body}
    inputs: str = ""  # hash of every input of the build that saved this state
    summary: dict[str, Any] = field(default_factory=dict)  # that build's report, replayed by a no-change build
    templates: tuple = ()  # (hash of the template sources, per-template dependency digests)
    teasers: dict[str, bytes] = field(default_factory=dict)  # shard -> pickled {record key: teaser tuples}
    dates: tuple = ()  # (code version, {(ISO date, lang): display date}) seen in earlier builds
    humans: dict[str, tuple] = field(default_factory=dict)  # human translation key -> its reading notes
    searchable: frozenset = frozenset()  # output files that go into the search index (Page.searchable)
    git: tuple = ()  # (content folder and its repository's HEAD, first-commit times of its files) of that build
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


_QUICK = ("output", "files", "scanned_ns", "inputs", "summary", "templates", "token", "git")
_HEAVY = ("manifest", "records", "stubs", "dates", "teasers", "humans", "searchable")


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

"""Journaled in-place output, used when only a few files change.

Changed files are first written to a staging folder beside output/; then a journal listing every rename and
deletion is written and renamed into place (the commit point), the renames and deletions are applied, and the
journal is removed. A build killed before the commit point leaves output/ untouched (the staging folder is thrown
away by the next build); a build killed after it is completed by the next build (or `serve`/`watch`) before
anything else, since every journal step is idempotent. Full builds keep the classic whole-folder swap
(digest.build.output.StagedOutput).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from digest.build.output import remove_in_background, safe_join, write_atomic
from digest.build.state import promote_state


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
    path.unlink(missing_ok=True)
    remove_in_background(stage)  # the emptied staging folder, meanwhile the build goes on to its search step
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

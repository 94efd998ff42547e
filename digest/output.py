"""Write stage: the new site is written beside output/ and swapped in only when complete."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterable


class OutputError(Exception):
    pass


def safe_join(root: Path, relative: str) -> Path:
    """The path of an output file, refusing anything that would land outside `root`."""
    rel = PurePosixPath(relative)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise OutputError(f"refusing to write {relative!r}: outside the output folder")
    return root.joinpath(*rel.parts)


class StagedOutput:
    """A fresh folder next to the final output; `commit()` swaps it in, `discard()` throws it away."""

    def __init__(self, final: Path):
        self.final = final.resolve()
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.building-", dir=self.final.parent))
        self.written: list[str] = []

    def write(self, relative: str, data: bytes) -> None:
        path = safe_join(self.stage, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.written.append(relative)

    def write_all(self, files: Iterable[tuple[str, bytes]]) -> None:
        for relative, data in files:
            self.write(relative, data)

    def copy_tree(self, source: Path, prefix: str) -> None:
        """Copy a folder (static assets) as is, skipping hidden files and editor leftovers."""
        if not source.is_dir():
            return
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if path.is_dir() or any(p.startswith(".") for p in rel.parts) or path.name.endswith("~"):
                continue
            target = safe_join(self.stage, f"{prefix}/{rel.as_posix()}" if prefix else rel.as_posix())
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            self.written.append(target.relative_to(self.stage).as_posix())

    def commit(self) -> None:
        """Replace the final folder by the staged one: two renames, so readers never see a half site."""
        os.chmod(self.stage, 0o755)
        old = None
        if self.final.exists():
            old = self.final.with_name(f".{self.final.name}.old-{os.getpid()}")
            os.rename(self.final, old)
        os.rename(self.stage, self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)

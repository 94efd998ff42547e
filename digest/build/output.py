"""Write stage: the new site is written beside output/ and swapped in only when complete.

Safety rules, all enforced here:
- Nothing is written outside the output folder: every relative path goes through `safe_join`.
- One build at a time per output folder: `OutputLock` (an flock on `.<name>.lock` beside the folder). The kernel
  drops the lock when the process dies, so a killed build never leaves a stale lock behind.
- An interrupted build (Ctrl-C, SIGTERM, SIGKILL, power cut aside) leaves the previous site as it was: the new
  one is complete in `.<name>.building-*` before a single atomic exchange of the two folders (renameat2
  RENAME_EXCHANGE on Linux; elsewhere two renames, and the next build restores `.<name>.old-*` if it finds the
  output folder missing). Leftover staging folders are removed by the next build, under the lock.
- The output folder is replaced wholesale, so it must be one this generator made: an existing non-empty folder
  without our marker file is refused, as are the filesystem root, the home folder, the project and content folders.
"""
from __future__ import annotations

import errno
import functools
import os
import shutil
import tempfile
import threading
from pathlib import Path, PurePosixPath
from typing import Iterable

try:
    import fcntl
except ImportError:  # Windows: no flock; builds are then not protected against running twice at once
    fcntl = None  # type: ignore[assignment]

MARKER = ".digest-output"  # written into every output folder we make


class OutputError(Exception):
    pass


class OutputBusy(OutputError):
    """Another build holds the lock on this output folder."""


def safe_join(root: Path, relative: str) -> Path:
    """The path of an output file, refusing anything that would land outside `root`."""
    check_relative(relative)
    return root.joinpath(*PurePosixPath(relative).parts)


def check_relative(relative: str) -> None:
    """Refuse a relative output path that could leave the output folder: absolute, empty, with an empty, "." or
    ".." part, a backslash or a NUL (string tests only: the render workers check 10,000 paths per build)."""
    if ("\\" in relative or "\x00" in relative
            or any(part in ("", ".", "..") for part in relative.split("/"))):
        raise OutputError(f"refusing to write {relative!r}: outside the output folder")


# --- the lock ----------------------------------------------------------------------------------------------
_HELD: dict[Path, "OutputLock"] = {}  # locks this process holds, so nested users share one
_HELD_GUARD = threading.Lock()


class OutputLock:
    """Exclusive, non-blocking lock on one output folder for the duration of a build. Re-entrant within a process
    (the same folder locked twice by one build is one lock), refused with OutputBusy for any other process."""

    def __init__(self, final: Path):
        self.final = Path(final).resolve()
        self.path = self.final.with_name(f".{self.final.name}.lock")
        self._fd: int | None = None
        self._depth = 0
        self.recovered: list[str] = []

    def acquire(self) -> "OutputLock":
        with _HELD_GUARD:
            held = _HELD.get(self.final)
            if held is not None:
                held._depth += 1
                return held
            self.final.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        os.close(fd)
                        raise
                    holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
                    os.close(fd)
                    raise OutputBusy(f"another build is writing {self.final} right now ({holder}); wait for it to "
                                     "finish, then build again") from None
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()}".encode())
            self._fd, self._depth = fd, 1
            _HELD[self.final] = self
        # First holder: whatever an interrupted build left beside the folder is ours to repair now.
        try:
            self.recovered = recover(self.final)
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        with _HELD_GUARD:
            held = _HELD.get(self.final)
            if held is None:
                return
            held._depth -= 1
            if held._depth > 0:
                return
            del _HELD[self.final]
            if held._fd is not None:
                if fcntl is not None:
                    fcntl.flock(held._fd, fcntl.LOCK_UN)
                os.close(held._fd)
                held._fd = None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


# --- where the output may go ---------------------------------------------------------------------------------
def check_output_dir(final: Path, protected: Iterable[Path] = ()) -> None:
    """Refuse an output folder whose wholesale replacement would destroy something that is not a built site."""
    final = Path(final).resolve()
    guarded = [Path(p).resolve() for p in protected] + [Path.home().resolve()]
    if final == final.parent:
        raise OutputError(f"refusing to use the filesystem root {final} as the output folder")
    for path in guarded:
        if final == path or final in path.parents:
            raise OutputError(f"refusing to use {final} as the output folder: it contains {path}, which would be "
                              "replaced by the site; choose an empty or new folder")
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise OutputError(f"refusing to use {final} as the output folder: it is not a folder")
    if final.is_dir() and not (final / MARKER).exists() and any(final.iterdir()):
        looks_built = (final / "index.html").is_file() and (final / "ar").is_dir()
        if not looks_built:
            raise OutputError(f"refusing to replace {final}: it is not empty and was not made by this generator "
                              f"(no {MARKER} file); move it away or choose another --output")


# --- atomic swap -------------------------------------------------------------------------------------------
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.lru_cache(maxsize=None)
def _renameat2():
    """libc's renameat2, looked up once per process among the program's own symbols (dlopen(NULL): libc is always
    loaded), not through ctypes.util.find_library, which runs `ldconfig -p` in a subprocess. Only the swaps need
    it (a full build's folder, the search index's layer), so ctypes is imported here."""
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths (Linux renameat2). False if the system cannot, nothing done then."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def recover(final: Path) -> list[str]:
    """Repair what an interrupted build left beside `final` (call with the lock held); returns what was done."""
    final = Path(final).resolve()
    done: list[str] = []
    if not final.parent.is_dir():
        return done
    olds = sorted(final.parent.glob(f".{final.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if not final.exists() and olds:
        # Killed between the two renames of the fallback swap: the previous site is the newest .old folder.
        os.rename(olds.pop(), final)
        done.append(f"restored the previous {final.name}/ after an interrupted build")
    for leftover in olds + sorted(final.parent.glob(f".{final.name}.building-*")):
        shutil.rmtree(leftover, ignore_errors=True)
        done.append(f"removed {leftover.name} left by an interrupted build")
    return done


class StagedOutput:
    """A fresh folder next to the final output; `commit()` swaps it in, `discard()` throws it away.
    Holds the output lock from creation until commit/discard."""

    def __init__(self, final: Path, protected: Iterable[Path] = ()):
        self.final = Path(final).resolve()
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.lock = OutputLock(self.final).acquire()
        try:
            check_output_dir(self.final, protected)
            self.stage = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.building-", dir=self.final.parent))
        except BaseException:
            self.lock.release()
            raise
        (self.stage / MARKER).write_bytes(b"")
        self.written: list[str] = []
        self._closed = False

    def write(self, relative: str, data: bytes) -> None:
        path = safe_join(self.stage, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.written.append(relative)

    def copy_tree(self, source: Path, prefix: str) -> None:
        """Copy a folder (static assets) as is, skipping hidden files, editor leftovers and symbolic links."""
        if not source.is_dir():
            return
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if (path.is_dir() or path.is_symlink() or any(p.startswith(".") for p in rel.parts)
                    or path.name.endswith("~")):
                continue
            target = safe_join(self.stage, f"{prefix}/{rel.as_posix()}" if prefix else rel.as_posix())
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            self.written.append(target.relative_to(self.stage).as_posix())

    def commit(self) -> None:
        """Replace the final folder by the staged one in one atomic step, so readers never see a half site."""
        try:
            os.chmod(self.stage, 0o755)
            if self.final.exists() and exchange(self.stage, self.final):
                shutil.rmtree(self.stage, ignore_errors=True)  # the stage path now holds the previous site
            elif self.final.exists():
                old = self.final.with_name(f".{self.final.name}.old-{os.getpid()}")
                os.rename(self.final, old)
                os.rename(self.stage, self.final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(self.stage, self.final)
        finally:
            self._close()

    def discard(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self.lock.release()


_REMOVALS: list[threading.Thread] = []


def remove_in_background(folder: Path) -> None:
    """Remove a folder no one uses any more (an emptied staging folder) in a thread: removing folders one by one
    costs 1-2 ms each on some disks (20-40 ms after a one-article edit), time the build spends meanwhile on its
    next step. A folder left by a process killed meanwhile is a leftover the next build removes."""
    thread = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                              name="remove-staging", daemon=True)
    thread.start()
    _REMOVALS.append(thread)


def wait_for_removals() -> None:
    """Wait for the folders being removed (a build calls it before it releases its output folder)."""
    while _REMOVALS:
        _REMOVALS.pop().join()


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file whole: readers see the old bytes or the new ones, never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

"""Reading an input file with its bounds checked first: a regular file (not a FIFO, device or socket, which could
block the build forever or never end), of at most a given size, checked before a single byte is read."""
from __future__ import annotations

import os
import stat
from pathlib import Path


_CHUNK = 1 << 20


class InputRefused(ValueError):
    """The file is not a regular file, or is over the size limit; str() says which, for a one-line message."""


def read_bounded(path: Path | str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`. The type and size are checked by stat before the file
    is opened, opened without blocking (a FIFO swapped in meanwhile cannot hang us), checked again on the open
    file, and at most max_bytes + 1 bytes are ever read (a file growing meanwhile is still refused)."""
    info = os.stat(path)
    _check(info, max_bytes)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        _check(info, max_bytes)
        chunks, size = [], 0
        while size <= max_bytes:
            # os.read allocates the count it is asked for: ask for what stat said is there (plus one byte, to see
            # growth), never for max_bytes at once (a limit of 6 GB would be a 6 GB buffer for a 1 KB file)
            chunk = os.read(fd, min(max_bytes + 1 - size, max(info.st_size + 1 - size, _CHUNK)))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise InputRefused(_too_big(len(data), max_bytes))
    return data


def _check(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode)
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a file")
        raise InputRefused(f"is {kind}, not a regular file; only plain files are read")
    if info.st_size > max_bytes:
        raise InputRefused(_too_big(info.st_size, max_bytes))


def _too_big(size: int, max_bytes: int) -> str:
    return f"is {size:,} bytes, over the limit of {max_bytes:,} bytes"

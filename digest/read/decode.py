"""A content file's bytes and their text: read within a size bound, then decoded. UTF-8 is expected; UTF-16 with
a byte order mark and the legacy Arabic code pages (Windows-1256, ISO-8859-6) are accepted with a warning; anything
else is refused at the first undecodable byte. Line ends become LF."""
from __future__ import annotations

import re
from pathlib import Path

from digest.read.inputs import InputRefused, read_bounded
from digest.read.problems import ArticleError, Notes


DEFAULT_MAX_BYTES = 2_000_000  # Config.max_file_bytes (site.toml: max_file_bytes) overrides it


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (checked before opening, and while reading)."""
    try:
        return read_bounded(path, max_bytes)
    except InputRefused as exc:
        if "over the limit" in str(exc):
            raise ArticleError(f"the file {exc} (max_file_bytes in site.toml); split it or raise the limit") from None
        raise ArticleError(f"the file {exc}") from None


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_LEGACY = (("cp1256", "Windows-1256"), ("iso8859-6", "ISO-8859-6"))


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _arabic_letters(text: str) -> tuple[int, int]:
    """(Arabic letters, all non-ASCII characters) in a decoded text."""
    non_ascii = [c for c in text if c >= "\x80"]
    return sum(1 for c in non_ascii if "\u0621" <= c <= "\u064a"), len(non_ascii)


def _guess_legacy_arabic(raw: bytes) -> tuple[str, str] | None:
    """(text, encoding name) if the bytes read as Arabic in Windows-1256 or ISO-8859-6, else None.

    The two code pages share the letters hamza..dad (0xC1-0xD6) but place the rest differently, so the right one
    is the one whose decoding is mostly Arabic letters; Windows-1256 wins a tie (it is by far the more common).
    A file whose high bytes mostly form valid UTF-8 sequences is UTF-8 with damage, not a legacy file."""
    high = sum(1 for b in raw if b >= 0x80)
    if not high or sum(len(m) for m in _UTF8_SEQUENCE.findall(raw)) * 2 >= high:
        return None
    best: tuple[int, str, str] | None = None
    for codec, name in _LEGACY:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        letters, non_ascii = _arabic_letters(text)
        if letters >= 0.7 * non_ascii and (best is None or letters > best[0]):
            best = (letters, text, name)
    return (best[1], best[2]) if best else None


def decode_text(raw: bytes, notes: Notes | None = None) -> str:
    """Bytes of a content file -> text with LF line ends. UTF-8 (BOM or not) is expected; UTF-16 with a BOM and
    the legacy Arabic code pages are accepted with a warning naming the encoding assumed. Anything else is an
    ArticleError giving the byte offset of the first undecodable byte: text is never silently replaced."""
    notes = notes if notes is not None else Notes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ArticleError(f"starts with a UTF-16 byte order mark but byte offset {exc.start} is not valid "
                               "UTF-16; save the file as UTF-8") from None
        notes.add("the file is UTF-16 (byte order mark), not UTF-8; it was read as UTF-16. Save it as UTF-8")
        return _newlines(text.lstrip("\ufeff"))
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise ArticleError(f"looks like a binary file, not text (NUL byte at byte offset {nul}); articles must be "
                           "UTF-8 text files (.txt wire format or .md)", line=_line_of(raw, nul))
    try:
        return _newlines(raw[bom:].decode("utf-8"))
    except UnicodeDecodeError as exc:
        offset = exc.start + bom
    legacy = None if bom else _guess_legacy_arabic(raw)
    if legacy:
        text, name = legacy
        notes.add(f"not UTF-8: read as {name} (the encoding whose decoding gives Arabic text); "
                  "re-save the file as UTF-8 to be sure")
        return _newlines(text)
    raise ArticleError(f"not valid UTF-8 (and not Arabic Windows-1256 or ISO-8859-6): undecodable byte "
                       f"0x{raw[offset]:02x} at byte offset {offset}; fix or remove it, or save the file as UTF-8",
                       line=_line_of(raw, offset))


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

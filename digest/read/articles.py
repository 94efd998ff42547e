"""Readers: content/*.txt (newsroom wire format), content/*.md (front matter + Markdown) and the
human translations content/<stem>.en.md, into Article / HumanTranslation records."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import subprocess
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from digest.language import split_sentences, to_arabic_letters
from digest.read.inputs import InputRefused, read_bounded
from digest.read.agencies import AGENCIES, table_key
from digest.model import Article, HumanTranslation, Problem, is_structure_block
from digest.read.wire import flash_headline, is_number_line, is_trailer, split_trailing_marker, trailer_info
from digest.site.safety import (MarkdownBudget, count_unsafe_chars, defang, defuse_markdown, has_markup, markup_to_text,
                     strip_unsafe_chars)

MECCA = dt.timezone(dt.timedelta(hours=3), "AST")
# A date without a time of day is placed at 13:00 Mecca time (10:00 UTC): the same calendar day for every reader
# from UTC-10 (00:00, Hawaii) to UTC+13 (23:00, New Zealand summer), so a feed reader in the Americas or the
# Pacific shows the dateline's day. (Midday Mecca time, 09:00 UTC, would already be the day before in Hawaii.)
DATE_ONLY_TIME = dt.time(13, 0)

# Gregorian month names as written in Arabic news, Egyptian/Gulf and Levantine forms, after _fold().
_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7,
    "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8,
    "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# "بيروت 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس" (matched after _fold(): alef forms unified, digits Latin).
_GREGORIAN = re.compile(rf"(?<!\d)0*(\d{{1,2}})\s*({_MONTH_RE})\s*(\d{{4}})(?!\d)")
_HIJRI = re.compile(r"\d{1,2}\s*\S{1,20}\s*1[34]\d\d\s*ه")
_DATELINE_MAX_WORDS = 16
_DATELINE_MAX_CHARS = 200
# End markers: /انتهى/, // انتهى //, // يتبع //, optionally followed by an editor's code.
_MARKER = re.compile(r"^[\s/]*(?:انتهى|إنتهى|انتهي|يتبع)[\s/]*(?P<rest>[\w.:\s]{0,20})$")
_TIME_LINE = re.compile(r"^(\d{1,2}):(\d{2})\s*(?:ت\s*\.?\s*م|ت\.م|بتوقيت.*|GMT|جمت)?\.?$")
_CATEGORY = re.compile(r"^(?P<section>[^\s/]+(?:\s[^\s/]+)?)\s+/\s+(?P<headline>\S.*)$")
_BYLINE = re.compile(r"^[^.!?؟:،]{2,60}\s[–—-]\s?[^.!?؟:،]{2,60}$|^[^.!?؟:،]{2,60}[–—-]\s[^.!?؟:،]{2,60}$")
FRONT_MATTER_KEYS = {"title", "date", "section", "source", "slug", "summary", "place", "agency", "byline"}
TRANSLATION_KEYS = {"title", "summary", "section", "place", "byline", "agency", "source"}
_TEXT_KEYS = ("section", "source", "place", "agency", "byline", "summary")

DEFAULT_MAX_BYTES = 2_000_000  # Config.max_file_bytes (site.toml: max_file_bytes) overrides it
MAX_HEADLINE_CHARS = 300  # the longest headline in the wire corpus has 210; longer is a body on line 1


class ArticleError(Exception):
    """A content file that cannot be published; str() names the problem, .line where it helps."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class Notes:
    """Warnings collected while reading one file: (line or None, message)."""

    def __init__(self) -> None:
        self.items: list[tuple[int | None, str]] = []

    def add(self, message: str, line: int | None = None) -> None:
        if all(message != known for _, known in self.items):  # the same finding twice: the first line says it
            self.items.append((line, message))

    def problems(self, rel: str) -> tuple[Problem, ...]:
        """One warning per file (several are joined), so every file gets at most one line in the report."""
        if not self.items:
            return ()
        if len(self.items) == 1:
            line, message = self.items[0]
            return (Problem(rel, message, "warning", line),)
        joined = "; ".join(f"line {line}: {m}" if line else m for line, m in self.items)
        return (Problem(rel, f"{len(self.items)} warnings: {joined}", "warning", None),)


@dataclass(frozen=True)
class Dateline:
    place: str | None
    date: dt.date | None
    agency: str | None
    impossible: str | None = None  # the Gregorian date as written, when no such day exists (31 فبراير)


def _fold(text: str) -> str:
    """Fold alef forms and digits so dates match however the wire spelled them."""
    return re.sub("[أإآ]", "ا", text.translate(_DIGITS)).replace("ـ", "")


def parse_dateline(line: str) -> Dateline | None:
    """A wire dateline gives place, Gregorian date and agency code; None if the line is not a dateline."""
    if len(line) > _DATELINE_MAX_CHARS or len(line.split()) > _DATELINE_MAX_WORDS:
        return None  # bounded: a dateline is short, and its patterns are never run over a long line
    folded = _fold(line)
    greg = _GREGORIAN.search(folded)
    if not greg and not _HIJRI.search(folded):
        return None
    date = impossible = None
    if greg:
        try:
            date = dt.date(int(greg.group(3)), _MONTHS[greg.group(2)], int(greg.group(1)))
        except ValueError:
            impossible = greg.group(0).strip()
    first_digit = re.search(r"\d", line)  # in the line as written: folding drops tatweel, so offsets differ
    place = line[: first_digit.start()].strip(" -–،,") if first_digit else None
    tail = re.sub(r"^\s*م\b", "", (folded[greg.end():] if greg else "").strip()).strip()
    words = tail.split()
    if 0 < len(words) <= 4 and table_key(tail) in AGENCIES:  # a known code, of several words too: "أ ش أ"
        agency = " ".join(line.split()[-len(words):]).strip(" .")  # as written (the fold unified alef forms)
    else:
        agency_match = re.search(r"([^\s\d.]{2,})\s*\.?\s*$", tail)
        agency = agency_match.group(1) if agency_match and agency_match.group(1) not in ("م", "هـ") else None
    return Dateline(place=place or None, date=date, agency=agency, impossible=impossible)


MAX_SLUG_CHARS = 80
MAX_SLUG_BYTES = 120  # UTF-8 bytes: a folder name must fit 255 bytes on every filesystem, '-2' and the like included
# Names Windows cannot create (with any extension): a Pages site is also checked out on Windows machines.
_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.I)


def slugify(stem: str) -> str:
    """A URL-safe, filesystem-safe slug: letters (Arabic included), digits, '-' and '_' only; at most
    MAX_SLUG_CHARS characters and MAX_SLUG_BYTES bytes (cut at a character boundary); never a name Windows
    reserves (con, nul, com1, ...: '-article' is added)."""
    slug = re.sub(r"[^\w\-]+", "-", unicodedata.normalize("NFC", stem).strip(), flags=re.UNICODE).strip("-_").lower()
    slug = slug[:MAX_SLUG_CHARS].encode("utf-8")[:MAX_SLUG_BYTES].decode("utf-8", "ignore").rstrip("-_")
    if _WINDOWS_RESERVED.match(slug):
        slug += "-article"
    return slug or "article"


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


def _decode(raw: bytes) -> str:
    return decode_text(raw)


def _clean_chars(text: str, notes: Notes) -> str:
    """Drop bidi controls and HTML/XML-invalid characters, saying how many and where the first one was."""
    count, first = count_unsafe_chars(text)
    if count:
        notes.add(f"removed {count} invisible control character(s) (bidi overrides/isolates or characters not "
                  "allowed in HTML/XML) that could disturb the page layout or break feeds",
                  line=text.count("\n", 0, first) + 1)
        text = strip_unsafe_chars(text)
    return text


def _plain_field(text: str, what: str, notes: Notes, line: int | None) -> str:
    """A field that is plain text by definition (headline, wire paragraph, summary): markup goes, words stay."""
    if has_markup(text):
        cleaned = markup_to_text(text)
        notes.add(f"HTML markup removed from the {what} (plain text only); the words between tags were kept", line)
        text = cleaned
    defanged = defang(text)
    if defanged != text:
        notes.add(f"script-like text (javascript:/data: or on...=) in the {what} was neutralised", line)
    return defanged


class HeadlineTooLong(ArticleError):
    """The first line is a paragraph, not a headline (plain text with no headline line); .length in characters."""

    def __init__(self, message: str, line: int | None = None, length: int = 0):
        super().__init__(message, line)
        self.length = length


def _check_headline(headline: str, line: int | None) -> None:
    if len(headline) > MAX_HEADLINE_CHARS:
        raise HeadlineTooLong(f"the headline is {len(headline)} characters long (at most {MAX_HEADLINE_CHARS}): "
                              "the first line must be a short headline, with the text on the lines after it",
                              line=line, length=len(headline))


def _paragraph(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(text)) or (text,)


def _peel_trailers(body: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], tuple[int, str] | None]:
    """The body without the trailer lines that end it (end markers, time line, teletype code, initials, slugs),
    and the first time line among them as (line number, "HH:MM"). A line of bare numbers (`1258`, `2/3`) is a
    trailer only below a line that is one: alone at the end it may be the article's own figure."""
    end = len(body)
    while end and (is_trailer(_fold(body[end - 1][1])) or is_number_line(_fold(body[end - 1][1]))):
        end -= 1
    while end < len(body) and not is_trailer(_fold(body[end][1])):
        end += 1  # bare numbers above the first real trailer line stay body text
    time_line = None
    for n, line in reversed(body[end:]):
        times = trailer_info(_fold(line))
        if times:
            time_line = (n, times[0])
    return body[:end], time_line


def read_wire(text: str, notes: Notes | None = None, *, headline_line: bool = True) -> dict:
    """Parse the wire format into article fields (no date fallback here: see load_article).

    End markers are metadata, and so is a time line after them (or on the last line). Text after an end marker is
    kept as body text, with a warning: dropping it would lose words silently, and a wire item that goes on after
    `// يتبع //` is most often a continuation pasted below."""
    notes = notes if notes is not None else Notes()
    raw_lines = [(n, to_arabic_letters(line.strip())) for n, line in enumerate(text.split("\n"), 1)]
    lines: list[tuple[int, str]] = []
    markup_notes = Notes()
    for n, line in raw_lines:
        if line:
            line = _plain_field(line, "wire text", markup_notes, n).strip()
        if line:
            lines.append((n, line))
    if markup_notes.items:  # one warning for the file, pointing at the first line concerned
        first_line, message = markup_notes.items[0]
        notes.add(message.replace("the wire text", "this plain-text wire file"), first_line)
    if not lines:
        raise ArticleError("the file is empty (only blank lines): it needs a headline line and at least one "
                           "paragraph")
    if not headline_line:  # plain text with no headline (generate.py summarize --no-headline)
        lines.insert(0, (0, ""))
    first_line, headline = lines[0]
    _check_headline(headline, first_line)
    section = None
    match = _CATEGORY.match(headline)
    if match:
        section, headline = match.group("section"), match.group("headline").strip()
    body = lines[1:]
    fields: dict = {"section": section, "headline": headline}
    if body:
        dateline = parse_dateline(body[0][1])
        if dateline and dateline.impossible:
            raise ArticleError(f"the dateline gives the date '{dateline.impossible}', which does not exist; "
                               "correct the day or the month", line=body[0][0])
        if dateline:
            fields.update(place=dateline.place, agency=dateline.agency, dateline_date=dateline.date)
            body = body[1:]
        elif _BYLINE.match(body[0][1]) and len(body[0][1].split()) <= 8:
            fields["byline"] = body[0][1]
            body = body[1:]
    body, trailer_times = _peel_trailers(body)
    paragraphs: list[str] = []
    time_line: tuple[int, str] | None = trailer_times
    marker_line = None
    after_marker = 0
    for index, (n, line) in enumerate(body):
        marker = _MARKER.match(line)
        if marker:
            marker_line = marker_line or n
            rest = marker.group("rest").strip()
            if rest and _TIME_LINE.match(_fold(rest)):
                time_line = time_line or (n, rest)
            continue
        folded = _fold(line)
        if marker_line and is_trailer(folded):  # a time line or editor's code after a marker mid-item
            times = trailer_info(folded)
            time_line = time_line or ((n, times[0]) if times else None)
            continue
        line, times = split_trailing_marker(line)
        if times:
            time_line = time_line or (n, times[0])
        if line:
            paragraphs.append(line)
            if marker_line:
                after_marker += 1
    if after_marker:
        notes.add(f"{after_marker} paragraph(s) follow the end marker on line {marker_line}; they were kept as "
                  "part of the body. Remove the marker, or the text after it if it does not belong", marker_line)
    if not paragraphs:
        flash = flash_headline(section, headline)
        if flash is None:
            raise ArticleError("the article has a headline but no body text (a flash is published without one "
                               "when its headline starts with 'عاجل /')", line=first_line)
        fields.update(flash=True, section=None, headline=flash)
    time_of_day = None
    if time_line:
        found = _TIME_LINE.match(time_line[1])
        hour, minute = int(found.group(1)), int(found.group(2))
        if hour < 24 and minute < 60:
            time_of_day = (hour, minute)
        else:
            notes.add(f"'{time_line[1]}' is not a time of day; ignored (the article is dated 13:00 Mecca "
                      "time, which keeps its day everywhere)", time_line[0])
    fields["paragraphs"] = tuple(_paragraph(p) for p in paragraphs)
    fields["time_of_day"] = time_of_day
    return fields


def _key_line(text: str, key: str) -> int | None:
    """The line of `key:` in the front matter, for messages."""
    found = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


MAX_FRONT_MATTER_CHARS = 20_000
MAX_YAML_DEPTH = 20  # front matter is flat 'key: value' lines; deeper nesting is an attack or a mistake
MAX_YAML_INT_DIGITS = 30  # a longer run of digits stays text (Python refuses int() of over 4,300 digits anyway)
_YAML_LOADER: list = []


def _load_yaml(source: str) -> object:
    """yaml.safe_load without its unbounded parts: aliases (*name) are refused, since a few hundred bytes of them
    expand to gigabytes (the 'billion laughs'), nesting is capped at MAX_YAML_DEPTH, and huge integers stay text."""
    depth = deepest = 0
    for char in re.findall(r"[\[\]{}]", source):  # PyYAML's scanner is quadratic in flow nesting: look first
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_YAML_DEPTH:
        raise ArticleError(f"front matter is nested more than {MAX_YAML_DEPTH} levels deep; use plain 'key: value' "
                           "lines", line=2)
    if not _YAML_LOADER:
        import yaml

        class BoundedLoader(yaml.SafeLoader):
            depth = 0

            def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
                if self.check_event(yaml.AliasEvent):
                    mark = self.peek_event().start_mark
                    raise ArticleError("front matter uses a YAML alias (*name): aliases are not accepted (they can "
                                       "expand a few bytes into gigabytes); write the value out", line=mark.line + 2)
                self.depth += 1
                try:
                    if self.depth > MAX_YAML_DEPTH:
                        mark = self.peek_event().start_mark
                        raise ArticleError(f"front matter is nested more than {MAX_YAML_DEPTH} levels deep; use "
                                           "plain 'key: value' lines", line=mark.line + 2)
                    return super().compose_node(parent, index)
                finally:
                    self.depth -= 1

            def construct_yaml_int(self, node):  # type: ignore[no-untyped-def]
                digits = node.value.lstrip("+-0_")
                if len(digits) > MAX_YAML_INT_DIGITS:
                    return node.value
                return super().construct_yaml_int(node)

        BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
        _YAML_LOADER.append(BoundedLoader)
    loader = _YAML_LOADER[0](source)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """Return (front matter mapping, body, line number where the body starts)."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---", 4)
    if end < 0:
        raise ArticleError("front matter starts with '---' but has no closing '---' line", line=1)
    if end > MAX_FRONT_MATTER_CHARS:
        raise ArticleError(f"the front matter is {end:,} characters long (at most {MAX_FRONT_MATTER_CHARS:,}): it "
                           "holds a few 'key: value' lines, the text goes below the closing '---'", line=1)
    import yaml  # only Markdown files with front matter need it

    try:
        meta = _load_yaml(text[4:end]) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArticleError(f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}; fix the "
                           "syntax (quote values that contain ':' or '#')",
                           line=(mark.line + 2) if mark else 1) from None
    except ValueError as exc:  # PyYAML builds dates itself: 2015-02-30 fails here
        raise ArticleError(f"front matter holds an impossible date ({exc}); write a real date as YYYY-MM-DD",
                           line=_key_line(text[:end], "date") or 2) from None
    except RecursionError:
        raise ArticleError("front matter is nested too deeply to be read; use plain 'key: value' lines",
                           line=2) from None
    if not isinstance(meta, dict):
        raise ArticleError("front matter must be a mapping of keys to values (title: ..., date: ...)", line=2)
    body_start = text.find("\n", end + 1)
    body = text[body_start + 1:] if body_start >= 0 else ""
    return meta, body, text[: end].count("\n") + 3


def markdown_blocks(body: str, notes: Notes | None = None) -> list[str]:
    """Blank-line separated blocks; prose blocks are unwrapped into one line. A block nested too deeply, or with
    too much syntax for the Markdown library to read in bounded time (safety.MarkdownBudget), becomes its words
    on one line, with a warning."""
    blocks = []
    budget = MarkdownBudget()
    for block in re.split(r"\n[ \t]*\n", body.strip()):
        block = block.strip("\n")
        if not block.strip():
            continue
        block, flattened = budget.tame(block)
        if flattened and notes is not None:
            notes.add(f"a Markdown block is {flattened}; it was published as plain text (its words kept, its "
                      "lists, quotes and links not)")
        if not is_structure_block(block):
            block = " ".join(line.strip() for line in block.split("\n"))
        blocks.append(block)
    return blocks


def _meta_text(meta: dict, key: str, text: str, notes: Notes) -> str | None:
    """A front matter value that must be text (numbers are accepted as text), made plain and safe."""
    value = meta.get(key)
    if value is None:
        return None
    line = _key_line(text, key)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        raise ArticleError(f"front matter '{key}' must be text, not a {type(value).__name__}", line=line)
    return _plain_field(strip_unsafe_chars(str(value)).strip(), f"'{key}' field", notes, line)


def _unknown_keys(meta: dict, known: set[str], text: str, notes: Notes) -> None:
    unknown = sorted(str(k) for k in meta if k not in known)
    if unknown:
        notes.add(f"unknown front matter key(s) {', '.join(repr(k) for k in unknown)} ignored (known keys: "
                  f"{', '.join(sorted(known))}); check the spelling", _key_line(text, unknown[0]))


def read_markdown(text: str, notes: Notes | None = None) -> dict:
    notes = notes if notes is not None else Notes()
    meta, body, body_line = split_front_matter(text)
    _unknown_keys(meta, FRONT_MATTER_KEYS, text, notes)
    title = _meta_text(meta, "title", text, notes)
    if not title:
        raise ArticleError("front matter needs a 'title' (the headline): start the file with '---', "
                           "'title: ...', '---'", line=1)
    _check_headline(title, _key_line(text, "title"))
    blocks = []
    for block in markdown_blocks(body, notes):
        safe = defuse_markdown(block)
        if safe != block:
            notes.add("unsafe HTML or links removed from the Markdown body (script, frames, forms, event handlers, "
                      "javascript:/data: URLs)", body_line + body.count("\n", 0, max(body.find(block[:40]), 0)))
        safe = to_arabic_letters(safe)
        if safe.strip():
            blocks.append(safe)
    if not blocks:
        raise ArticleError("the article has a title but no body text", line=body_line)
    paragraphs = tuple((b,) if is_structure_block(b) else _paragraph(b) for b in blocks)
    fields = {
        "headline": to_arabic_letters(title),
        "paragraphs": paragraphs,
        "is_markdown": True,
        "front_matter": meta,
    }
    for key in _TEXT_KEYS:
        value = _meta_text(meta, key, text, notes)
        if value:
            fields[key] = to_arabic_letters(value)
    return fields


def date_only_moment(day: dt.date) -> dt.datetime:
    """A date with no time of day, as a moment that is the same calendar day for readers from UTC-10 to UTC+13."""
    return dt.datetime.combine(day, DATE_ONLY_TIME, tzinfo=MECCA)


def _front_matter_date(value: object) -> tuple[dt.datetime, bool]:
    """(the moment, whether the front matter gave a time of day)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=MECCA)), True
    if isinstance(value, dt.date):
        return date_only_moment(value), False
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return date_only_moment(dt.date.fromisoformat(text)), False
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ArticleError(f"'date: {value}' is not a date; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=MECCA)), True
    raise ArticleError(f"'date: {value!r}' is not a date; write it as YYYY-MM-DD")


# A content folder may arrive as an archive with its own .git, whose local config can name programs for git to
# run (gpg.program with log.showSignature, core.fsmonitor, core.pager, diff.external, textconv...). git is only
# ever run with these overridden (command-line -c wins over every config file) and without the system and global
# config files, so nothing a content folder's repository says can run a program.
GIT_NEUTRAL = tuple(arg for key, value in (
    ("log.showSignature", "false"), ("gpg.program", "false"), ("gpg.ssh.program", "false"),
    ("gpg.x509.program", "false"), ("core.fsmonitor", "false"), ("core.pager", "cat"), ("pager.log", "false"),
    ("diff.external", ""), ("core.hooksPath", os.devnull), ("core.sshCommand", "false"),
    ("core.alternateRefsCommand", ""), ("log.mailmap", "false"), ("core.untrackedCache", "false"),
    ("protocol.allow", "never"), ("credential.helper", ""), ("include.path", os.devnull),
) for arg in ("-c", f"{key}={value}"))


def git_environment() -> dict[str, str]:
    """The environment for git: no system or global config, no pager, no prompt, no inherited repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_PAGER="cat", PAGER="cat",
               GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_ASKPASS="false", SSH_ASKPASS="false")
    return env


def git_first_commit_times(folder: Path) -> dict[str, int]:
    """When each file under `folder` was first committed, by its "/"-separated path below `folder`: one git call
    for the whole folder, and names matched as strings (no per-file path resolution: every build pays this)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), *GIT_NEUTRAL, "-c", "core.quotePath=false", "log", "--no-show-signature",
             "--no-ext-diff", "--no-textconv", "--no-mailmap", "--diff-filter=A", "--format=%x00%ct",
             "--name-only", "--no-renames", "--relative", "--", "."],
            capture_output=True, text=True, timeout=60, check=True, env=git_environment(), stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    times: dict[str, int] = {}
    for chunk in out.split("\x00")[1:]:
        lines = chunk.strip("\n").split("\n")
        stamp = int(lines[0])
        for name in lines[1:]:
            if name:
                times[name] = stamp  # git log is newest first: the last value seen is the first commit
    return times


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (checked before opening, and while reading)."""
    try:
        return read_bounded(path, max_bytes)
    except InputRefused as exc:
        if "over the limit" in str(exc):
            raise ArticleError(f"the file {exc} (max_file_bytes in site.toml); split it or raise the limit") from None
        raise ArticleError(f"the file {exc}") from None


def _fallback_time(path: Path, committed: int | None) -> tuple[dt.datetime, str]:
    if committed is not None:
        return dt.datetime.fromtimestamp(committed, dt.timezone.utc), "git"
    try:
        return dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc), "mtime"
    except (OverflowError, OSError, ValueError):
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc), "mtime"


def load_article(path: Path, content_dir: Path, git_times: dict[str, int], *,
                 max_bytes: int = DEFAULT_MAX_BYTES, headline_line: bool = True) -> Article:
    """Read one content file; raises ArticleError naming the problem. Warnings ride on Article.warnings.
    headline_line=False: a plain-text file whose first line is body text, not a headline (an empty headline)."""
    rel = path.relative_to(content_dir).as_posix()
    raw = read_limited(path, max_bytes)
    notes = Notes()
    text = decode_text(raw, notes)
    if not text.strip():
        raise ArticleError("the file is empty (or only whitespace): it needs a headline and a body")
    text = _clean_chars(text, notes)
    fields = read_markdown(text, notes) if path.suffix.lower() == ".md" else read_wire(text, notes,
                                                                                   headline_line=headline_line)
    meta = fields.pop("front_matter", {})
    if "date" in meta:
        try:
            (published, timed), date_source = _front_matter_date(meta["date"]), "front-matter"
        except ArticleError as exc:
            exc.line = exc.line or _key_line(text, "date")
            raise
    elif fields.get("dateline_date"):
        published, date_source = date_only_moment(fields["dateline_date"]), "dateline"
        timed = fields.get("time_of_day") is not None
        if timed:
            published = published.replace(hour=fields["time_of_day"][0], minute=fields["time_of_day"][1])
    else:
        (published, date_source), timed = _fallback_time(path, git_times.get(rel)), False
    slug = slugify(path.stem)
    if meta.get("slug") is not None:
        wanted = meta["slug"]
        if isinstance(wanted, (str, int)) and not isinstance(wanted, bool) and slugify(str(wanted)) != "article":
            slug = slugify(str(wanted))
            if slug != str(wanted).strip():
                notes.add(f"slug {str(wanted)[:80]!r} is not a plain URL name (letters, digits, '-', '_'); "
                          f"published as {slug!r}", _key_line(text, "slug"))
        else:
            notes.add(f"slug {str(wanted)[:80]!r} cannot be used as a URL name; published as {slug!r} "
                      "(from the file name)", _key_line(text, "slug"))
    return Article(
        slug=slug,
        source_path=rel,
        headline=fields["headline"],
        paragraphs=fields["paragraphs"],
        published=published,
        date_source=date_source,
        section=fields.get("section"),
        place=fields.get("place"),
        agency=fields.get("agency"),
        source=fields.get("source"),
        byline=fields.get("byline"),
        is_markdown=fields.get("is_markdown", False),
        summary_override=fields.get("summary"),
        flash=fields.get("flash", False),
        timed=timed,
        content_hash=hashlib.sha256(raw).hexdigest(),
        warnings=notes.problems(rel),
    )


def load_human_translation(path: Path, content_dir: Path, notes: Notes | None = None, *,
                           max_bytes: int = DEFAULT_MAX_BYTES) -> HumanTranslation:
    notes = notes if notes is not None else Notes()
    text = decode_text(read_limited(path, max_bytes), notes)
    text = _clean_chars(text, notes)
    meta, body, _ = split_front_matter(text)
    _unknown_keys(meta, TRANSLATION_KEYS, text, notes)
    blocks = []
    for block in markdown_blocks(body, notes):
        safe = defuse_markdown(block)
        if safe != block:
            notes.add("unsafe HTML or links removed from the Markdown body")
        if safe.strip():
            blocks.append(safe)
    fields = {key: _meta_text(meta, key, text, notes) or None for key in sorted(TRANSLATION_KEYS)}
    return HumanTranslation(
        paragraphs=tuple(blocks) if blocks else None,
        source_path=path.relative_to(content_dir).as_posix(),
        **fields,
    )


# Other files in content/ (data, images) are ignored quietly; these look like articles saved in the wrong format.
_LOOKS_LIKE_AN_ARTICLE = (".text", ".markdown", ".mdown", ".htm", ".html", ".rtf", ".doc", ".docx", ".odt")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


MAX_FOLDER_DEPTH = 32


def scan_content(content_dir: Path) -> tuple[list[Path], dict[str, Path], list[Problem]]:
    """Article files, human translation files (by the stem of the article they translate) and a problem for each
    file that is refused: symbolic links leading outside the content folder, broken links, other file types.
    Hidden files and folders (and editor backups ending in '~') are skipped without a word."""
    root = content_dir.resolve()
    articles: list[Path] = []
    translations: dict[str, Path] = {}
    problems: list[Problem] = []
    top_depth = str(content_dir).rstrip(os.sep).count(os.sep)
    for folder, dirs, files in os.walk(content_dir, followlinks=False):
        here = Path(folder)
        dirs.sort()
        if dirs and folder.rstrip(os.sep).count(os.sep) - top_depth >= MAX_FOLDER_DEPTH:
            # os.walk recurses once per level: a folder tree thousands deep would end the build in RecursionError
            problems.append(Problem(os.path.relpath(folder, content_dir).replace(os.sep, "/"),
                                    f"has folders nested more than {MAX_FOLDER_DEPTH} levels below the content "
                                    "folder; they were not read (move the articles up)"))
            dirs.clear()
        for name in list(dirs):
            entry = here / name
            if name.startswith("."):
                dirs.remove(name)
            elif entry.is_symlink():
                dirs.remove(name)  # never followed: outside is refused, inside is read through its real path
                try:
                    target = entry.resolve()
                except (OSError, RuntimeError):
                    target = None
                if target is None or not _inside(target, root):
                    problems.append(Problem(entry.relative_to(content_dir).as_posix(),
                                            "is a symbolic link to a folder outside the content folder; refused "
                                            "(copy the files in instead)"))
        prefix = os.path.relpath(folder, content_dir).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        # Symbolic links from one directory listing (its file types) instead of an lstat per file.
        with os.scandir(folder) as listing:
            links = {entry.name for entry in listing if entry.is_symlink()}
        for name in sorted(files):
            if name.startswith(".") or name.endswith("~"):
                continue
            path = here / name
            rel = prefix + name
            lower = name.lower()
            is_article = lower.endswith((".txt", ".md"))
            if name in links:
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    problems.append(Problem(rel, "is a broken symbolic link; refused (remove it or fix its target)"))
                    continue
                if not _inside(target, root):
                    problems.append(Problem(rel, "is a symbolic link to a file outside the content folder; refused "
                                                 "(copy the file in instead)"))
                    continue
            if lower.endswith(".en.md"):
                # keyed by the article's path without extension: sub/foo.en.md translates sub/foo.md only
                translations.setdefault(prefix + name[: -len(".en.md")], path)
            elif is_article:
                articles.append(path)
            elif lower.endswith(_LOOKS_LIKE_AN_ARTICLE):
                problems.append(Problem(rel, "is not read: only .txt wire files and .md files are articles; "
                                             "convert or rename it", "warning"))
    articles.sort()
    return articles, translations, problems


def content_files(content_dir: Path) -> tuple[list[Path], dict[str, Path]]:
    """Article files and human translation files (by the stem of the article they translate), sorted."""
    articles, translations, _ = scan_content(content_dir)
    return articles, translations


def _distinct_slugs(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Two files with the same slug both get published: the first (in file name order) keeps it, the next one
    gets '-2', '-3', ... and a warning naming the file it collides with."""
    taken: dict[str, str] = {}
    result: list[Article] = []
    problems: list[Problem] = []
    for article in articles:
        slug = article.slug
        if slug in taken:
            number = 2
            while f"{slug}-{number}" in taken:
                number += 1
            new = f"{slug}-{number}"
            other = taken[slug]
            why = ""
            if unicodedata.normalize("NFC", other) == unicodedata.normalize("NFC", article.source_path):
                why = (" (the two file names differ only in how their letters are encoded, NFC vs NFD: they look "
                       "the same but are two files)")
            elif other.casefold() == article.source_path.casefold():
                why = " (the two file names differ only in upper/lower case)"
            problems.append(Problem(article.source_path, f"its URL name {slug!r} is already used by {other!r}"
                                    f"{why}; published as {new!r} instead (rename the file or set 'slug:' so the "
                                    "URL stays stable)", "warning"))
            article = replace(article, slug=new)
        taken[article.slug] = article.source_path
        result.append(article)
    return result, problems


def _stem(rel: str) -> str:
    """A relative POSIX path without its extension, folders kept ("sub/foo.md" -> "sub/foo"): a translation
    sub/foo.en.md belongs to sub/foo.md, never to a top-level foo.md. No Path built: load_content does it per
    article."""
    folder, _, name = rel.rpartition("/")
    i = name.rfind(".")
    name = name[:i] if 0 < i < len(name) - 1 else name
    return f"{folder}/{name}" if folder else name


def relative_to(base: Path) -> Callable[[Path | str], str]:
    """path -> its "/"-separated path below `base`, for paths found by walking `base`: a string prefix is enough,
    and far cheaper than pathlib per file when there are thousands."""
    cut = len(str(base)) + 1
    return lambda path: str(path)[cut:].replace(os.sep, "/")


def load_content(content_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, load: Callable[..., Article] | None = None,
                 scanned: tuple | None = None, git_times: dict[str, int] | None = None,
                 load_human: Callable[..., Any] | None = None,
                 ) -> tuple[list[Article], dict[str, HumanTranslation], list[Problem]]:
    """Every publishable article, the human translations by slug, and at most one problem per file.
    `load` stands in for load_article (same arguments): the build passes a cached one, and the scan_content
    result and git times it already has (`scanned`, `git_times`), so the folder is walked and git run once.
    `load_human` stands in for load_human_translation (the build's cached one gives back a cache key)."""
    load = load or load_article
    load_human = load_human or load_human_translation
    paths, translation_paths, problems = scanned if scanned is not None else scan_content(content_dir)
    problems = list(problems)
    if git_times is None:
        git_times = git_first_commit_times(content_dir)
    articles: list[Article] = []
    skipped_stems: set[str] = set()
    rel_of = relative_to(content_dir)
    for path in paths:
        rel = rel_of(path)
        try:
            article = load(path, content_dir, git_times, max_bytes=max_bytes)
        except ArticleError as exc:
            problems.append(Problem(rel, str(exc), "error", exc.line))
            skipped_stems.add(_stem(rel))
            continue
        except OSError as exc:
            problems.append(Problem(rel, f"cannot read the file: {exc.strerror or exc}", "error"))
            skipped_stems.add(_stem(rel))
            continue
        except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop the others
            problems.append(Problem(rel, f"could not be read ({type(exc).__name__}: {exc}); this is a bug in the "
                                         "reader, please report it with the file", "error"))
            skipped_stems.add(_stem(rel))
            continue
        articles.append(article)
    articles, collisions = _distinct_slugs(articles)
    by_stem: dict[str, Article] = {}
    for article in articles:
        by_stem.setdefault(_stem(article.source_path), article)
        warnings = list(article.warnings)
        collision = [p for p in collisions if p.path == article.source_path]
        if collision and warnings:  # still one line per file
            warnings = [Problem(article.source_path, f"{collision[0].message}; {warnings[0].message}", "warning",
                                warnings[0].line)]
        elif collision:
            warnings = collision
        problems.extend(warnings)
    humans: dict[str, HumanTranslation] = {}
    for stem, path in translation_paths.items():
        rel = rel_of(path)  # a string cut: pathlib per file costs 0.1 s at 4,500 translations
        if stem not in by_stem:
            reason = ("the article it translates could not be published (see its error)" if stem in skipped_stems
                      else f"there is no article {stem}.txt or {stem}.md for it to translate")
            problems.append(Problem(rel, f"translation ignored: {reason}", "warning"))
            continue
        notes = Notes()
        try:
            humans[by_stem[stem].slug] = load_human(path, content_dir, notes, max_bytes=max_bytes)
        except ArticleError as exc:
            problems.append(Problem(rel, f"translation ignored: {exc}", "warning", exc.line))
            continue
        except OSError as exc:
            problems.append(Problem(rel, f"translation ignored: cannot read the file: {exc.strerror or exc}",
                                    "warning"))
            continue
        problems.extend(notes.problems(rel))
    return articles, humans, problems

"""The wire format (content/*.txt): newsroom copy as agencies send it, read into article fields.

Line 1 is the headline (`section / headline` gives a section); then an optional dateline (place, Gregorian date,
agency code: `الرياض 10 أغسطس 2015 م واس`) or byline; then the body, one paragraph per line; then trailers.

A trailer is metadata, never body text: the end marker (`// انتهى //`, `// يتبع //`, `(النهاية)`), the time line
(`10:14 ت م`, `12:58 بتوقيت مكة`, `0912 GMT`), the teletype end-of-message code `NNNN`, editors' initials (`ح م`,
`ع.ح / س ع`) and numbered slugs (`ب ق/ع ش/ 1215`, `KUNA 101258`). Agencies combine them on one line or several.
A line is a trailer only when every token on it is one of these and it holds no word of ordinary prose, so a real
last sentence is never mistaken for one; the reader looks for trailers only at the end of an item and after an
end marker.

A flash is a one-line breaking-news item, `عاجل / headline` with no body: it is published as a brief.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from digest.language import to_arabic_letters
from digest.read.agencies import AGENCIES, table_key
from digest.read.fields import check_headline, paragraph_sentences, plain_field
from digest.read.problems import ArticleError, Notes


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
MAX_TRAILER_CHARS = 80

# Time of day with its zone: "17:45 ت م" (توقيت مكة), "12:58 بتوقيت مكة المكرمة", "0912 GMT" (agency form).
_TIME = re.compile(r"(?<![\d:])(?P<h>\d{1,2}):(?P<m>\d{2})(?![\d:])")
_ZONE_PHRASE = re.compile(r"(?:ب?توقيت|بتوقيت)\s+(?:مكة(?:\s+المكرمة)?|غرينتش|غرينيتش|جرينتش|السعودية|الرياض|"
                          r"القاهرة|بيروت|دمشق|بغداد|عمان|الدوحة|ابوظبي|أبوظبي|دبي|الكويت|المنامة|مسقط|"
                          r"المحلي|محلي)")
_MARKER_WORDS = r"انتهى|إنتهى|انتهي|يتبع|النهاية|نهاية"
_TELETYPE = re.compile(r"^(?:N{4,}|n{4,}|ن{4,})$")
# Two-letter Arabic words that are prose, not initials, even alone on a line.
_PROSE_PAIRS = {"في", "من", "عن", "لا", "ما", "قد", "هو", "هي", "او", "أو", "ان", "إن", "أن", "لم", "لن", "كل",
                "مع", "به", "له", "لك", "ذا", "يا", "كم", "ثم", "بل", "اذ", "إذ", "إذا"}
_TOKEN = re.compile(r"[^\s/\\|()\[\]\-–—.,:؛،*=+]+")
_ZONE_TOKENS = {"GMT", "UTC", "جمت", "غ", "ت.م"}


def _is_code_token(token: str) -> bool:
    if _TELETYPE.match(token) or token in _ZONE_TOKENS:
        return True
    if token.isdigit():
        return len(token) <= 6
    if re.fullmatch(r"[\u0621-\u064a]{1,2}", token):  # initials: ح م, حم, ع ع
        return token not in _PROSE_PAIRS
    if re.fullmatch(r"[A-Z]{1,6}|[a-z]{1,3}", token):  # agency code or Latin initials: KUNA, SPA, hm
        return True
    return bool(re.fullmatch(f"(?:{_MARKER_WORDS})", token))


def trailer_info(line: str) -> tuple[str, ...] | None:
    """The times of day ("HH:MM") a trailer line gives, or None when the line is not a trailer line.

    Every token must be a time, zone, end-marker word, teletype code, initials or slug number, and at least one
    must be more than a bare number (a line "2015" is body text)."""
    text = line.translate(_DIGITS).strip()
    if not text or len(text) > MAX_TRAILER_CHARS:
        return None
    times = tuple(f"{m.group('h')}:{m.group('m')}" for m in _TIME.finditer(text))
    rest = _ZONE_PHRASE.sub(" ", _TIME.sub(" ", text))
    rest = re.sub(r"ت\s*\.\s*م", " ", rest)  # "ت.م" written with a full stop
    tokens = _TOKEN.findall(rest)
    if not all(_is_code_token(t) for t in tokens):
        return None
    if not times and all(t.isdigit() for t in tokens):
        return None
    if not times and not tokens:  # punctuation only ("//", "---"): a separator, also furniture
        return () if re.fullmatch(r"[/\\\-–—_*=.\s]{2,}", text) else None
    return times


def is_trailer(line: str) -> bool:
    return trailer_info(line) is not None


def is_number_line(line: str) -> bool:
    """Bare numbers (`1258`, `2/3`, `(1/2)`): a slug number or an HHMM time below a trailer line; alone, body."""
    return bool(re.fullmatch(r"[\s(\[]*\d{1,6}(?:\s*[/\-]\s*\d{1,6})?[\s)\].]*", line.translate(_DIGITS)))


# A body line that ends with the end marker, and maybe a trailer after it on the same line.
_TRAILING_MARKER = re.compile(rf"\s*/{{1,2}}\s*(?:{_MARKER_WORDS})\s*/{{1,2}}(?P<rest>[^/]{{0,{MAX_TRAILER_CHARS}}})$")


def split_trailing_marker(line: str) -> tuple[str, tuple[str, ...]]:
    """(the line without an end marker closing it, times given after that marker). A line whose text after the
    marker is not a trailer is returned whole."""
    found = _TRAILING_MARKER.search(line) if "/" in line else None  # the marker has slashes: most lines have none
    if not found:
        return line, ()
    rest = found.group("rest").strip()
    times = trailer_info(rest) if rest else ()
    if times is None:
        return line, ()
    return line[: found.start()].rstrip(), times


# "عاجل / ...", "عاجل: ...", "عاجل - ...", "خبر عاجل | ...": the flash mark before a headline.
_FLASH_SECTION = re.compile(r"^(?:خبر\s+)?عاجل(?:\s+جدا)?$")
_FLASH_PREFIX = re.compile(r"^(?:خبر\s+)?عاجل\s*[:/|\-–—]+\s*(?=\S)")


def flash_headline(section: str | None, headline: str) -> str | None:
    """The headline of a flash without its mark, or None when the item is not marked as a flash."""
    if section and _FLASH_SECTION.match(section.strip()):
        return headline
    found = _FLASH_PREFIX.match(headline)
    return headline[found.end():].strip() if found else None


# --- Datelines and the reader -------------------------------------------------------------------------------------
# Gregorian month names as written in Arabic news, Egyptian/Gulf and Levantine forms, after _fold().
_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7,
    "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8,
    "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))

# "بيروت 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس" (matched after _fold(): alef forms unified, digits Latin).
_GREGORIAN = re.compile(rf"(?<!\d)0*(\d{{1,2}})\s*({_MONTH_RE})\s*(\d{{4}})(?!\d)")
_HIJRI = re.compile(r"\d{1,2}\s*\S{1,20}\s*1[34]\d\d\s*ه")
_DATELINE_MAX_WORDS = 16
_DATELINE_MAX_CHARS = 200


@dataclass(frozen=True)
class Dateline:
    """What a wire dateline gives: `الرياض 10 أغسطس 2015 م واس` -> place, Gregorian date, agency as written."""

    place: str | None
    date: dt.date | None
    agency: str | None
    impossible: str | None = None  # the Gregorian date as written, when no such day exists (31 فبراير)


def _fold(text: str) -> str:
    """Fold alef forms and digits so dates match however the wire spelled them."""
    if _OTHER_DIGITS.search(text):  # the per-character translation only where there are digits to change
        text = text.translate(_DIGITS)
    return _ALEF_FORMS.sub("ا", text).replace("ـ", "")


_OTHER_DIGITS = re.compile("[٠-٩۰-۹]")  # the keys of _DIGITS
_ALEF_FORMS = re.compile("[أإآ]")


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


# End markers: /انتهى/, // انتهى //, // يتبع //, optionally followed by an editor's code.
_MARKER = re.compile(r"^[\s/]*(?:انتهى|إنتهى|انتهي|يتبع)[\s/]*(?P<rest>[\w.:\s]{0,20})$")
_TIME_LINE = re.compile(r"^(\d{1,2}):(\d{2})\s*(?:ت\s*\.?\s*م|ت\.م|بتوقيت.*|GMT|جمت)?\.?$")
_CATEGORY = re.compile(r"^(?P<section>[^\s/]+(?:\s[^\s/]+)?)\s+/\s+(?P<headline>\S.*)$")
_BYLINE = re.compile(r"^[^.!?؟:،]{2,60}\s[–—-]\s?[^.!?؟:،]{2,60}$|^[^.!?؟:،]{2,60}[–—-]\s[^.!?؟:،]{2,60}$")


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
            line = plain_field(line, "wire text", markup_notes, n).strip()
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
    check_headline(headline, first_line)
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
        folded = _fold(line) if marker_line else ""
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
    fields["paragraphs"] = tuple(paragraph_sentences(p) for p in paragraphs)
    fields["time_of_day"] = time_of_day
    return fields

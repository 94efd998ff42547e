"""Wire copy's own furniture: the trailer lines agencies put after a story, and flashes.

A trailer is metadata, never body text: the end marker (`// انتهى //`, `// يتبع //`, `(النهاية)`), the time line
(`10:14 ت م`, `12:58 بتوقيت مكة`, `0912 GMT`), the teletype end-of-message code `NNNN`, editors' initials (`ح م`,
`ع.ح / س ع`) and numbered slugs (`ب ق/ع ش/ 1215`, `KUNA 101258`). Agencies combine them on one line or several.
A line is a trailer only when every token on it is one of these and it holds no word of ordinary prose, so a real
last sentence is never mistaken for one; the reader looks for trailers only at the end of an item and after an
end marker.

A flash is a one-line breaking-news item, `عاجل / headline` with no body: it is published as a brief.
"""
from __future__ import annotations

import re

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
    found = _TRAILING_MARKER.search(line)
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

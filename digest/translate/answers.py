"""Which texts need a translator, and whether an answer is a translation: a bad answer (an error page, a quota
message, the source echoed back, text still in Arabic) must never be cached or published."""
from __future__ import annotations

import re
from typing import Any

from digest.language import ARABIC_LETTER
from digest.translate.memory import normalise

_HTML = re.compile(r"<\s*(!doctype|html|head|body|title|script|style|div|span|table|h[1-6]|pre|center|br|p)\b[^>]*>",
                   re.IGNORECASE)
_ERROR_ANYWHERE = re.compile(
    r"MYMEMORY WARNING|QUERY LENGTH LIMIT EXCEED|INVALID (SOURCE|TARGET) LANGUAGE|PLEASE SELECT TWO DISTINCT"
    r"|Traceback \(most recent call last\)|\bHTTP/\d(\.\d)? [45]\d\d\b", re.IGNORECASE)
_ERROR_START = re.compile(
    r"^\W*(\d{3}\W+)?(error\b\W*(\d|:|$)|exception\b\W*[:(]|internal server error|service (temporarily )?unavailable"
    r"|bad gateway|gateway time-?out|too many requests|rate limit(ed| exceeded)?\b|quota exceeded|not found$"
    r"|forbidden$|unauthori[sz]ed$|access denied)|^\s*\{\s*\"(error|detail|message)\"", re.IGNORECASE)


def needs_translation(text: str, source: str = "ar") -> bool:
    """A segment with no word of the source language ("2015", "(SPA)") is its own translation."""
    if source in ("ar", "fa", "ur"):
        return bool(ARABIC_LETTER.search(text))
    return any(ch.isalpha() for ch in text)


def arabic_share(text: str) -> float:
    """The share of the letters of `text` that are Arabic (0 when it has no letter)."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if ARABIC_LETTER.match(ch)) / len(letters) if letters else 0.0


def garbage_reason(source: str, answer: Any) -> str | None:
    """Why an answer is no translation at all (an error page, a quota message, the source echoed), or None. This is
    also checked on a batch's whole answer: garbage for a batch is not worth asking again line by line."""
    if not isinstance(answer, str):
        return "no text in the answer"
    text = answer.strip()
    if not text:
        return "empty answer"
    if normalise(text) == normalise(source):
        return "answer identical to the source"
    if "<" not in source and _HTML.search(text):
        return "answer looks like an HTML page"
    if _ERROR_ANYWHERE.search(text) or _ERROR_START.search(text):
        return "answer looks like an error message"
    return None


def reject_reason(source: str, answer: Any, target: str = "en") -> str | None:
    """Why an answer is not a usable translation of `source`, or None when it is."""
    reason = garbage_reason(source, answer)
    if reason is not None:
        return reason
    text = answer.strip()
    if target not in ("ar", "fa", "ur") and arabic_share(text) > 0.5:
        return "answer still mostly in Arabic script"
    # No "too short" rule: terse translations, abbreviations and headline-style answers are legitimate, and a
    # length heuristic would silently drop a real answer. Truncated garbage is caught by the checks above.
    if len(text) > 6 * len(source) + 200:
        return "answer far too long for the source"
    return None

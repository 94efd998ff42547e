"""Only words go to the translator: inline Markdown, URLs, e-mail addresses and codes become placeholders.

A segment is sent as its words with every inline element replaced by a placeholder `ZXQ<n>` (n = 1, 2, ... in
order). Literal elements (URLs, e-mail addresses, @handles, code spans, inline HTML, entities, escapes, stray
Markdown marks, codes such as `1MDB`, `F-16`, `3.5%`, `10:30`) come back verbatim; wrapping elements (links,
images, emphasis) come back as their marks around the translation of their text, which is a segment of its own (a
link's text is sent, never its target; an image's alt text, never its src). An answer must hold every placeholder
of its request exactly once, or it is rejected like garbage.

Why `ZXQ<n>`: in Arabic source text a Latin capital-letter code is copied verbatim by machine translation engines
(it reads as an acronym or product code), while punctuation-based forms are rewritten in the wild: `%s` -> `% s`,
`[9]` -> `[9 ]`, `###T01###` squeezed by LibreTranslate, `{xx1xx}` translated by AWS. Placeholders are padded with
spaces where they touch a letter, and found again tolerating a changed case or a space inside (`Zxq 1`).
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

PLACEHOLDER = "ZXQ{}"  # as sent; inside a protected text a placeholder is n between two private-use marks
_MARK = "\ue000{}\ue001"
_MARKED = re.compile("\ue000(\\d+)\ue001")
_SENT = re.compile(r"ZXQ(\d+)")
_FOUND = re.compile(r"Z\s?X\s?Q\s?(\d+)", re.IGNORECASE)

# Every length is bounded, so the scan stays linear on hostile input (no unbounded lazy run before a backreference).
_INLINE = re.compile(
    r"(?=[`!\[\]<*_~\\&@:\ue000\ue001A-Za-z0-9])"  # where an element can start: other positions fail at once
    r"(?:(?P<code>(?P<ticks>`{1,3})[^`\n]{1,500}?(?P=ticks))"
    r"|(?P<image>!\[(?P<alt>[^\[\]\n]{0,300})\](?P<src>\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}"
    r"(?:\s+\"[^\"\n]{0,300}\")?\)))"
    r"|(?P<link>\[(?P<text>[^\[\]\n]{1,300})\](?P<target>\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}"
    r"(?:\s+\"[^\"\n]{0,300}\")?\)|\[[^\[\]\n]{0,100}\]))"
    r"|(?P<auto><(?:https?://|mailto:)[^<>\s]{1,2000}>|<[^<>\s@]{1,64}@[^<>\s@]{1,255}>)"
    r"|(?P<html></?[A-Za-z][A-Za-z0-9-]{0,20}(?:\s[^<>\n]{0,500})?/?>)"
    r"|(?P<url>(?:[A-Za-z][A-Za-z0-9+.-]{0,15}://|www\.)[^\s<>\"'()\[\]]{0,2000}[^\s<>\"'()\[\].,;:!?،؛؟])"
    r"|(?P<email>[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24})"
    r"|(?P<handle>@[A-Za-z0-9_]{0,30})"
    r"|(?P<strong>(?P<smark>\*\*|__|~~)(?=\S)(?P<stext>[^\n]{0,300}?\S)(?P=smark))"
    r"|(?P<em>(?P<emark>[*_])(?=[^\s*_])(?P<etext>[^*_\n]{0,300}?[^\s*_])(?P=emark))"
    r"|(?P<escape>\\[\\`*_{}\[\]()#+\-.!|~<>])"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<marks>[`*_~\[\]\ue000\ue001]+|ZXQ\d*|://)"
    r"|(?P<token>(?<![A-Za-z0-9])[A-Za-z0-9][A-Za-z0-9.,:/%+-]{0,40}))",
    re.IGNORECASE)
_CODE_TRAIL = ".,:/+-"
# Text with none of these holds no element (plain Arabic, plain numbers): not scanned at all.
_MAYBE = re.compile(r"[`!\[\]<*_~\\&@\ue000\ue001A-Za-z]|\d[A-Za-z.,:/%+-]")


@dataclass(frozen=True)
class Slot:
    """What a placeholder stands for: `text` verbatim, or `before` + English of `inner` + `after`."""

    text: str  # the element as written in the source
    inner: str | None = None  # the words inside a link, image alt or emphasis: translated as a segment
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Protected:
    text: str  # the segment with placeholders
    slots: tuple[Slot, ...]


def _is_code(token: str) -> bool:
    """A number that a translator must not reformat: digits with Latin letters or separators (1MDB, F-16, 3.5%,
    10:30, 2/11/1436). A plain number (2015) and a word without digits (OCBC) are left to the translator."""
    core = token.rstrip(_CODE_TRAIL)
    return any(c.isdigit() for c in core) and not core.isdigit()


def _slot(match: re.Match[str]) -> Slot | None:
    kind, whole = match.lastgroup, match.group(0)
    inner = before = after = None
    if kind == "token":
        core = whole.rstrip(_CODE_TRAIL)
        return Slot(core) if _is_code(core) else None
    if kind == "image":
        inner, before, after = match.group("alt"), "![", "]" + match.group("src")
    elif kind == "link":
        inner, before, after = match.group("text"), "[", "]" + match.group("target")
    elif kind == "strong":
        inner, before = match.group("stext"), match.group("smark")
        after = before
    elif kind == "em":
        inner, before = match.group("etext"), match.group("emark")
        after = before
    if inner is None or not inner.strip():
        return Slot(whole)
    return Slot(whole, " ".join(inner.split()), before, after)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=65536)  # a segment is protected when planned, looked up and put together
def protect(text: str) -> Protected:
    """`text` with its inline elements replaced by placeholders, and what each stands for."""
    if not _MAYBE.search(text):
        return Protected(text, ())
    slots: list[Slot] = []
    parts: list[str] = []
    last = 0
    pos = 0
    while (match := _INLINE.search(text, pos)) is not None:
        slot = _slot(match)
        if slot is None:  # a word or number left to the translator: an element may still start inside it
            pos = match.start() + 1
            continue
        pos = match.start() + len(slot.text)
        parts.append(text[last:match.start()])
        slots.append(slot)
        parts.append(_MARK.format(len(slots)))
        last = pos
    parts.append(text[last:])
    return Protected("".join(parts), tuple(slots))


def inner_segments(text: str) -> list[str]:
    """The link texts, image alt texts and emphasised words of `text` (nested ones too; each is shorter than the
    text it is in, so this ends): segments of their own."""
    out: list[str] = []
    for slot in protect(text).slots:
        if slot.inner is not None:
            out.extend(inner_segments(slot.inner))
            out.append(slot.inner)
    return out


def slots_in(text: str, slots: tuple[Slot, ...]) -> tuple[Slot, ...]:
    """The slots whose placeholders are in `text` (a chunk of a protected segment)."""
    return tuple(slots[int(n) - 1] for n in _MARKED.findall(text))


def unprotect(text: str, slots: tuple[Slot, ...]) -> str:
    """The source text again (for a chunk of a protected segment: its memory key)."""
    return _MARKED.sub(lambda m: slots[int(m.group(1)) - 1].text, text)


def for_request(text: str) -> str:
    """A protected text as sent: `ZXQ<n>` for each placeholder, with a space where it would touch a letter or a
    digit, so it stays a word of its own."""
    def placeholder(match: re.Match[str]) -> str:
        before = match.string[match.start() - 1: match.start()]
        after = match.string[match.end(): match.end() + 1]
        pad_before = " " if before and (before.isalnum() or before == "\ue001") else ""
        pad_after = " " if after and (after.isalnum() or after == "\ue000") else ""
        return pad_before + PLACEHOLDER.format(match.group(1)) + pad_after

    return _MARKED.sub(placeholder, text).replace("  ", " ")


def has_placeholders(text: str) -> bool:
    return "\ue000" in text


def placeholder_problem(sent: str, answer: str) -> str | None:
    """Why `answer` does not hold the placeholders of `sent` exactly once each, or None."""
    expected = Counter(_SENT.findall(sent))
    found = Counter(str(int(n)) for n in _FOUND.findall(answer))
    if found == expected:
        return None
    if any(found[n] > expected[n] for n in found):
        return "answer duplicated or garbled a placeholder"
    return "answer lost a placeholder"


def restore(answer: str, slots: tuple[Slot, ...], english: Callable[[str], str | None]) -> str | None:
    """The answer with every placeholder replaced by what it stands for; None while the English of a link text
    (or alt text, or emphasised words) is missing. Call only for an answer that passed placeholder_problem."""
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        slot = slots[int(match.group(1)) - 1]
        if slot.inner is None:
            return slot.text
        inner = english(slot.inner)
        if inner is None:
            missing = True
            return ""
        return slot.before + inner + slot.after

    text = _FOUND.sub(fill, answer)
    return None if missing else text


def keeps_elements(translation: str, slots: tuple[Slot, ...]) -> bool:
    """Does a stored translation still hold every element verbatim (every URL, code, link and image target)?"""
    return all((slot.text if slot.inner is None else slot.after) in translation for slot in slots)

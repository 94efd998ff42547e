"""What is sent to the translator, in which requests, and the English put together from the answers.

    segment (the memory's unit) -> protected text (protect.py: placeholders for links, URLs, codes...)
      -> chunks under the backend's limit (each chunk's source text is its memory key, as before)
      -> lines of batched requests (as many as fit the backend's request budget, one line per chunk)
      -> answers checked line by line (engine.py, answers.py) -> placeholders restored -> memory

A link text, image alt text or emphasised phrase is a segment of its own (sent in the same batches); the chunk
holding its placeholder is complete, and stored in the memory, once that English is known too.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

from digest.translate.memory import TranslationMemory
from digest.translate.protect import (Slot, for_request, inner_segments, keeps_elements, protect, restore, slots_in,
                                      unprotect)
# Largest request each backend gets, in characters (settings.LIMITS). deep-translator refuses Google text of 5,000
# characters or more and MyMemory text of 500 or more; the others have no client-side limit, so keep every request
# under 5,000. A chunk (the memory's unit for a long sentence) has at most this many characters too.
from digest.translate.settings import LIMITS

# deep-translator puts the text in the URL's query string for Google (GET), DeepL (GET), MyMemory (GET) and
# LibreTranslate (POST with query parameters); only Microsoft sends a JSON body. Google answers 400 once the URL
# passes about 16 KB (deep-translator issue #224: 1,800 CJK characters pass, 1,900 fail), and an Arabic letter
# takes 6 bytes percent-encoded, so a batch is also kept under this many bytes of encoded text. A server with a
# smaller limit answers 400/413/414: the batch is then halved (engine.py).
URL_BUDGET = {"google": 12_000, "libre": 12_000, "mymemory": 12_000, "deepl": 12_000}
# A batch has at most this many characters where that is less than LIMITS: libretranslate.com refuses more than
# 2,000 (LibreTranslate issue #437), and a self-hosted server on a small CPU takes seconds per sentence.
BATCH_CHARS = {"libre": 2000}
SEPARATOR = "\n"  # one chunk per line


@dataclass(frozen=True)
class Unit:
    """One line of a request."""

    sent: str  # the text sent: the chunk with `ZXQ<n>` placeholders
    key: str  # the chunk's source text: its memory key
    slots: tuple[Slot, ...]  # what its placeholders stand for


_CLAUSE_END = re.compile(r"[.!?؟۔،؛,;:]\s")


def split_for_limit(text: str, limit: int) -> list[str]:
    """Cut `text` into chunks of at most `limit` characters: after clause punctuation when one falls in the second
    half of the window, else at the last space; a single word longer than the limit is the only thing cut."""
    rest = " ".join(text.split())
    chunks: list[str] = []
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for match in _CLAUSE_END.finditer(window):
            if match.start() + 1 >= limit // 2:
                cut = match.start() + 1
        if cut < 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        chunks.append(rest)
    return chunks


def chunks_of(segment: str, limit: int) -> list[tuple[str, str, tuple[Slot, ...]]]:
    """(memory key, protected chunk, slots) of each chunk of `segment`. Without inline elements the chunks are
    exactly those of split_for_limit(segment), so memories written before placeholders existed are still found."""
    protected = protect(segment)
    if not protected.slots:
        return [(chunk, chunk, ()) for chunk in split_for_limit(segment, limit)]
    out = []
    for chunk in split_for_limit(protected.text, limit):
        out.append((unprotect(chunk, protected.slots), chunk, slots_in(chunk, protected.slots)))
    return out


def memory_keys(segment: str, limit: int) -> list[str]:
    """Every memory entry `segment` uses: its chunks, and those of its link texts, alt texts, emphasis."""
    keys = [key for key, _, _ in chunks_of(segment, limit)]
    for inner in inner_segments(segment):
        keys.extend(key for key, _, _ in chunks_of(inner, limit))
    return keys


def stored_english(memory: TranslationMemory, key: str, slots: tuple[Slot, ...]) -> str | None:
    """A memory entry, unless it lost an element (an entry written before placeholders may have a rewritten URL)."""
    hit = memory.get(key)
    return hit if hit is not None and keeps_elements(hit, slots) else None


class RequestPlan:
    """The units to send for a set of segments, and their English as answers arrive."""

    def __init__(self, memory: TranslationMemory, limit: int, needs: Callable[[str], bool]) -> None:
        self.memory, self.limit, self.needs = memory, limit, needs
        self.english: dict[str, str] = {}  # memory key -> English
        self.cached: set[str] = set()  # keys found in the memory
        self.units: dict[str, Unit] = {}  # sent text -> unit still to translate, in order of need
        self._answered: dict[str, tuple[Unit, str]] = {}  # key -> (unit, checked answer) waiting for inner English
        self._queued: set[str] = set()  # keys of self.units
        self._chunks: dict[str, list[tuple[str, str, tuple[Slot, ...]]]] = {}

    def chunks(self, segment: str) -> list[tuple[str, str, tuple[Slot, ...]]]:
        found = self._chunks.get(segment)
        if found is None:
            found = self._chunks[segment] = chunks_of(segment, self.limit)
        return found

    def add(self, segment: str) -> None:
        for text in [*inner_segments(segment), segment]:
            if not self.needs(text):
                continue
            for key, chunk, slots in self.chunks(text):
                if key in self.english or key in self._answered or key in self._queued:
                    continue
                hit = stored_english(self.memory, key, slots)
                if hit is not None:
                    self.english[key] = hit
                    self.cached.add(key)
                    continue
                unit = Unit(for_request(chunk), key, slots)
                if self.needs(chunk):
                    self.units.setdefault(unit.sent, unit)
                    self._queued.add(key)
                else:  # only placeholders: nothing to send, the English is the elements around their English
                    self._answered[key] = (unit, unit.sent)
        self._complete()

    def arrived(self, answers: dict[str, str]) -> None:
        """Checked answers {sent text: English with placeholders}: restored, kept and stored once complete."""
        for sent, answer in answers.items():
            unit = self.units.get(sent)
            if unit is not None and unit.key not in self.english:
                self._answered[unit.key] = (unit, answer)
        self._complete()

    def _complete(self) -> None:
        progress = True
        while progress and self._answered:
            progress = False
            for key, (unit, answer) in list(self._answered.items()):
                text = restore(answer, unit.slots, self.segment_english)
                if text is not None:
                    del self._answered[key]
                    self.english[key] = text.strip()
                    self.memory.put(key, text.strip())
                    progress = True

    def segment_english(self, segment: str) -> str | None:
        if not self.needs(segment):
            return segment
        parts = [self.english.get(key) for key, _, _ in self.chunks(segment)]
        return None if any(p is None for p in parts) else " ".join(parts)  # type: ignore[arg-type]

    def from_memory(self, segment: str) -> bool:
        return all(key in self.cached for key, _, _ in self.chunks(segment))


def batches(units: list[Unit], max_chars: int, max_encoded: int | None) -> list[tuple[Unit, ...]]:
    """Units packed in order into requests of whole lines, each within the backend's budget."""
    out: list[tuple[Unit, ...]] = []
    current: list[Unit] = []
    chars = encoded = 0
    for unit in units:
        size = len(unit.sent) + (1 if current else 0)
        size_encoded = len(quote_plus(unit.sent)) + (3 if current else 0)
        if current and (chars + size > max_chars or (max_encoded is not None and encoded + size_encoded > max_encoded)):
            out.append(tuple(current))
            current, chars, encoded = [], 0, 0
            size, size_encoded = len(unit.sent), len(quote_plus(unit.sent))
        current.append(unit)
        chars += size
        encoded += size_encoded
    if current:
        out.append(tuple(current))
    return out

"""Plain data passed between pipeline stages. Every stage takes and returns these."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One Arabic article as read from content/, with display-normalised text."""

    slug: str
    source_path: str  # path of the content file, relative to the content folder
    headline: str
    # Body paragraphs; each paragraph is a tuple of its sentences, verbatim.
    # Joining a paragraph's sentences with a space gives the displayed paragraph.
    paragraphs: tuple[tuple[str, ...], ...]
    published: dt.datetime  # timezone-aware
    date_source: str  # "front-matter" | "dateline" | "git" | "mtime"
    section: str | None = None
    place: str | None = None
    agency: str | None = None
    source: str | None = None  # outlet name or original URL
    byline: str | None = None  # e.g. "عين اليوم – متابعات" under a newspaper headline
    is_markdown: bool = False  # body paragraphs are Markdown blocks
    summary_override: str | None = None  # summary from front matter
    flash: bool = False  # a breaking-news flash ("عاجل / ..."): a headline with no body, published as a brief
    timed: bool = False  # `published` holds a time of day the source gave (else a date placed at midday Mecca time)
    draft: bool = False  # front matter `draft: true`: published only by `build --drafts` and `serve` (marked there)
    # Images below the content folder ("images/x.png"): the front matter's `image:` (cover), and every local image
    # the article uses, the cover first then the body's in order (digest/read/images.py). Kept in the article's stub:
    # the build asks for these files without reading the body again.
    cover: str | None = None
    images: tuple[str, ...] = ()
    content_hash: str = ""
    # Problems found while reading that did not stop publication (encoding assumed, unknown keys, ...); kept on the
    # article so a per-file cache of load_article results replays them. Severity is always "warning".
    warnings: tuple[Problem, ...] = ()

    @property
    def sentences(self) -> list[str]:
        return [s for para in self.paragraphs for s in para]


# Block-level Markdown: indented code, or (after any indent) a list item, an ATX heading ("# " — a hashtag such as
# "#عاجل" is prose), a quote, a table row or a code fence.
_MD_STRUCTURE = re.compile(r"^(?: {4}|\t|\s*(?:[-*+]\s|\d+[.)]\s|#{1,6}(?:\s|$)|>|\||```|~~~))")


def is_structure_block(block: str) -> bool:
    """A Markdown block of Article.paragraphs that is a heading, list, quote, table or code rather than prose: kept
    whole (not cut into sentences), never a summary sentence, and translated line by line around its marks. (Here,
    with the data it describes, because reading, summarizing and translating all ask it.)"""
    return bool(_MD_STRUCTURE.match(block))


@dataclass(frozen=True)
class Summary:
    """Chosen sentences as (paragraph index, sentence index), in document order."""

    picks: tuple[tuple[int, int], ...]
    text: str  # the chosen sentences joined with spaces (or the front-matter override)


@dataclass(frozen=True)
class HumanTranslation:
    """content/<stem>.en.md: any field may be missing; present fields always win."""

    title: str | None = None
    summary: str | None = None
    paragraphs: tuple[str, ...] | None = None  # Markdown blocks of the body
    source_path: str = ""
    # The article's metadata in English (else tables, then the translation memory, give it).
    section: str | None = None
    place: str | None = None
    byline: str | None = None
    agency: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class English:
    """The English version of an article. Field status: human | memory | machine | pending; metadata fields also
    table | same (no Arabic in it). Metadata never holds Arabic: a field still pending is None (left out)."""

    title: str | None
    summary: str | None
    paragraphs: tuple[str, ...] | None
    status: dict[str, str] = field(default_factory=dict)
    section: str | None = None
    place: str | None = None
    byline: str | None = None
    agency: str | None = None
    source: str | None = None

    @property
    def complete(self) -> bool:
        """A page needs its title, summary and body; metadata still pending is only left out."""
        return self.title is not None and self.summary is not None and self.paragraphs is not None

    @property
    def pending(self) -> bool:
        """Some field (metadata included) waits for a translation."""
        return "pending" in self.status.values()

    @property
    def machine_translated(self) -> bool:
        """The notice on the page: its words (not a place name or a section label) came from a machine."""
        return any(self.status.get(name) in ("machine", "memory") for name in ("title", "body", "summary"))


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file; severity "error" means the file was skipped."""

    path: str
    message: str
    severity: str = "error"  # "error" (file skipped) | "warning" (published anyway)
    line: int | None = None

    def __str__(self) -> str:
        where = f"{one_line(self.path)}:{self.line}" if self.line else one_line(self.path)
        return f"{where}: {self.severity}: {one_line(self.message)}"


# Characters that would break a message into several lines or rewrite the terminal: C0/C1 controls (newline,
# carriage return, ESC of ANSI sequences), DEL, line/paragraph separators and bidi controls (which reorder what
# follows them on screen). A file name or a value quoted in a message shows them repr-style instead.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """`text` for one line of terminal output: control characters escaped as repr() does ("\\n", "\\x1b")."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


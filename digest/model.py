"""Plain data passed between pipeline stages. Every stage takes and returns these."""
from __future__ import annotations

import datetime as dt
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
    content_hash: str = ""
    # Problems found while reading that did not stop publication (encoding assumed, unknown keys, ...); kept on the
    # article so a per-file cache of load_article results replays them. Severity is always "warning".
    warnings: tuple[Problem, ...] = ()

    @property
    def sentences(self) -> list[str]:
        return [s for para in self.paragraphs for s in para]


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


@dataclass(frozen=True)
class English:
    """The English version of an article. Field status: human | memory | machine | pending."""

    title: str | None
    summary: str | None
    paragraphs: tuple[str, ...] | None
    status: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.title is not None and self.summary is not None and self.paragraphs is not None

    @property
    def machine_translated(self) -> bool:
        return any(v in ("machine", "memory") for v in self.status.values())


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file; severity "error" means the file was skipped."""

    path: str
    message: str
    severity: str = "error"  # "error" (file skipped) | "warning" (published anyway)
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"

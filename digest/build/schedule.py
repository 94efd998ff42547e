"""Drafts and scheduled articles: the stage between reading and the rest of the pipeline that holds them back.

- A **draft** (`draft: true` in the front matter) is published only with `build --drafts` (and by `serve`, which
  shows drafts by default, marked "مسودة" / "Draft" on their pages).
- A **scheduled** article is one whose own date is in the future: a front-matter `date:` or a wire dateline (a
  dated wire item from tomorrow is an embargo or a typo: either way not news to publish today). It is published
  with `build --future`, else by the first build after its moment: a date with a time of day at that moment; a
  date alone (`date: 2026-12-06`, a dateline without a time line) from 00:00 Mecca time that day, so that an item
  dated today is never held back for part of its own day. Dates that come from outside the file (first git
  commit, file time) never schedule: a clock skew is not an editor's decision.

Held-back articles are not summarized, translated (no text of theirs is sent to a translator by a build) or
listed anywhere: pages, feeds, sitemap, search. The build summary counts them, with the next moment one becomes
due; that moment is kept in the build state, so the no-change fast path rebuilds once it has passed
(incremental.Session), and serve/watch rebuild then without a save.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from digest.config import Config
from digest.read import MECCA

if TYPE_CHECKING:
    from digest.model import Article

SCHEDULING_DATES = ("front-matter", "dateline")  # date sources that are an editor's or agency's decision


def now() -> dt.datetime:
    """The moment scheduled articles are compared with (one place, so tests can move the clock)."""
    return dt.datetime.now(dt.timezone.utc)


def release_time(article: Article) -> dt.datetime | None:
    """When the article may be published by its date, or None when its date does not schedule it."""
    if article.date_source not in SCHEDULING_DATES:
        return None
    if article.timed:
        return article.published
    day = article.published.astimezone(MECCA).date()
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=MECCA)


def hold_back(config: Config, memo, source, report, clock):
    """`source` without the drafts and scheduled articles the publishing mode holds back; the report counts them
    (held_drafts, held_scheduled, next_release); the build state keeps their article stubs (memo.held)."""
    moment = now()
    published: list[Article] = []
    held: list[Article] = []
    drafts = scheduled = 0
    due: dt.datetime | None = None
    for article in source.articles:
        if article.draft and not config.drafts:
            drafts += 1
            held.append(article)
            continue
        release = None if config.future else release_time(article)
        if release is not None and release > moment:
            scheduled += 1
            due = release if due is None or release < due else due
            held.append(article)
            continue
        published.append(article)
    report.held_drafts, report.held_scheduled = drafts, scheduled
    report.next_release = due.isoformat() if due is not None else None
    if not held:
        return source
    source = source._replace(articles=published)
    memo.hold(source, held)
    clock.done("schedule", held_back_line(report) or "")
    return source


def held_back_line(report) -> str | None:
    """One line whatever their number: 'held back: 3 drafts, 2 scheduled (next: 2026-12-06 09:00 Mecca time);
    --drafts / --future publish them'."""
    drafts, scheduled = getattr(report, "held_drafts", 0), getattr(report, "held_scheduled", 0)
    if not drafts and not scheduled:
        return None
    parts = [f"{drafts} draft{'s' if drafts != 1 else ''}"] if drafts else []
    if scheduled:
        part = f"{scheduled} scheduled"
        if report.next_release:
            when = dt.datetime.fromisoformat(report.next_release).astimezone(MECCA)
            part += f" (next: {when:%Y-%m-%d %H:%M} Mecca time)"
        parts.append(part)
    flags = " / ".join(flag for flag, count in (("--drafts", drafts), ("--future", scheduled)) if count)
    return "held back: " + ", ".join(parts) + f"; {flags} publish{'es' if ' / ' not in flags else ''} them"


def release_due(next_release: str | None) -> bool:
    """The moment a held-back article becomes due (from the last build's report) has passed."""
    if not next_release:
        return False
    try:
        return now() >= dt.datetime.fromisoformat(next_release)
    except ValueError:
        return True  # an unreadable state: rebuild rather than keep an article back

"""Drafts and scheduled articles: held back from pages, feeds and sitemap unless --drafts / --future, counted in
one summary line, a draft marked on its pages when shown, and a scheduled article published by the first build
after its moment, even when nothing else changed (the no-change fast path must not skip it). The clock is
digest.build.schedule.now, moved by the tests. Articles written for these tests (no licence)."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT
from digest.build import print_report
from digest.build import schedule
from digest.build.pipeline import build
from digest.read import MECCA, load_article

T0 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=MECCA)  # the tests' "now"
BODY = "افتتح وزير الثقافة اليوم معرض الكتاب الدولي في دورته الجديدة. ويستمر المعرض عشرة أيام.\n"


def md(title: str, *, date: str | None = None, draft: str | None = None) -> str:
    head = f"---\ntitle: {title}\n" + (f"date: {date}\n" if date else "") + (f"draft: {draft}\n" if draft else "")
    return head + "---\n" + BODY


@pytest.fixture
def clock(monkeypatch):
    """Set the build's clock: clock(moment)."""
    current = [T0]
    monkeypatch.setattr(schedule, "now", lambda: current[0])
    return lambda moment: current.__setitem__(0, moment)


@pytest.fixture
def site(tmp_path, make_config, clock):
    content = tmp_path / "content"
    content.mkdir()
    (content / "old.md").write_text(md("خبر منشور", date="2026-12-04T10:00:00+03:00"), encoding="utf-8")
    (content / "draft.md").write_text(md("خبر مسودة", date="2026-12-04T11:00:00+03:00", draft="true"),
                                      encoding="utf-8")
    (content / "draft.en.md").write_text("---\ntitle: A draft story\n---\nThe minister opened the fair.\n\n",
                                         encoding="utf-8")
    (content / "soon.md").write_text(md("خبر مجدول", date="2026-12-05T10:00:00+03:00"), encoding="utf-8")
    (content / "later.md").write_text(md("خبر مجدول لاحقا", date="2026-12-07"), encoding="utf-8")
    # A wire item whose dateline is tomorrow: scheduled like a front-matter date.
    (content / "wire.txt").write_text("عام / خبر من الوكالة\nالرياض 6 ديسمبر 2026 م واس\n" + BODY, encoding="utf-8")
    return make_config(content)


def run_build(config, **kwargs):
    lines: list[str] = []
    report = build(config, log=lines.append, **kwargs)
    print_report(report, config, lines.append)
    return report, "\n".join(lines)


def listed(config) -> dict[str, set[str]]:
    """Which article slugs each output lists: pages, home pages, feeds, sitemap."""
    out, slugs = config.output_dir, ("old", "draft", "soon", "later", "wire")
    texts = {"pages": {s for s in slugs if (out / "ar" / s / "index.html").exists()}}
    for name, path in (("home", "ar/index.html"), ("feed", "ar/feed.xml"), ("en feed", "en/feed.xml"),
                       ("sitemap", "sitemap.xml"), ("en home", "en/index.html")):
        text = (out / path).read_text(encoding="utf-8")
        texts[name] = {s for s in slugs if re.search(f'[/"]{s}/', text)}
    return texts


def test_drafts_and_scheduled_articles_are_held_back_and_counted(site):
    report, log = run_build(site)
    assert report.published == 1 and (report.held_drafts, report.held_scheduled) == (1, 3)
    for where, slugs in listed(site).items():
        assert slugs <= {"old"}, where
    assert "held back: 1 draft, 3 scheduled (next: 2026-12-05 10:00 Mecca time); --drafts / --future publish them" \
        in log.splitlines()
    assert "unknown front matter" not in log  # draft is a known key now

    report, log = run_build(replace(site, drafts=True))  # build --drafts
    assert report.published == 2 and report.held_drafts == 0 and "held back: 3 scheduled" in log
    shown = listed(site)
    assert all(shown[k] == {"old", "draft"} for k in ("pages", "home", "feed", "sitemap"))
    assert shown["en home"] == {"draft"} and shown["en feed"] == {"draft"}  # its English is human
    for lang, word in (("ar", "مسودة"), ("en", "Draft")):  # marked on its page and its teaser, both languages
        badge = f'<span class="draft">{word}</span>'
        assert badge in (site.output_dir / lang / "draft" / "index.html").read_text(encoding="utf-8")
        assert badge in (site.output_dir / lang / "index.html").read_text(encoding="utf-8")
    assert 'class="draft"' not in (site.output_dir / "ar" / "old" / "index.html").read_text(encoding="utf-8")

    report, log = run_build(replace(site, future=True))  # build --future: the drafts wait again
    assert report.published == 4 and "held back: 1 draft;" in log and "--drafts publishes them" in log
    assert listed(site)["pages"] == {"old", "soon", "later", "wire"}
    report, log = run_build(replace(site, drafts=True, future=True))
    assert report.published == 5 and "held back" not in log
    report, log = run_build(site)  # and back: every held-back page removed again
    assert report.published == 1 and listed(site)["pages"] == {"old"}


def test_a_scheduled_article_appears_with_the_first_build_after_its_moment(site, clock):
    report, _ = run_build(site)
    assert listed(site)["pages"] == {"old"}
    clock(T0 + dt.timedelta(minutes=59))  # not yet: the fast path answers
    report, log = run_build(site)
    assert "nothing to do" in log and report.held_scheduled == 3 and "next: 2026-12-05 10:00" in log
    clock(T0 + dt.timedelta(hours=1))  # 10:00: nothing changed but the clock, and that is a change
    report, log = run_build(site)
    assert "nothing to do" not in log and report.published == 2 and report.held_scheduled == 2
    shown = listed(site)
    assert all(shown[k] == {"old", "soon"} for k in ("pages", "home", "feed", "sitemap")), shown
    assert "next: 2026-12-06 00:00 Mecca time" in log  # the wire item's dateline day, from midnight
    report, log = run_build(site)
    assert "nothing to do" in log and report.published == 2  # settled until the next moment

    # A date without a time of day is published from 00:00 Mecca time that day (not held for part of its day).
    clock(dt.datetime(2026, 12, 5, 20, 59, 59, tzinfo=dt.timezone.utc))  # 23:59:59 Mecca time
    assert run_build(site)[0].published == 2
    clock(dt.datetime(2026, 12, 5, 21, 0, tzinfo=dt.timezone.utc))  # 00:00 on the 6th in Mecca
    report, _ = run_build(site)
    assert report.published == 3 and "wire" in listed(site)["feed"]
    clock(dt.datetime(2026, 12, 7, 0, 0, tzinfo=MECCA))
    report, log = run_build(site)
    assert report.published == 4 and report.held_scheduled == 0 and report.next_release is None
    assert log.splitlines()[-1] == "held back: 1 draft; --drafts publishes them"


def test_a_scheduled_article_due_is_published_by_a_build_for_an_edit_of_another(site, clock):
    """An edit of one article's text alone is built from the last build's site (digest/build/edits.py): not when a
    held article's moment passed meanwhile."""
    run_build(site)
    old = site.content_dir / "old.md"
    old.write_text(old.read_text(encoding="utf-8") + "\nفقرة أخرى في الخبر.\n", encoding="utf-8")
    report, log = run_build(site)
    assert "edit: 1 of 1 articles made again" in log and report.held_scheduled == 3
    clock(T0 + dt.timedelta(hours=1))  # soon.md is due
    old.write_text(old.read_text(encoding="utf-8") + "\nفقرة ثالثة في الخبر.\n", encoding="utf-8")
    report, log = run_build(site)
    assert "edit:" not in log and report.published == 2
    assert listed(site)["home"] == {"old", "soon"}


def test_mode_changes_remake_no_article_and_dates_from_outside_never_schedule(site, clock, tmp_path):
    run_build(replace(site, drafts=True, future=True))
    _, log = run_build(site)
    assert "models:" not in log  # no page model made again: only the lists change
    # A file dated by its modification time, in the future (a clock skew): published, never scheduled.
    skewed = site.content_dir / "skewed.txt"
    skewed.write_text("خبر بلا تاريخ\n" + BODY, encoding="utf-8")
    future = (T0 + dt.timedelta(days=30)).timestamp()
    os.utime(skewed, (future, future))
    article = load_article(skewed, site.content_dir, {})
    assert article.date_source == "mtime" and article.published > T0 and schedule.release_time(article) is None
    report, _ = run_build(site)
    assert (site.output_dir / "ar" / "skewed" / "index.html").exists() and report.held_scheduled == 3


@pytest.mark.parametrize("value, draft, warned", [
    ("true", True, False), ("false", False, False), ("yes", True, False), ("no", False, False),
    ('"false"', False, False), ("'True'", True, False), ("1", True, False), ("0", False, False),
    ("maybe", True, True), ("[1, 2]", True, True), ("", True, True),
])
def test_the_draft_key(tmp_path, value, draft, warned):
    path = tmp_path / "a.md"
    path.write_text(f"---\ntitle: خبر\ndraft: {value}\n---\n{BODY}", encoding="utf-8")
    article = load_article(path, tmp_path, {})
    assert article.draft is draft
    assert bool(article.warnings) is warned
    if warned:
        assert "held back as a draft" in article.warnings[0].message and article.warnings[0].line == 3


def test_command_line_flags_and_serve_defaults():
    sys.path.insert(0, str(ROOT))
    from generate import make_parser

    parser = make_parser()
    assert parser.parse_args(["build"]).drafts is None and parser.parse_args(["build"]).future is None
    assert parser.parse_args(["build", "-D", "-F"]).drafts is True
    assert parser.parse_args(["build", "--drafts", "--future"]).future is True
    assert parser.parse_args(["serve"]).drafts is True  # serve shows drafts by default
    assert parser.parse_args(["serve", "--no-drafts"]).drafts is False
    assert parser.parse_args(["watch"]).drafts is None
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert "--drafts" in result.stdout and "--future" in result.stdout and "held back" in result.stdout


def test_serve_rebuilds_when_a_scheduled_article_becomes_due(clock):
    from digest.serve.builds import Site

    reports = [type("R", (), {"next_release": (T0 + dt.timedelta(minutes=5)).isoformat()})()]
    site = Site(lambda: reports[0], log=lambda message: None)
    site.rebuild()
    assert not site.release_due()
    clock(T0 + dt.timedelta(minutes=5))
    assert site.release_due()
    reports[0] = type("R", (), {"next_release": None})()
    site.rebuild()
    assert not site.release_due()


def test_new_writes_a_draft_that_build_holds_back(tmp_path, make_config):
    from digest.editor import new_article

    content = tmp_path / "content"
    content.mkdir()
    path = new_article(content, "خبر جديد")
    path.write_text(path.read_text(encoding="utf-8") + BODY, encoding="utf-8")
    ready = new_article(content, "خبر جاهز", draft=False)
    ready.write_text(ready.read_text(encoding="utf-8") + BODY, encoding="utf-8")
    assert "draft: true" in path.read_text(encoding="utf-8") and "draft" not in ready.read_text(encoding="utf-8")
    config = make_config(content)
    report, _ = run_build(config)
    assert report.published == 1 and report.held_drafts == 1
    assert run_build(replace(config, drafts=True))[0].published == 2

"""Listings group stories by the calendar day each is shown with (its own offset), one heading per day, even when
stories of two days interleave by instant (a story at 01:00 +03:00 is earlier than one at 23:30 +00:00 the day
before)."""
from __future__ import annotations

import re

from digest.build.pipeline import build

BODY = "قال المتحدث إن الاجتماع ناقش عددا من الملفات المهمة. وأضاف أن النتائج ستعلن قريبا في مؤتمر صحفي."
STORIES = [  # (slug, date): instants 23:30Z on the 5th, 22:00Z (shown on the 6th), 21:00Z on the 5th
    ("late-utc", "2026-11-05T23:30:00+00:00"),
    ("early-mecca", "2026-11-06T01:00:00+03:00"),
    ("evening-utc", "2026-11-05T21:00:00+00:00"),
]


def test_interleaved_days_get_one_heading_each(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    for slug, date in STORIES:
        (content / f"{slug}.md").write_text(
            f"---\ntitle: خبر {slug}\ndate: {date}\nsection: سياسة\n---\n{BODY}\n", encoding="utf-8")
    config = make_config(content)
    build(config, quiet=True)
    pages = [config.output_dir / "ar" / "index.html", config.output_dir / "ar" / "section"]
    listings = [pages[0]] + sorted(pages[1].rglob("index.html"))
    assert len(listings) >= 2
    for page in listings:
        html = page.read_text(encoding="utf-8")
        ids = re.findall(r'id="(day-[^"]+)"', html)
        assert ids == sorted(set(ids), reverse=True), (page, ids)  # each day once, newest first
        assert ids == ["day-2026-11-06", "day-2026-11-05"], (page, ids)
        sixth = html[html.index('id="day-2026-11-06"'):html.index('id="day-2026-11-05"')]
        assert "early-mecca" in sixth and "late-utc" not in sixth and "evening-utc" not in sixth

"""Wire copy as it arrives: trailer lines (time line, teletype NNNN, editors' initials, numbered slugs), flashes,
dates without a time of day. The items are written for these tests (no licence), in the shapes agencies send."""
from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET

import pytest

from digest.read import ArticleError, Notes, load_article, read_wire
from digest.build.pipeline import build
from digest.read.wire import is_trailer, trailer_info

DATELINE = "الرياض 20 جمادى الأولى 1447 هـ الموافق 5 ديسمبر 2026 م واس"
LEAD = "افتتح وزير الثقافة اليوم معرض الكتاب الدولي بمشاركة أكثر من ألف دار نشر من ثلاثين دولة."
LAST = "ويستمر المعرض عشرة أيام ويفتح أبوابه للزوار من العاشرة صباحا حتى العاشرة مساء."

# (file stem, trailer lines after the body, the time of day they give)
TRAILERS = [
    ("time-teletype", ["// انتهى //", "10:14 ت م NNNN"], (10, 14)),
    ("initials", ["/انتهى/", "ح م"], None),
    ("initials-pair", ["// انتهى //", "12:58 ت م", "ع.ح / س ع"], (12, 58)),
    ("numbered-slug", ["ب ق/ع ش/ 1215"], None),
    ("teletype-alone", ["12:58 ت م", "NNNN"], (12, 58)),
    ("kuna-style", ["(النهاية)", "ع ع ع / ط م ا KUNA 051258"], None),
    ("zone-phrase", ["// انتهى //", "09:05 بتوقيت مكة المكرمة"], (9, 5)),
    ("same-line", ["// انتهى // 17:45 ت م NNNN"], (17, 45)),
    ("indic-digits", ["// انتهى //", "١٧:٤٥ ت م", "NNNN"], (17, 45)),
    ("marker-number", ["// انتهى //", "1258", "2/3"], None),
    ("agency-english", ["SPA 12:58 LOCAL TIME 09:58 GMT"], (12, 58)),
]


def _item(trailer: list[str], *, headline: str = "ثقافي / افتتاح معرض الكتاب الدولي في الرياض") -> str:
    return "\n".join([headline, DATELINE, LEAD, LAST, *trailer]) + "\n"


@pytest.mark.parametrize("stem, trailer, time", TRAILERS)
def test_trailer_forms_are_not_body(stem, trailer, time):
    notes = Notes()
    fields = read_wire(_item(trailer), notes)
    body = [s for p in fields["paragraphs"] for s in p]
    assert body == [LEAD, LAST]
    assert fields["time_of_day"] == time
    assert not notes.items


def test_last_sentence_on_the_same_line_as_the_marker_and_its_trailer():
    fields = read_wire("\n".join(["عنوان الخبر", DATELINE, LEAD, LAST + " // انتهى // 12:58 ت م ح م"]))
    assert [s for p in fields["paragraphs"] for s in p] == [LEAD, LAST]
    assert fields["time_of_day"] == (12, 58)


@pytest.mark.parametrize("line", [
    LAST, "وقال: نعم.", "2026", "سادساً :", "في 12", "من 5 إلى 7", "أكد المصدر ذلك", "ولم يعرف حتى الآن سبب الحادث.",
    "عين اليوم – متابعات", "للمزيد زوروا الموقع الرسمي."])
def test_prose_is_never_a_trailer(line):
    assert not is_trailer(line)


def test_a_bare_number_at_the_end_is_body_unless_a_trailer_line_is_above_it():
    fields = read_wire(_item(["2026"]))
    assert [s for p in fields["paragraphs"] for s in p] == [LEAD, LAST, "2026"]
    fields = read_wire(_item(["1/3", "ح م", "(2/3)"]))
    assert [s for p in fields["paragraphs"] for s in p] == [LEAD, LAST, "1/3"]


def test_a_trailer_line_gives_its_times():
    assert trailer_info("10:14 ت م NNNN") == ("10:14",)
    assert trailer_info("NNNN") == ()
    assert trailer_info("ولم يعرف حتى الآن سبب الحادث.") is None


def test_unrecognised_text_after_the_marker_stays_body_with_a_warning():
    notes = Notes()
    fields = read_wire(_item(["// انتهى //", "المصدر: مكتب الوكالة في الرياض", "12:58 ت م"]), notes)
    body = [s for p in fields["paragraphs"] for s in p]
    assert body == [LEAD, LAST, "المصدر: مكتب الوكالة في الرياض"]
    assert fields["time_of_day"] == (12, 58)
    assert len(notes.items) == 1 and "kept" in notes.items[0][1]


@pytest.mark.parametrize("headline", ["عاجل / انفجار في ميناء جدة التجاري", "عاجل: انفجار في ميناء جدة التجاري",
                                      "خبر عاجل | انفجار في ميناء جدة التجاري"])
def test_a_flash_is_a_brief(headline):
    fields = read_wire("\n".join([headline, DATELINE, "12:58 ت م", "NNNN"]))
    assert fields["flash"] is True and fields["paragraphs"] == ()
    assert fields["headline"] == "انفجار في ميناء جدة التجاري" and fields["section"] is None
    assert fields["time_of_day"] == (12, 58)


def test_a_headline_alone_without_the_flash_mark_is_still_refused():
    with pytest.raises(ArticleError, match="no body text"):
        read_wire("محلي / انفجار في ميناء جدة التجاري\n" + DATELINE + "\n")


def test_dates_without_a_time_keep_their_day_for_readers_from_utc_minus_10_to_plus_13(tmp_path):
    (tmp_path / "a.txt").write_text(_item(["// انتهى //"]), encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: عنوان\ndate: 2026-12-05\n---\nنص الخبر هنا.\n", encoding="utf-8")
    for name in ("a.txt", "b.md"):
        article = load_article(tmp_path / name, tmp_path, {})
        assert not article.timed
        for hours in range(-10, 14):
            local = article.published.astimezone(dt.timezone(dt.timedelta(hours=hours)))
            assert local.date() == dt.date(2026, 12, 5), (name, hours, local)
    timed = load_article(_write(tmp_path, "c.txt", _item(["// انتهى //", "23:30 ت م"])), tmp_path, {})
    assert timed.timed and timed.published == dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


# --- the whole site: pages and feeds of a corpus with every form ----------------------------------------------------
_CODES = re.compile(r"NNNN|1258|2/3|LOCAL|GMT|ت م|\d{1,2}:\d{2} ت|انتهى|يتبع|النهاية|KUNA|ع ش/|ح م\b|س ع\b")


def _texts(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_site_of_wire_items_shows_no_trailer_and_loses_no_last_sentence(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    last = {stem: LAST.replace("عشرة أيام", f"{n + 10} يوما") for n, (stem, _, _) in enumerate(TRAILERS)}
    for stem, trailer, _ in TRAILERS:
        _write(content, f"{stem}.txt", _item(trailer, headline=f"ثقافي / خبر {stem}").replace(LAST, last[stem]))
    _write(content, "flash.txt", "عاجل / انفجار في ميناء جدة التجاري\n" + DATELINE + "\n12:58 ت م\nNNNN\n")
    _write(content, "flash.en.md", "---\ntitle: Explosion at Jeddah's commercial port\n---\n")
    _write(content, "dateonly.txt", _item(["// انتهى //"], headline="محلي / خبر بلا وقت"))
    config = make_config(content, future=True)  # dated 2026-12-05: maybe ahead of this machine's clock
    report = build(config, quiet=True)
    assert not report.skipped and not report.warnings and report.published == len(TRAILERS) + 2
    out = config.output_dir
    for stem, _, time in TRAILERS:
        page = (out / "ar" / stem / "index.html").read_text(encoding="utf-8")
        assert last[stem] in page  # the real last sentence is on its page
        assert not _CODES.search(_texts(page).replace(f"خبر {stem}", "")), stem
        if time:  # the time line is shown beside the date, the zone in <time datetime>
            hhmm = f"{time[0]:02d}:{time[1]:02d}"
            assert re.search(rf'<time datetime="2026-12-05T{hhmm}:00\+03:00">[^<]*<bdi dir="ltr">{hhmm}</bdi></time>',
                             page), stem
    feed = (out / "ar" / "feed.xml").read_text(encoding="utf-8")
    feed_text = _texts(" ".join(ET.fromstring(feed.encode()).itertext()))
    assert all(sentence in feed_text for sentence in last.values()) and not _CODES.search(re.sub(r"خبر [\w-]+", "", feed_text))
    flash = (out / "ar" / "flash" / "index.html").read_text(encoding="utf-8")
    assert '<span class="flash">عاجل</span>' in flash and "انفجار في ميناء جدة التجاري" in flash
    assert '<span class="flash">عاجل</span>' in (out / "ar" / "index.html").read_text(encoding="utf-8")
    assert "<title>عاجل / انفجار في ميناء جدة التجاري</title>" in feed
    english = (out / "en" / "flash" / "index.html").read_text(encoding="utf-8")
    assert '<span class="flash">Breaking</span>' in english and "Explosion at Jeddah" in english
    assert re.search(r'<time datetime="2026-12-05T12:58:00\+03:00">[^<]*, <bdi dir="ltr">12:58</bdi></time>', english)
    assert "<title>Breaking / Explosion at Jeddah&#x27;s commercial port</title>" in (
        out / "en" / "feed.xml").read_text(encoding="utf-8").replace("'", "&#x27;")
    dateonly = (out / "ar" / "dateonly" / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-12-05">' in dateonly  # no invented time of day on the page
    # Subscribers in UTC-8 and UTC+12 see every dateline-only item on the dateline's day (5 December).
    untimed = {f"خبر {stem}" for stem, _, time in TRAILERS if time is None} | {"خبر بلا وقت"}
    items = [i for i in ET.fromstring(feed.encode()).iter("item") if i.findtext("title") in untimed]
    assert len(items) == len(untimed)
    for item in items:
        when = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        for hours in (-8, 12):
            assert when.astimezone(dt.timezone(dt.timedelta(hours=hours))).date() == dt.date(2026, 12, 5), \
                (item.findtext("title"), hours)


def test_a_machine_translated_flash_is_complete_with_its_title_as_summary(tmp_path):
    from digest.language.summary import summarize
    from digest.translate import english_for, segments_for

    article = load_article(_write(tmp_path, "f.txt", "عاجل / انفجار في ميناء جدة التجاري\n12:58 ت م\n"), tmp_path, {})
    summary = summarize(article)
    assert article.flash and summary.text == "انفجار في ميناء جدة التجاري"
    assert segments_for(article, summary, None) == ["انفجار في ميناء جدة التجاري"]  # one request, not two
    english = english_for(article, summary, None, {"انفجار في ميناء جدة التجاري": "Explosion at Jeddah port"})
    assert english.complete and english.title == english.summary == "Explosion at Jeddah port"
    assert english.paragraphs == ()
    assert not english_for(article, summary, None, {}).complete  # pending until translated: no English page

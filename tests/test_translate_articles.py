"""Which segments an article sends, and how its English is assembled (human fields win, field by field)."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.model import Article, HumanTranslation, Summary
from digest.translate import TranslatorConfig, english_for, prune_command, segments_for, translate_command
from digest.translate.answers import needs_translation, reject_reason
from digest.translate.engine import Translations
from digest.translate.requestplan import split_for_limit
from fake_libretranslate import FakeLibreTranslate, fake_english

from conftest import FIXTURES

BILINGUAL = FIXTURES / "bilingual"  # one article in Arabic and English, written for these tests

P = ((("وصل الوزير إلى الرياض.", "وبحث مع نظيره العلاقات الثنائية."), ("وأكد الجانبان أهمية التعاون.",)))


def article(paragraphs=P, headline="الوزير يزور الرياض", slug="a1") -> Article:
    return Article(slug=slug, source_path=f"{slug}.txt", headline=headline, paragraphs=paragraphs,
                   published=dt.datetime(2015, 8, 10, tzinfo=dt.timezone.utc), date_source="dateline")


def machine(segments, from_memory=()) -> Translations:
    t = Translations({s: "EN(" + s + ")" for s in segments})
    t.from_memory = frozenset(from_memory)
    return t


SUMMARY = Summary(picks=((0, 0), (1, 0)), text="وصل الوزير إلى الرياض. وأكد الجانبان أهمية التعاون.")


def test_no_human_sends_everything_once():
    a = article()
    segs = segments_for(a, SUMMARY, None)
    assert segs == [a.headline] + a.sentences  # the summary's sentences are body sentences: no extra request


def test_machine_english_is_sentence_translations_joined():
    a = article()
    en = english_for(a, SUMMARY, None, machine(segments_for(a, SUMMARY, None)))
    assert en.title == "EN(الوزير يزور الرياض)"
    assert en.paragraphs == ("EN(وصل الوزير إلى الرياض.) EN(وبحث مع نظيره العلاقات الثنائية.)",
                             "EN(وأكد الجانبان أهمية التعاون.)")
    assert en.summary == "EN(وصل الوزير إلى الرياض.) EN(وأكد الجانبان أهمية التعاون.)"
    assert en.status == {"title": "machine", "body": "machine", "summary": "machine"} and en.complete


def test_status_memory_and_pending():
    a = article()
    segs = segments_for(a, SUMMARY, None)
    en = english_for(a, SUMMARY, None, machine(segs, from_memory=segs))
    assert set(en.status.values()) == {"memory"}
    missing = machine([s for s in segs if s != a.sentences[1]], from_memory=segs)
    en = english_for(a, SUMMARY, None, missing)
    assert en.paragraphs is None and en.status["body"] == "pending" and not en.complete
    assert en.summary is not None and en.status["summary"] == "memory"  # sentence 1 is not in the summary


def test_markdown_blocks_keep_their_marks_and_the_summary_is_plain_text():
    """Heading, list, quote and table marks are not sent: only their words are, so the English keeps the block's
    shape; code is not sent at all. The English summary of Markdown sentences is shown without the syntax."""
    paragraphs = (("## البرنامج اليومي",), ("افتتح **المعرض** اليوم.", "وزار [الموقع](https://example.org) الآلاف."),
                  ("- ندوات ثقافية.\n- ورش للأطفال.",), ("> قال المدير: أهلا.",),
                  ("| اليوم | النشاط |\n|---|---|\n| السبت | ندوة |",), ("```\nprint(1)\n```",),
                  ("\tprint(2)",))
    a = Article(slug="md", source_path="md.md", headline="معرض الكتاب", paragraphs=paragraphs, is_markdown=True,
                published=dt.datetime(2015, 8, 10, tzinfo=dt.timezone.utc), date_source="front-matter")
    summary = Summary(picks=((1, 0), (1, 1)), text="افتتح المعرض اليوم. وزار الموقع الآلاف.")
    segs = segments_for(a, summary, None)
    assert segs == ["معرض الكتاب", "البرنامج اليومي", "افتتح **المعرض** اليوم.",
                    "وزار [الموقع](https://example.org) الآلاف.", "ندوات ثقافية.", "ورش للأطفال.", "قال المدير: أهلا.",
                    "اليوم", "النشاط", "السبت", "ندوة"]
    en = english_for(a, summary, None, machine(segs))
    assert en.paragraphs == ("## EN(البرنامج اليومي)",
                             "EN(افتتح **المعرض** اليوم.) EN(وزار [الموقع](https://example.org) الآلاف.)",
                             "- EN(ندوات ثقافية.)\n- EN(ورش للأطفال.)", "> EN(قال المدير: أهلا.)",
                             "| EN(اليوم) | EN(النشاط) |\n|---|---|\n| EN(السبت) | EN(ندوة) |", "```\nprint(1)\n```",
                             "\tprint(2)")
    assert en.summary == "EN(افتتح المعرض اليوم.) EN(وزار الموقع الآلاف.)"
    assert en.status["body"] == "machine" and en.complete


def test_human_title_only_keeps_machine_body():
    a = article()
    human = HumanTranslation(title="Minister visits Riyadh")
    segs = segments_for(a, SUMMARY, human)
    assert a.headline not in segs and set(a.sentences) <= set(segs)
    en = english_for(a, SUMMARY, human, machine(segs))
    assert en.title == "Minister visits Riyadh" and en.status["title"] == "human"
    assert en.status["body"] == "machine" and en.complete


def test_human_body_aligned_gives_human_summary_no_requests():
    a = article(paragraphs=(("وصل الوزير إلى الرياض.",), ("وأكد الجانبان أهمية التعاون.",)))
    human = HumanTranslation(title="T", paragraphs=("The minister arrived.", "Both stressed cooperation."))
    summary = Summary(picks=((1, 0),), text="وأكد الجانبان أهمية التعاون.")
    assert segments_for(a, summary, human) == []
    en = english_for(a, summary, human, Translations())
    assert en.summary == "Both stressed cooperation." and en.status == dict.fromkeys(("title", "body", "summary"),
                                                                                     "human")


def test_human_body_not_aligned_gives_the_english_lead_and_sends_nothing():
    """Paragraphs that do not line up: the summary is the English lead, never a wait for machine translation."""
    a = article()
    human = HumanTranslation(title="T", paragraphs=("All in one paragraph. It has two sentences.",))
    assert segments_for(a, SUMMARY, human) == []
    en = english_for(a, SUMMARY, human, Translations(), sentences=1)
    assert en.paragraphs == human.paragraphs and en.summary == "All in one paragraph."
    assert en.status["summary"] == "human" and en.complete and not en.machine_translated


def test_summary_override_is_translated_as_a_segment():
    a = article()
    override = Summary(picks=(), text="ملخص كتبه المحرر.")
    segs = segments_for(a, override, None)
    assert segs[-1] == "ملخص كتبه المحرر."
    en = english_for(a, override, None, machine(segs))
    assert en.summary == "EN(ملخص كتبه المحرر.)"
    assert segments_for(a, override, HumanTranslation(summary="Editor's summary.")) == [a.headline] + a.sentences


def test_human_translation_of_every_paragraph_sends_nothing():
    doc = BILINGUAL / "library.ar.txt"
    ar = doc.read_text(encoding="utf-8").splitlines()
    en_lines = doc.with_name(doc.name.replace(".ar.", ".en.")).read_text(encoding="utf-8").splitlines()
    a = article(paragraphs=tuple((s,) for s in ar[1:] if s.strip()), headline=ar[0])
    human = HumanTranslation(title=en_lines[0], paragraphs=tuple(s for s in en_lines[1:] if s.strip()))
    summary = Summary(picks=((0, 0), (2, 0)), text=" ".join(a.paragraphs[0] + a.paragraphs[2]))
    assert len(human.paragraphs) == len(a.paragraphs)
    assert segments_for(a, summary, human) == []
    en = english_for(a, summary, human, Translations())
    assert en.summary == f"{human.paragraphs[0]} {human.paragraphs[2]}" and en.complete


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ابتثجحخدذرسشصضطظعغفقكلمنهوي،. 0123456789", min_size=1, max_size=40),
                min_size=1, max_size=60), st.integers(min_value=20, max_value=300))
def test_split_never_loses_or_cuts_words(words, limit):
    text = " ".join(words)
    chunks = split_for_limit(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")  # nothing lost, in order
    if all(len(w) <= limit for w in text.split()):  # a longer "word" is the one thing that must be cut
        assert " ".join(chunks) == " ".join(text.split())
        flat = [w for c in chunks for w in c.split()]
        assert flat == text.split()  # every word whole, in order


def test_split_prefers_clause_ends():
    text = "الجملة الأولى طويلة بعض الشيء، " * 8
    chunks = split_for_limit(text, 100)
    assert all(c.endswith("،") for c in chunks[:-1])


def test_reject_reason():
    src = "وصل الرئيس إلى الرياض صباح اليوم في زيارة رسمية."
    assert reject_reason(src, "The president arrived in Riyadh this morning on an official visit.") is None
    assert reject_reason(src, None) and reject_reason(src, "  ") and reject_reason(src, src + " ")
    assert "Arabic" in reject_reason(src, "وصل الرئيس إلى الرياض arrived")
    assert "HTML" in reject_reason(src, "<html><body>oops</body></html>")
    assert "error" in reject_reason(src, "Internal Server Error")
    assert "error" in reject_reason(src, '{"error": "Too many requests"}')
    # A terse answer is still a translation (fake and real servers may answer briefly): never dropped for length.
    assert reject_reason(src, "Ok") is None
    # Ordinary sentences that merely mention errors or services are fine.
    assert reject_reason(src, "Error rates in the ministry's services fell by half last year, he said.") is None
    assert reject_reason(src, "The service was unavailable for two hours, officials told reporters.") is None


def test_needs_translation():
    assert not needs_translation("2015") and not needs_translation("(SPA) - 17:45")
    assert needs_translation("واس")


def items():
    a = article()
    return [(a, SUMMARY, None), (article(slug="b", headline="عنوان آخر"), SUMMARY, HumanTranslation(title="B"))]


def test_translate_command_and_prune(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with FakeLibreTranslate() as server:
        cfg = TranslatorConfig(backend="libre", url=server.url, memory_dir=str(tmp_path / "m"))
        assert translate_command(items(), cfg, dry_run=True, out=out, err=err) == 0
        assert not server.requests
        text = out.getvalue()
        # The 4 segments, one a line, in one request.
        assert "would send 1 requests" in text and f"{sum(map(len, segments_for(*items()[0]))) + 3} characters" in text
        out = io.StringIO()
        assert translate_command(items(), cfg, out=out, err=err) == 0
        assert "requests made: 1," in out.getvalue() and "failures: 0" in out.getvalue()
        assert "4/4" in err.getvalue()  # progress
        out = io.StringIO()
        assert translate_command(items(), cfg, out=out, err=err) == 0
        assert "requests made: 0" in out.getvalue() and "cache hits: 4" in out.getvalue()
    # Drop one article: its entries are stale.
    out = io.StringIO()
    only_b = [items()[1]]
    assert prune_command(only_b, cfg, out=out) == 0
    assert "removed 1 stale entries, 3 kept" in out.getvalue()  # b shares the body, not the headline
    from digest.translate import translate_segments
    result, report = translate_segments(segments_for(*items()[0]), TranslatorConfig(backend="none",
                                                                                    memory_dir=cfg.memory_dir))
    assert report.pending == {items()[0][0].headline}


def test_translate_command_offline_exit_status(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    cfg = TranslatorConfig(backend="libre", url="http://127.0.0.1:9/", memory_dir=str(tmp_path / "m"))
    assert translate_command(items(), cfg, out=out, err=err) == 1
    assert "pending: 4" in out.getvalue() and "cannot be reached" in err.getvalue()
    assert "not sent: translator unreachable" in out.getvalue() and "failures:" not in out.getvalue()

"""What an English page says: a human body always gives a page and a summary; no Arabic is left on it (section,
place, byline, agency and source in English); the section is shown and is each feed item's <category>."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
from dataclasses import replace
from pathlib import Path

import feedparser

from conftest import ROOT
from digest.read import load_human_translation
from digest.read.wire import parse_dateline
from digest.build.pipeline import build
from digest.translate.english import AGENCIES, english_lead, english_meta, human_summary, table_key
from digest.model import Article, HumanTranslation, Summary
from digest.language.summary import summarize
from digest.translate import english_for, segments_for
from digest.translate.engine import Translations
from fake_libretranslate import FakeLibreTranslate
from sitecheck import ARABIC, arabic_on_english_pages

NTREX = Path(__file__).resolve().parent / "fixtures" / "ntrex"


def article(paragraphs, **fields) -> Article:
    fields.setdefault("headline", "عنوان الخبر")
    return Article(slug="a", source_path="a.txt", paragraphs=paragraphs, date_source="dateline",
                   published=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc), **fields)


# Two paragraphs of three and two sentences; the human English has as many sentences in each.
AR = (("وصل الوفد إلى جدة صباح اليوم.", "وكان في استقباله أمير المنطقة.", "ثم عقد الجانبان اجتماعا مطولا."),
      ("وناقش الاجتماع مشاريع النقل.", "واتفق الطرفان على لقاء جديد في مايو."))
EN = ("The delegation arrived in Jeddah this morning. It was received by the region's governor. The two sides "
      "then held a long meeting.",
      "The meeting discussed transport projects. Both parties agreed to meet again in May.")


# --- the English summary from a human body ------------------------------------------------------------------------
def test_aligned_sentences_when_each_paragraph_splits_alike():
    a = article(AR)
    summary = Summary(picks=((0, 0), (0, 2), (1, 1)), text="")
    assert human_summary(a, summary, HumanTranslation(paragraphs=EN)) == (
        "The delegation arrived in Jeddah this morning. The two sides then held a long meeting. "
        "Both parties agreed to meet again in May.")


def test_a_paragraph_picked_whole_gives_its_whole_english_however_it_is_cut():
    a = article(AR)
    english = (EN[0], "The meeting discussed transport projects; both parties agreed to meet again in May.")
    summary = Summary(picks=((1, 0), (1, 1)), text="")
    assert human_summary(a, summary, HumanTranslation(paragraphs=english)) == english[1]


def test_otherwise_the_english_lead_within_the_budget():
    a = article(AR)
    merged = HumanTranslation(paragraphs=(EN[0] + " " + EN[1],))  # one English paragraph for two Arabic ones
    summary = Summary(picks=((1, 1),), text="")
    assert human_summary(a, summary, merged, sentences=2) == ("The delegation arrived in Jeddah this morning. "
                                                             "It was received by the region's governor.")
    assert human_summary(a, summary, merged, words=15) == ("The delegation arrived in Jeddah this morning. "
                                                           "It was received by the region's governor.")
    assert human_summary(a, summary, merged, words=3) == "The delegation arrived in Jeddah this morning."
    # A sentence count that differs is not trusted: English "U.S." ends no sentence, so these do not line up.
    cut = HumanTranslation(paragraphs=("The delegation came from the U.S. It was received. The sides met.", EN[1]))
    assert human_summary(a, Summary(picks=((0, 1),), text=""), cut, sentences=1) == (
        "The delegation came from the U.S. It was received.")


def test_english_sentences_are_not_cut_after_titles_or_dotted_abbreviations():
    from digest.language.arabic import split_sentences

    text = ("Rosa had winds of 85 mph as of 5 a.m. Eastern time Sunday. Sen. Warren met Reps. Diehl and Smith in "
            "Sept. Talks went on. Republican Sens. Flake and Collins spoke.")
    assert split_sentences(text) == ["Rosa had winds of 85 mph as of 5 a.m. Eastern time Sunday.",
                                     "Sen. Warren met Reps. Diehl and Smith in Sept. Talks went on.",
                                     "Republican Sens. Flake and Collins spoke."]


def test_lead_skips_headings_and_lists_and_shows_plain_text():
    body = ("## Programme", "- talks\n- workshops", "The **fair** opened [today](https://example.org). It runs a week.")
    assert english_lead(body, sentences=1) == "The fair opened today."
    assert english_lead(("- only a list",), sentences=1) == "only a list"


def test_a_human_body_is_never_pending_for_its_summary():
    """Offline (nothing in the memory): every combination of a human body with picks that do or do not line up
    gives a complete English page, and no summary sentence is sent for translation."""
    a = article(AR)
    for human in (HumanTranslation(title="T", paragraphs=EN), HumanTranslation(title="T", paragraphs=(EN[0],))):
        for picks in (((0, 1),), ((0, 0), (1, 1)), ((1, 0), (1, 1))):
            summary = Summary(picks=picks, text=" ".join(AR[p][s] for p, s in picks))
            assert segments_for(a, summary, human) == []
            en = english_for(a, summary, human, Translations())
            assert en.complete and en.status["summary"] == "human" and not ARABIC.search(en.summary)


def test_beside_a_human_body_an_arabic_editors_summary_gives_way_to_the_english_lead():
    """The English summary of a human body is human text: an Arabic front-matter summary is not sent; a `summary:`
    in the .en.md is the way to give the English one."""
    a = article(AR)
    override = Summary(picks=(), text="ملخص كتبه المحرر.")
    human = HumanTranslation(title="T", paragraphs=EN)
    assert segments_for(a, override, human) == []
    known = Translations({"ملخص كتبه المحرر.": "The editor's summary."})
    assert english_for(a, override, human, known, sentences=1).summary == (
        "The delegation arrived in Jeddah this morning.")
    assert english_for(a, override, HumanTranslation(summary="Hers."), known).summary == "Hers."
    assert english_for(a, override, None, known).summary == "The editor's summary."


def test_ntrex_fixtures_one_aligned_one_lead():
    """Professional translations (NTREX-128, see fixtures/ntrex/NOTICE), two or three sentences a paragraph."""
    from digest.read import load_content

    articles, humans, problems = load_content(NTREX)
    assert not problems and {a.slug for a in articles} == set(humans) == {"ntrex-abcnews-306755",
                                                                          "ntrex-abcnews-306815"}
    summaries = {}
    for a in articles:
        summary = summarize(a, words=60)
        assert len(summary.picks) >= 2 and any(len(a.paragraphs[p]) > 1 for p, _ in summary.picks)
        # Only metadata is left to translate (the agency is in the table, the source has no Arabic).
        assert segments_for(a, summary, humans[a.slug]) == [m for m in (a.place, a.byline) if m]
        en = english_for(a, summary, humans[a.slug], Translations(), words=60)
        assert en.complete and en.status["summary"] == "human" and not ARABIC.search(en.summary)
        summaries[a.slug] = en.summary
    # 306755: every paragraph splits into as many English sentences as Arabic ones, so the summary is the English
    # of the picked sentences (and "Rep. Geoff Diehl" is not cut after "Rep.").
    assert summaries["ntrex-abcnews-306755"].startswith("U.S. Sen. Elizabeth Warren says")
    assert "Rep. Geoff Diehl" in summaries["ntrex-abcnews-306755"] or "Rep." not in summaries["ntrex-abcnews-306755"]
    # 306815: "the U.S. As Rosa approaches" is one English sentence for two Arabic ones: the English lead.
    rosa = summaries["ntrex-abcnews-306815"]
    assert rosa.startswith("As forecast, Hurricane Rosa is weakening as it moves over the cooler waters")
    assert len(rosa.split()) <= 60


# --- metadata in English --------------------------------------------------------------------------------------------
def test_agency_codes_from_the_table():
    expected = {"واس": "SPA", "وام": "WAM", "قنا": "QNA", "كونا": "KUNA", "بنا": "BNA", "سانا": "SANA",
                "واع": "INA", "أ ش أ": "MENA", "بترا": "Petra", "تسنيم": "Tasnim", "إرنا": "IRNA"}
    for code, name in expected.items():
        assert AGENCIES[table_key(code)] == name
    for spelling in ("أ.ش.أ", "(ا ش ا)", "أ ش أ."):
        assert AGENCIES[table_key(spelling)] == "MENA"
    assert AGENCIES[table_key("واســ")] == "SPA"  # tatweel


def test_dateline_agency_codes_of_several_words_and_places_with_tatweel():
    line = parse_dateline("القاهرة 3 مايو 2016 م أ ش أ")
    assert (line.place, line.agency) == ("القاهرة", "أ ش أ")
    assert parse_dateline("القاهرة ٣ مايو ٢٠١٦ أ.ش.أ.").agency == "أ.ش.أ"
    assert parse_dateline("طهران 3 مايو 2016 م إرنا").agency == "إرنا"  # as written, not alef-folded
    assert parse_dateline("أبهــا 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس").place == "أبهــا"  # not "أبهــ"
    assert parse_dateline("بيروت 3 مايو 2016 م").agency is None


def test_metadata_human_table_memory_or_left_out():
    a = article(AR, section="شؤون خليجية", place="أبهــا", agency="واس", byline="عين اليوم – متابعات",
                source="https://example.org/story")
    assert segments_for(a, Summary(picks=((0, 0),), text=AR[0][0]), HumanTranslation(title="T", paragraphs=EN)) == [
        "شؤون خليجية", "أبهــا", "عين اليوم – متابعات"]  # the agency is in the table, the URL needs nothing
    values, status = english_meta(a, None, Translations())
    assert values == {"section": None, "place": None, "byline": None, "agency": "SPA",
                      "source": "https://example.org/story"}
    assert status == {"section": "pending", "place": "pending", "byline": "pending", "agency": "table",
                      "source": "same"}
    machine = Translations({"شؤون خليجية": "Gulf affairs", "أبهــا": "Abha", "عين اليوم – متابعات": "أين اليوم"})
    machine.from_memory = frozenset({"أبهــا"})
    human = HumanTranslation(byline="Al-Youm staff")
    values, status = english_meta(a, human, machine)
    assert values == {"section": "Gulf affairs", "place": "Abha", "byline": "Al-Youm staff", "agency": "SPA",
                      "source": "https://example.org/story"}
    assert status["section"] == "machine" and status["place"] == "memory" and status["byline"] == "human"
    # An English field that still holds Arabic is left out, never shown.
    assert english_meta(a, None, machine)[0]["byline"] is None
    # Metadata does not make a page "machine-translated" nor keep it from being published.
    en = english_for(a, Summary(picks=((0, 0),), text=AR[0][0]), HumanTranslation(title="T", paragraphs=EN), machine)
    assert en.complete and not en.machine_translated and en.section == "Gulf affairs"


def test_human_file_accepts_metadata_keys(tmp_path):
    (tmp_path / "a.en.md").write_text("---\ntitle: T\nsection: Gulf\nplace: Abha\nbyline: Staff\nsource: News "
                                      "agency\nagency: SPA\n---\nBody.\n", encoding="utf-8")
    from digest.read import Notes

    notes = Notes()
    human = load_human_translation(tmp_path / "a.en.md", tmp_path, notes)
    assert (human.section, human.place, human.byline, human.source, human.agency) == (
        "Gulf", "Abha", "Staff", "News agency", "SPA")
    assert not notes.items


# --- whole sites ----------------------------------------------------------------------------------------------------
WIRE = {
    # wire items: category, dateline (place, date, agency code), body; one newspaper item with a byline
    "gulf.txt": "اقتصادي / ارتفاع صادرات المملكة غير النفطية\nجدة 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس\n"
                "ارتفعت الصادرات غير النفطية خلال الربع الثاني. وقالت الهيئة إن النمو شمل معظم القطاعات.\n"
                "وتوقعت الهيئة استمرار النمو حتى نهاية العام.\n// انتهى //\n",
    "doha.txt": "شؤون خليجية / افتتاح معرض الكتاب في الدوحة\nالدوحة 3 مايو 2016 م قنا\n"
                "افتتح المعرض أبوابه أمام الزوار. ويشارك فيه ناشرون من ثلاثين دولة.\n// انتهى //\n",
    "khartoum.txt": "عام / اجتماع لوزراء الزراعة\nالخرطوم 4 مايو 2016 م ونا\n"
                    "عقد وزراء الزراعة اجتماعهم السنوي. وناقشوا خطط الري الجديدة.\n// انتهى //\n",
    "cairo.txt": "عام / انطلاق مهرجان السينما\nأبهــا 5 مايو 2016 م أ ش أ\n"
                 "انطلق المهرجان بمشاركة واسعة. ويعرض أفلاما من عشرين دولة.\n// انتهى //\n",
    "local.txt": "محليات / أمانة المنطقة تطلق حملة نظافة\nعين اليوم – متابعات\n"
                 "أطلقت الأمانة حملة نظافة شاملة. وتستمر الحملة أسبوعين في جميع الأحياء.\n",
}
MARKDOWN = {
    "tech.md": "---\ntitle: إطلاق منصة رقمية للخدمات\ndate: 2024-05-01\nsection: تقنية\nplace: دبي\nsource: "
               "وكالة الأنباء\nbyline: محرر الشؤون التقنية\n---\nأطلقت الحكومة منصة جديدة. وتقدم المنصة "
               "خدمات كثيرة.\n\nوقال المسؤولون إن المنصة آمنة. وأضافوا أنها متاحة للجميع.\n",
    "health.md": "---\ntitle: حملة تطعيم في المدارس\ndate: 2024-05-02\nsection: صحة وعافية\nplace: الكويت\nsource: "
                 "كونا\n---\nبدأت حملة التطعيم في المدارس اليوم. وتستهدف الحملة آلاف الطلاب.\n\nوأكدت الوزارة أن "
                 "اللقاح آمن. ودعت الأسر إلى التعاون.\n",
    "health.en.md": "---\ntitle: School vaccination campaign\nsection: Health\n---\nThe school vaccination campaign "
                    "began today. It is aimed at thousands of pupils.\n\nThe ministry said the vaccine was safe. It "
                    "asked families to cooperate.\n",
}


def _write_site_content(content: Path) -> None:
    content.mkdir()
    for name, text in {**WIRE, **MARKDOWN}.items():
        (content / name).write_text(text, encoding="utf-8")
    for path in NTREX.glob("ntrex-*"):
        shutil.copy(path, content / path.name)
    for name in ("000_0b3d9faf541c66ac.txt", "000_0b3d9faf541c66ac.en.md"):
        shutil.copy(ROOT / "content" / name, content / name)


def _kicker(page: Path) -> str | None:
    found = re.search(r'<p class="kicker">(.*?)</p>', page.read_text(encoding="utf-8"))
    return found and re.sub(r"<[^>]+>", "", found.group(1))


def test_with_the_fake_translator_english_pages_hold_no_arabic_and_show_the_section(tmp_path, make_config):
    content = tmp_path / "content"
    _write_site_content(content)
    with FakeLibreTranslate() as server:
        config = make_config(content, translator="libre", translator_url=server.url)
        report = build(config, quiet=True)
        sent = server.texts
    assert report.published == report.english == 10 and not report.untranslated and not report.skipped
    # The agency codes in the table are never sent; the other metadata went through the translator.
    assert not any("واس" == t or "قنا" == t or "كونا" == t for t in sent)
    assert any("الدوحة" in t for t in sent) and any("عين اليوم" in t for t in sent)
    output = config.output_dir
    assert arabic_on_english_pages(output) == {}
    assert len([p for p in (output / "en").glob("*/index.html") if p.parent.name not in ("search", "archive")]) == 10

    gulf = (output / "en" / "gulf" / "index.html").read_text(encoding="utf-8")
    assert '<span class="agency">SPA</span>' in gulf and _kicker(output / "en" / "gulf" / "index.html") == "Economy"
    assert '<span class="place">EN ' in gulf  # the place, machine-translated
    assert '<span class="agency">QNA</span>' in (output / "en" / "doha" / "index.html").read_text(encoding="utf-8")
    cairo = (output / "en" / "cairo" / "index.html").read_text(encoding="utf-8")
    assert '<span class="agency">MENA</span>' in cairo and _kicker(output / "en" / "cairo" / "index.html") == "General"
    assert _kicker(output / "en" / "health" / "index.html") == "Health"  # given by the human file
    assert "KUNA" in (output / "en" / "health" / "index.html").read_text(encoding="utf-8")  # source: كونا
    local = (output / "en" / "local" / "index.html").read_text(encoding="utf-8")
    assert '<span class="byline">EN ' in local

    # Every article with a section shows it on both pages, in the teasers, and as <category> in both feeds.
    for lang in ("ar", "en"):
        feed = feedparser.parse((output / lang / "feed.xml").read_bytes())
        assert not feed.bozo and len(feed.entries) == 10
        for entry in feed.entries:
            slug = entry.link.rstrip("/").rsplit("/", 1)[1]
            kicker = _kicker(output / lang / slug / "index.html")
            if slug.startswith("000_"):
                assert kicker is None and not entry.get("tags")  # the sample article has no section
                continue
            assert kicker and [t.term for t in entry.tags] == [kicker]
            assert bool(ARABIC.search(kicker)) == (lang == "ar")
    home = (output / "en" / "index.html").read_text(encoding="utf-8")
    assert home.count('class="kicker"') == 9


def test_offline_every_human_body_gives_an_english_page_with_no_arabic(tmp_path, make_config):
    content = tmp_path / "content"
    _write_site_content(content)
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    config = make_config(content, translator="libre", translator_url=dead)
    report = build(config, quiet=True)
    humans = {"health", "ntrex-abcnews-306755", "ntrex-abcnews-306815", "000_0b3d9faf541c66ac"}
    assert {p.parent.name for p in (config.output_dir / "en").glob("*/index.html")} == humans | {"search", "archive"}
    assert report.english == 4 and len(report.untranslated) == 6
    assert arabic_on_english_pages(config.output_dir) == {}
    rosa = (config.output_dir / "en" / "ntrex-abcnews-306815" / "index.html").read_text(encoding="utf-8")
    assert "As forecast, Hurricane Rosa is weakening" in rosa and 'class="place"' not in rosa  # place pending
    assert 'class="source"><bdi>NTREX-128' in rosa  # no Arabic in it: shown as written
    # The next build that reaches a translator adds the pending place (nothing else changed in between).
    with FakeLibreTranslate() as server:
        report = build(replace(config, translator=replace(config.translator, url=server.url)), quiet=True)
    rosa = (config.output_dir / "en" / "ntrex-abcnews-306815" / "index.html").read_text(encoding="utf-8")
    assert '<span class="place">EN ' in rosa and report.english == 10


def test_the_checker_sees_arabic_left_on_an_english_page(tmp_path):
    """The check above can fail: Arabic in a teaser or a meta span is reported, the switcher is not."""
    page = tmp_path / "en" / "x" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text('<html><head><title>عنوان</title></head><body><a class="lang-switch" href="../../ar/x/index.html">'
                    'اقرأ بالعربية</a><a href="../../ar/x/index.html">الأصل</a><span class="place">أبها</span>'
                    '<img alt="صورة"></body></html>', encoding="utf-8")
    assert arabic_on_english_pages(tmp_path) == {"en/x/index.html": ["html>body>span: أبها", "img[alt]=صورة"]}

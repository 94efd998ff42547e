"""Boilerplate sentences (calls to action, contact and follow-us lines, SMS promotions, photo credits, "read more")
are body text but never summary material, in wire and Markdown articles alike. The sentences are written for these
tests (no licence); phone numbers and addresses are made up."""
from __future__ import annotations

import pytest

from digest.read import load_article
from digest.language.boilerplate import is_boilerplate
from digest.language.summary import summarize

BOILERPLATE = [
    # calls to action, "read more"
    "للمزيد زوروا الموقع الرسمي.",
    "لمزيد من المعلومات يرجى زيارة موقع الهيئة على الإنترنت.",
    "وللمزيد من التفاصيل يمكنكم زيارة صفحة المهرجان.",
    "اضغط هنا لقراءة الخبر كاملا.",
    "انقر على الرابط لمشاهدة الصور.",
    "اقرأ أيضا: ارتفاع أسعار الذهب في الأسواق المحلية.",
    "طالع أيضا تقريرنا عن موسم الحج.",
    "شاهد الفيديو الكامل للمؤتمر الصحفي.",
    "حمّل تطبيق الصحيفة لتصلك الأخبار أولا بأول.",
    "شاركونا برأيكم في التعليقات أسفل الخبر.",
    "اشترك الآن في النشرة البريدية اليومية.",
    "زورونا في جناحنا بالمعرض طوال أيام الأسبوع.",
    # follow us
    "تابعونا على تويتر وفيسبوك لمعرفة آخر المستجدات.",
    "تابعوا حسابنا على إنستغرام.",
    "تابعنا عبر قناتنا على يوتيوب.",
    "انضموا إلى قناتنا على تيليجرام لتصلكم الأخبار العاجلة.",
    "ابقوا على اطلاع بآخر الأخبار عبر صفحتنا.",
    # contact lines
    "للتواصل: 0555123456",
    "للاستفسار يرجى الاتصال على الرقم 920001234.",
    "للاستفسارات والحجز هاتف: 011 456 7890",
    "اتصل بنا على مدار الساعة.",
    "راسلونا على البريد الإلكتروني news@example.com",
    "للتواصل مع المحرر: editor@example.org",
    "واتساب: 0501234567",
    "تواصلوا معنا عبر نموذج الاتصال في الموقع.",
    # SMS and phone-service promotions
    "أرسل رسالة فارغة إلى الرقم 88123 للاشتراك.",
    "للاشتراك في خدمة الرسائل الإخبارية أرسل كلمة أخبار إلى 80808.",
    "اشترك في خدمة أخبار الجوال العاجلة.",
    "تكلفة الرسالة ريال واحد فقط.",
    "أرسل الرمز 1 إلى الرقم 5050 لتصلك نتائج المباريات.",
    # photo credits
    "تصوير: محمد العتيبي",
    "(تصوير: سارة القحطاني)",
    "الصورة: أرشيفية",
    "بعدسة المصور خالد الحربي",
    "مصدر الصورة: وكالة الأنباء",
    "وزير الصحة خلال الجولة (تصوير: علي الشهري).",
    "https://www.example.com/news/12345",
]

# Ordinary news prose that shares words with the rules: it must stay summary material.
NEWS = [
    "تابع الوزير سير العمل في المشروع خلال زيارته اليوم.",
    "وأجرى ولي العهد اتصالا هاتفيا بالرئيس الفرنسي بحث خلاله العلاقات الثنائية.",
    "وطالب المجلس بمزيد من المعلومات حول أسباب الحادث.",
    "ودعا إلى بذل المزيد من الجهود لمكافحة التصحر.",
    "وأرسل الملك رسالة خطية إلى أمير الكويت تتعلق بالعلاقات بين البلدين.",
    "بدأ تصوير الفيلم السعودي الجديد في مدينة العلا.",
    "وأوضح أن الوزارة تلقت أكثر من ألف اتصال خلال الأسبوع الأول.",
    "وشاهد الحضور عرضا مرئيا عن مراحل المشروع.",
    "وأطلقت الهيئة حسابا رسميا على منصة إكس للرد على استفسارات المستفيدين.",
    "وقال المتحدث إن الصورة لا تزال غير واضحة بشأن موعد الانتخابات.",
]

LEAD_ = "أعلنت وزارة الثقافة اليوم إطلاق مهرجان الكتاب السنوي في مدينة جدة بمشاركة واسعة من دور النشر."
BODY = [
    "ويضم المهرجان أكثر من خمسمئة دار نشر عربية وأجنبية تعرض آلاف العناوين الجديدة.",
    "وتقام على هامش المهرجان ندوات فكرية وأمسيات شعرية يشارك فيها كتاب من عشرين دولة.",
    "ويستمر المهرجان عشرة أيام ويفتح أبوابه للزوار من العاشرة صباحا حتى العاشرة مساء.",
]


def test_the_fixture_list_is_long_enough_and_each_sentence_is_caught():
    assert len(BOILERPLATE) >= 30
    assert [s for s in BOILERPLATE if not is_boilerplate(s)] == []


@pytest.mark.parametrize("sentence", NEWS)
def test_news_sentences_are_not_boilerplate(sentence):
    assert not is_boilerplate(sentence)


def _summaries(tmp_path, sentence: str) -> list[str]:
    """Summaries of a wire and a Markdown article with the sentence first (where the position prior is strongest),
    in the middle and last, at several budgets."""
    out = []
    for where in (0, 2, 4):
        body = [LEAD_, *BODY]
        body.insert(where, sentence)
        (tmp_path / "a.txt").write_text("افتتاح مهرجان الكتاب في جدة\n" + "\n".join(body) + "\n", encoding="utf-8")
        (tmp_path / "b.md").write_text("---\ntitle: افتتاح مهرجان الكتاب في جدة\n---\n" + "\n\n".join(body) + "\n",
                                       encoding="utf-8")
        for name in ("a.txt", "b.md"):
            article = load_article(tmp_path / name, tmp_path, {})
            for budget in (dict(sentences=1), dict(sentences=3), dict(words=60), dict(words=500)):
                out.append(summarize(article, **budget).text)
    return out


@pytest.mark.parametrize("sentence", BOILERPLATE)
def test_boilerplate_never_appears_in_a_summary(tmp_path, sentence):
    for summary in _summaries(tmp_path, sentence):
        assert sentence.rstrip(".") not in summary, summary
        assert summary  # the article still has its summary


def test_news_sentences_still_reach_summaries(tmp_path):
    hits = sum(any(s.rstrip(".") in summary for summary in _summaries(tmp_path, s)) for s in NEWS)
    assert hits == len(NEWS)


def test_markdown_link_and_image_lines_are_not_summary_material(tmp_path):
    (tmp_path / "c.md").write_text(
        "---\ntitle: افتتاح مهرجان الكتاب\n---\n[للمزيد زوروا الموقع الرسمي](https://example.com/a).\n\n"
        "![صورة من حفل الافتتاح](https://example.com/p.jpg)\n\n" + "\n\n".join([LEAD_, *BODY]) + "\n",
        encoding="utf-8")
    summary = summarize(load_article(tmp_path / "c.md", tmp_path, {}), words=500).text
    assert "زوروا" not in summary and "صورة من حفل" not in summary and LEAD_ in summary


def test_an_article_made_only_of_boilerplate_still_gets_a_summary(tmp_path):
    (tmp_path / "d.txt").write_text("إعلان\n" + "\n".join(BOILERPLATE[:3]) + "\n", encoding="utf-8")
    assert summarize(load_article(tmp_path / "d.txt", tmp_path, {})).text

"""Arabic text helpers: display letters, sentence splitting, matching normalisation, tokens."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.language.arabic import STOP_WORDS, content_terms, normalize, split_sentences, stem, to_arabic_letters, tokenize

from conftest import WIRE


def test_display_letters_replace_persian_lookalikes_only():
    assert to_arabic_letters("روحانی: التعاون بین طهران وموسکو") == "روحاني: التعاون بين طهران وموسكو"
    kept = "مُحَمَّدٌ قالـــــ «نعم»، 2.5٪ ١٢٣"  # diacritics, tatweel, digits, punctuation stay for display
    assert to_arabic_letters(kept) == kept
    assert to_arabic_letters("\ufeffكلمة\u200bأخرى") == "كلمةأخرى"


@pytest.mark.parametrize("paragraph, expected", [
    # plain stops, question and exclamation marks, ellipsis
    ("وصل الوفد. وبدأت المحادثات.", ["وصل الوفد.", "وبدأت المحادثات."]),
    ("هل انتهت الأزمة؟ لا أحد يعرف! الجواب عند الحكومة… والشعب ينتظر.",
     ["هل انتهت الأزمة؟", "لا أحد يعرف!", "الجواب عند الحكومة…", "والشعب ينتظر."]),
    # never on the Arabic comma, semicolon or a colon inside the sentence
    ("قال الوزير: إن النمو، رغم التباطؤ؛ سيستمر.", ["قال الوزير: إن النمو، رغم التباطؤ؛ سيستمر."]),
    # numbers with a decimal point or the Arabic decimal separator
    ("ارتفع المؤشر 2.5 في المئة. وبلغ التضخم ٢٫٣٪ في مارس.",
     ["ارتفع المؤشر 2.5 في المئة.", "وبلغ التضخم ٢٫٣٪ في مارس."]),
    # abbreviations: Dr. and initials, with or without a space after the stop
    ("وقال د. حمد المانع إن المستشفى جاهز.", ["وقال د. حمد المانع إن المستشفى جاهز."]),
    ("وقال د.حمد إن الخطة أ. ب. جاهزة. وانتهى الاجتماع.", ["وقال د.حمد إن الخطة أ. ب. جاهزة.", "وانتهى الاجتماع."]),
    ("التقى Mr. Smith الوزير. ثم غادر.", ["التقى Mr. Smith الوزير.", "ثم غادر."]),
    # but a single letter after a number is an era/unit that ends the sentence
    ("ولد عام 1770 م. يعتبر من أبرز الموسيقيين.", ["ولد عام 1770 م.", "يعتبر من أبرز الموسيقيين."]),
    # quoted speech stays whole, in guillemets and straight quotes
    ("وقال: «الوضع صعب. لكننا سننجح!» ثم غادر القاعة. وانتهى اللقاء.",
     ["وقال: «الوضع صعب. لكننا سننجح!» ثم غادر القاعة.", "وانتهى اللقاء."]),
    ('وأضاف "لن نتراجع. أبدا" في كلمته. وصفق الحضور.', ['وأضاف "لن نتراجع. أبدا" في كلمته.', "وصفق الحضور."]),
    # a stop inside brackets does not end the sentence
    ("زار المتحف (افتتح عام 1990. ويضم آلاف القطع) أمس.", ["زار المتحف (افتتح عام 1990. ويضم آلاف القطع) أمس."]),
    # a stop glued to the next Arabic word still ends the sentence; web addresses survive
    ("تحمي طبقة الأوزون الأرض.اكتشفها العلماء عام 1913.", ["تحمي طبقة الأوزون الأرض.", "اكتشفها العلماء عام 1913."]),
    ("التفاصيل على www.spa.gov.sa اليوم. شكرا.", ["التفاصيل على www.spa.gov.sa اليوم.", "شكرا."]),
    # a stop right before a closing quote does not end the sentence: the clause may go on
    ("ورد قائلا: «سنرى.» وغادر.", ["ورد قائلا: «سنرى.» وغادر."]),
    # a leading ellipsis is not a sentence of its own
    ("...المزيد من الأخبار. انتهى العرض.", ["...المزيد من الأخبار.", "انتهى العرض."]),
    # a stray unbalanced quote does not swallow the rest of the paragraph
    ("قال « انتهى الأمر. ثم غادر.", ["قال « انتهى الأمر.", "ثم غادر."]),
    ("", []),
    ("   جملة بلا نقطة  ", ["جملة بلا نقطة"]),
])
def test_split_sentences(paragraph, expected):
    assert split_sentences(paragraph) == expected


def test_split_is_verbatim_over_the_wire_fixtures():
    """Joining a paragraph's sentences gives back the paragraph (modulo whitespace), and no
    sentence starts with a comma, closing mark or a digit cut out of a number."""
    files = sorted(WIRE.glob("*.txt"))
    assert len(files) >= 11
    count = 0
    for path in files:
        for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]:
            parts = split_sentences(line)
            assert re.sub(r"\s+", "", "".join(parts)) == re.sub(r"\s+", "", line)
            for k, part in enumerate(parts):
                assert part == part.strip() and part
                if k:  # (the first one starts wherever the paragraph starts)
                    assert part[0] not in "،؛,;:)»”.", (path.name, part)
            for before, after in zip(parts, parts[1:]):
                assert not (before[-1] == "." and before[-2:-1].isdigit() and after[0].isdigit()), (before, after)
            count += len(parts)
    assert count > 80  # 95 sentences in the eleven fixtures


def test_normalize_for_matching():
    assert normalize("مُحَمَّدٌ") == "محمد"
    assert normalize("قالــــت") == "قالت"
    assert normalize("أحمد إبراهيم آمن ٱلله") == "احمد ابراهيم امن الله"
    assert normalize("على مستشفى") == "علي مستشفي"
    assert normalize("المدرسة") == "المدرسه"
    assert normalize("روحانی موسکو") == "روحاني موسكو"
    assert normalize("١٢٣ ۴۵۶ ٢٫٥") == "123 456 2.5"
    assert normalize("Hello") == "hello"


def test_tokenize_splits_digits_from_letters_and_drops_punctuation():
    assert tokenize("وُلد عام 1827م، في «بون».") == ["ولد", "عام", "1827", "م", "في", "بون"]
    assert tokenize("أعلنت الوزارةُ") == tokenize("اعلنت الوزارة")


def test_stop_words_and_light_stemmer():
    assert {"في", "من", "الي", "ان", "هذه"} <= STOP_WORDS
    assert stem("والمعلمون") == "معلم"
    assert stem("بالمدرسه") == "مدرس"
    assert stem("كتب") == "كتب"  # too short to strip
    # the same word with different clitics matches; function words are dropped
    assert content_terms("في المدرسة") == content_terms("والمدرسة")
    assert content_terms("في هذه التي") == []

"""Boilerplate sentences: part of an article's body, never summary material.

Calls to action ("للمزيد زوروا الموقع"), "read more" and "see also" lines, contact lines (phone, e-mail,
WhatsApp), "follow us" lines, SMS and phone-service promotions and photo credits. A digest prints summaries on
their own (teasers, feed descriptions, the command line), where such a sentence reads as noise or an advert.

The rules are phrases, matched on the matching normalisation of digest.language.arabic (alef and hamza forms, ta marbuta,
alef maqsura unified; diacritics and tatweel dropped; lower case), so spelling variants match. Each is narrow
enough that ordinary news prose does not trip it: a verb such as "تابع" (he followed up) or "اتصالا هاتفيا"
(a phone call) is news; "تابعونا على تويتر" or "للتواصل: 0555..." is not. Tested on a fixture list of sentences
(tests/test_boilerplate.py) and held against the EASC benchmark (bench/summaries.py).
"""
from __future__ import annotations

import re

from digest.language.arabic import normalize

_SOCIAL = r"(?:تويتر|تويت|اكس|x|فيسبوك|فيس بوك|فيس|انستغرام|انستجرام|انستقرام|انستا|سناب|سناب شات|يوتيوب|" \
          r"تيك توك|تيليجرام|تلغرام|تليجرام|واتساب|واتس اب|لينكد ?ان|twitter|facebook|instagram|snapchat|youtube|" \
          r"tiktok|telegram|whatsapp)"
_PHONE = r"(?:\+?\d[\d\s\-]{6,}\d)"

# Anywhere in a sentence.
_ANYWHERE = [
    # calls to action and "read more"
    r"(?:^|\s)(?:و|ف)?(?:لل|ل)مزيد من (?:المعلومات|التفاصيل|الاخبار|الصور)",
    r"(?:^|\s)(?:و|ف)?للمزيد(?:\s|$|[:.,])",
    r"(?:^|\s)(?:زوروا|زورونا|قوموا بزياره|يرجي زياره|يمكنكم زياره|يمكن زياره|نرجو زياره|ندعوكم لزياره)",
    r"(?:^|\s)(?:اضغط|انقر|اضغطوا|انقروا) (?:هنا|علي الرابط|علي الصوره)",
    r"(?:^|\s)(?:اقرا|اقراوا|طالع|طالعوا|شاهد|شاهدوا|تابع) (?:ايضا|المزيد|التفاصيل|الفيديو|الخبر كاملا)",
    r"(?:^|\s)(?:حمل|حملوا|نزل|نزلوا|قم بتحميل|قوموا بتحميل) (?:تطبيق|التطبيق)",
    r"(?:^|\s)(?:شاركونا|شاركوا|شارك) (?:برايك|برايكم|الخبر|المقال|هذا الخبر|هذا المقال|تعليقك|تعليقاتكم)",
    r"(?:^|\s)(?:اشترك|اشتركوا|سجل) (?:الان|في (?:النشره|القائمه|قناتنا))",
    # follow us
    r"(?:^|\s)(?:تابعونا|تابعنا|تابعوا (?:حساب|صفحه|قناه|قناتنا|صفحتنا|حسابنا|اخبار|اخر|جديد)|ابقوا علي اطلاع)",
    rf"(?:^|\s)(?:تابع|تابعوا|انضم|انضموا|اشترك|اشتركوا) .{{0,40}}(?:علي|عبر|في) (?:موقع |منصه |تطبيق )?{_SOCIAL}",
    # contact lines
    r"(?:^|\s)(?:و|ف)?(?:للتواصل|للاستفسار|للاستفسارات|للاتصال|للحجز والاستفسار|لتلقي (?:البلاغات|الاستفسارات))"
    rf"(?=.*(?:{_PHONE}|@|هاتف|الرقم|رقم|جوال|واتساب|بريد|ايميل|موقع))",
    r"(?:^|\s)(?:اتصل بنا|اتصلوا بنا|راسلونا|راسلنا|تواصلوا معنا|تواصل معنا)",
    rf"(?:هاتف|تلفون|تليفون|جوال|فاكس|واتساب|واتس اب|الرقم المجاني|رقم الهاتف)\s*[:\-]?\s*{_PHONE}",
    r"(?:البريد الالكتروني|الايميل|البريد الاكتروني)\s*[:\-]?\s*[\w.+-]+@",
    r"[\w.+-]+@[\w-]+\.[\w.]+",
    # SMS / phone-service promotions
    r"(?:^|\s)(?:ارسل|ارسلوا|ابعث|ابعثوا) (?:رساله|الرقم|رقم|الرمز|رمز|كلمه|حرف|الحرف).{0,40}(?:الي|علي) "
    r"(?:الرقم )?\d{3,}",
    r"(?:رساله نصيه|رساله قصيره|sms|اس ام اس).*(?:الي|علي) (?:الرقم )?\d{3,}",
    r"(?:للاشتراك|اشترك) في (?:خدمه|خدمات) (?:الرسائل|الاخبار|الجوال|sms)",
    r"(?:^|\s)(?:خدمه|باقه) (?:الرسائل|اخبار) (?:القصيره|النصيه|الجوال|العاجله)",
    r"(?:تكلفه|سعر|قيمه) الرساله",
]

# At the start of a short sentence (a caption or credit line).
_CREDIT_WORDS = 14
_AT_START = [
    r"^[(\[«\"]?\s*(?:تصوير|الصوره|الصور|صوره|عدسه|بعدسه|مصدر الصوره|الصوره من|صوره ارشيفيه|ارشيفيه|photo|credit)"
    r"\s*[:\-/)]",
    r"^[(\[]\s*(?:تصوير|عدسه|بعدسه)|^بعدسه ",
    r"^[(\[«\"]?\s*(?:اقرا|اقراوا|طالع|شاهد) (?:ايضا|كذلك)",
    r"^[(\[«\"]?\s*(?:المصدر|رابط الخبر|رابط المقال|الرابط)\s*[:\-]",
]
# A sentence that ends in a credit: "... (تصوير: فلان)".
_AT_END = r"[(\[]\s*(?:تصوير|عدسه|الصوره|photo)\s*[:\-]?[^)\]]{0,40}[)\]]\s*\.?$"


def _fold(pattern: str) -> str:
    """A pattern written in ordinary spelling, in the summarizer's matching normalisation (letters only)."""
    return pattern.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ئ": "ي", "ؤ": "و"}))


# One search for all rules, arranged for speed with the same answer: the rules that start at the start of the text
# or after a space share that one test (tried at every position, once, instead of once per rule), and the two
# e-mail rules run only on text with an "@".
_AFTER_SPACE = r"(?:^|\s)"
_EMAIL_RULES = [p for p in _ANYWHERE if "@" in p and not p.startswith(_AFTER_SPACE) and "(?=" not in p]
_SPACED_RULES = [p[len(_AFTER_SPACE):] for p in _ANYWHERE if p.startswith(_AFTER_SPACE)]
_OTHER_RULES = [p for p in _ANYWHERE if not p.startswith(_AFTER_SPACE) and p not in _EMAIL_RULES]
_ANYWHERE_RE = re.compile(_AFTER_SPACE + "(?:" + "|".join(f"(?:{_fold(p)})" for p in _SPACED_RULES) + ")|"
                          + "|".join(f"(?:{_fold(p)})" for p in _OTHER_RULES))
_EMAIL_RE = re.compile("|".join(f"(?:{_fold(p)})" for p in _EMAIL_RULES))
_AT_START_RE = re.compile("|".join(f"(?:{_fold(p)})" for p in _AT_START))
_AT_END_RE = re.compile(_fold(_AT_END))
_URL_ONLY = re.compile(r"^\W*(?:https?://|www\.)\S+\W*$")


# Every rule above needs one of these in the sentence: most sentences are cleared by substring tests alone.
_TRIGGERS = tuple(_fold(w) for w in (
    "مزيد", "زور", "زيارة", "اضغط", "انقر", "اقرا", "طالع", "شاهد", "تابع", "حمل", "نزل", "تحميل", "شارك", "اشترك",
    "سجل", "انضم", "ابقوا", "تواصل", "استفسار", "للاتصال", "اتصل", "راسل", "هاتف", "تلفون", "تليفون", "جوال",
    "فاكس", "واتس", "البريد", "الايميل", "@", "ارسل", "ابعث", "رسالة", "sms", "اس ام اس", "خدمة", "باقة",
    "تصوير", "صور", "عدسة", "ارشيف", "photo", "credit", "المصدر", "رابط", "http", "www", "لتلقي"))


def is_boilerplate(sentence: str) -> bool:
    """A call to action, contact, follow-us, SMS promotion, photo credit or "read more" line."""
    text = normalize(sentence)
    if not any(t in text for t in _TRIGGERS):
        return False
    text = " ".join(text.split())
    if (_URL_ONLY.match(text) or _ANYWHERE_RE.search(text) or ("@" in text and _EMAIL_RE.search(text))
            or _AT_END_RE.search(text)):
        return True
    return len(text.split()) <= _CREDIT_WORDS and bool(_AT_START_RE.search(text))

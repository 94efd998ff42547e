"""English names the translator should not guess: news agencies (codes and full names) and common section names.

Plain data and one key function, imported by the wire reader (to find a dateline's agency code of several words,
such as "أ ش أ") and by digest/translate/english.py (to give the English of an article's agency, source and section).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

_FOLD_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_NOT_LETTER = re.compile(r"[\W\d_\u0640\u064b-\u065f\u0670]+")  # spaces, dots, brackets, tatweel, diacritics


def table_key(text: str) -> str:
    """A name folded for table lookup: "أ ش أ", "أ.ش.أ" and "(ا ش ا)" are one key; tatweel and diacritics go."""
    return _NOT_LETTER.sub("", text.translate(_FOLD_ALEF)).lower()


def _table(entries: Mapping[str, str]) -> dict[str, str]:
    return {table_key(k): v for k, v in entries.items()}


# News agencies as wire datelines and `source:` fields name them (code or full name) -> the English name they
# use themselves. Looked up for the agency and source fields only, whole field against whole key, so a code that
# is also a word ("مهر", "فارس") never renames anything else.
AGENCIES = _table({
    "واس": "SPA", "وكالة الأنباء السعودية": "Saudi Press Agency",
    "وام": "WAM", "وكالة أنباء الإمارات": "Emirates News Agency (WAM)",
    "قنا": "QNA", "وكالة الأنباء القطرية": "Qatar News Agency",
    "كونا": "KUNA", "وكالة الأنباء الكويتية": "Kuwait News Agency",
    "بنا": "BNA", "وكالة أنباء البحرين": "Bahrain News Agency",
    "العمانية": "ONA", "وكالة الأنباء العمانية": "Oman News Agency",
    "سانا": "SANA", "الوكالة العربية السورية للأنباء": "Syrian Arab News Agency",
    "واع": "INA", "وكالة الأنباء العراقية": "Iraqi News Agency",
    "أ ش أ": "MENA", "وكالة أنباء الشرق الأوسط": "Middle East News Agency",
    "بترا": "Petra", "وكالة الأنباء الأردنية": "Jordan News Agency (Petra)",
    "وفا": "WAFA", "وكالة الأنباء الفلسطينية": "Palestinian News Agency (WAFA)",
    "سبأ": "Saba", "وكالة الأنباء اليمنية": "Yemen News Agency (Saba)",
    "سونا": "SUNA", "وكالة السودان للأنباء": "Sudan News Agency",
    "وال": "LANA", "وكالة الأنباء الليبية": "Libyan News Agency",
    "وات": "TAP", "وكالة تونس أفريقيا للأنباء": "Tunis Afrique Presse",
    "واج": "APS", "وكالة الأنباء الجزائرية": "Algeria Press Service",
    "لاماب": "MAP", "و م ع": "MAP", "وكالة المغرب العربي للأنباء": "Maghreb Arabe Presse",
    "الوكالة الوطنية للإعلام": "National News Agency (Lebanon)",
    "يونا": "UNA",
    "تسنيم": "Tasnim", "وكالة تسنيم الدولية للأنباء": "Tasnim News Agency",
    "إرنا": "IRNA", "وكالة الجمهورية الإسلامية للأنباء": "Islamic Republic News Agency",
    "فارس": "Fars", "مهر": "Mehr", "إيسنا": "ISNA",
    "الأناضول": "Anadolu", "وكالة الأناضول": "Anadolu Agency",
    "رويترز": "Reuters", "أ ف ب": "AFP", "فرانس برس": "AFP", "أ ب": "AP", "أسوشيتد برس": "AP",
    "د ب أ": "dpa", "يو بي آي": "UPI", "شينخوا": "Xinhua", "تاس": "TASS", "سبوتنيك": "Sputnik",
})

# Section names of wire categories ("عام / ...") and common Markdown `section:` values. Short words are where
# machine translation goes wrong most ("عام" alone is "year"); anything else goes through the memory.
SECTIONS = _table({
    "عام": "General", "عامة": "General", "سياسي": "Politics", "سياسة": "Politics", "اقتصادي": "Economy",
    "اقتصاد": "Economy", "اجتماعي": "Society", "مجتمع": "Society", "ثقافي": "Culture", "ثقافة": "Culture",
    "رياضي": "Sports", "رياضة": "Sports", "تقرير": "Report", "تقارير": "Reports", "محليات": "Local",
    "محلي": "Local", "دولي": "World", "دوليات": "World", "عربي": "Arab World", "عربيات": "Arab World",
    "صحة": "Health", "صحي": "Health", "علوم": "Science", "تقنية": "Technology", "تكنولوجيا": "Technology",
    "منوعات": "Miscellany", "رأي": "Opinion", "مقالات": "Opinion", "فن": "Arts", "فنون": "Arts",
    "تعليم": "Education", "بيئة": "Environment", "طقس": "Weather", "عاجل": "Breaking news",
})

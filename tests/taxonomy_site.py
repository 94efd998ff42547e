"""A small content folder for the section and day tests: Markdown articles written for these tests (no licence
restriction) in several sections and on several days, some with a human English translation (.en.md), so that a
build with `translator = none` has English pages without the network.

Sections, chosen to cover every rule of digest/site/sections.py:
- اقتصاد / اقتصادي: both in the built-in table (Economy): one section, slug 'economy', in both languages;
- ثقافة: in the test's [sections] table (English 'Culture and Arts', slug 'culture'), which wins over the table;
- الرياضة المحلية: transliterated slug, English name from the .en.md files ('Local Sports');
- حرب / هرب: both transliterate to 'hrb': the older one keeps it, the other is 'hrb-2' (Arabic only);
- شؤون البلدية: English stories whose .en.md gives no section: no English name, so an Arabic page only;
- one article without a section.
"""
from __future__ import annotations

from pathlib import Path

SECTIONS_TOML = '''
[sections]
"ثقافة" = { en = "Culture and Arts", slug = "culture" }
'''

# (file stem, date, Arabic section or None, Arabic title, Arabic body sentences, English title or None,
#  English section or None)
ARTICLES = [
    ("market-up", "2024-03-01T09:00:00+03:00", "اقتصاد", "ارتفاع مؤشر السوق في ختام التداولات",
     ["ارتفع مؤشر السوق المالية في ختام تداولات اليوم بدعم من أسهم المصارف.", "وبلغت قيمة التداولات مليار ريال."],
     "Market index rises at the close", None),
    ("budget", "2024-03-01T11:30:00+03:00", "اقتصادي", "الحكومة تعلن ميزانية العام المقبل",
     ["أعلنت الحكومة اليوم ميزانية العام المقبل مع زيادة الإنفاق على التعليم.", "وتوقعت الوزارة نمو الإيرادات."],
     "Government announces next year's budget", None),
    ("book-fair", "2024-03-01T15:00:00+03:00", "ثقافة", "افتتاح معرض الكتاب بمشاركة واسعة",
     ["افتتح معرض الكتاب أبوابه اليوم بمشاركة خمسمئة دار نشر.", "ويستمر المعرض عشرة أيام."],
     "Book fair opens with wide participation", None),
    ("league-final", "2024-03-02T20:00:00+03:00", "الرياضة المحلية", "النادي الأهلي يفوز بنهائي الدوري",
     ["فاز النادي الأهلي بنهائي الدوري المحلي بهدفين نظيفين.", "واحتفل الجمهور في المدرجات حتى منتصف الليل."],
     "Al Ahli wins the league final", "Local Sports"),
    ("youth-cup", "2024-03-02T10:00:00+03:00", "الرياضة المحلية", "انطلاق كأس الشباب في العاصمة",
     ["انطلقت اليوم منافسات كأس الشباب في العاصمة بمشاركة ستة عشر فريقا.", "وتستمر البطولة أسبوعين."],
     None, None),
    ("war-report", "2024-03-02T08:00:00+03:00", "حرب", "تقرير عن آثار الحرب على المدن",
     ["نشرت المنظمة تقريرا عن آثار الحرب على المدن الصغيرة.", "ودعا التقرير إلى إعادة الإعمار."],
     None, None),
    ("escape-story", "2024-03-03T12:00:00+03:00", "هرب", "قصة هروب من حريق في مبنى سكني",
     ["نجا سكان مبنى من حريق اندلع فجر اليوم بعد أن هربوا عبر السلالم.", "وأخمد الدفاع المدني الحريق."],
     None, None),
    ("streets", "2024-03-03T09:00:00+03:00", "شؤون البلدية", "البلدية تبدأ صيانة الشوارع الرئيسية",
     ["بدأت البلدية اليوم أعمال صيانة الشوارع الرئيسية في وسط المدينة.", "وتنتهي الأعمال خلال شهر."],
     "Municipality starts repairing main streets", None),
    ("poetry", "2024-03-03T18:00:00+03:00", "ثقافة", "أمسية شعرية في المركز الثقافي",
     ["أقام المركز الثقافي أمسية شعرية شارك فيها عشرة شعراء.", "وحضر الأمسية جمهور كبير."],
     None, None),
    ("weather-note", "2024-03-04", None, "طقس معتدل في معظم المناطق",
     ["يسود طقس معتدل معظم المناطق مع رياح خفيفة.", "وتتوقع الأرصاد أمطارا خفيفة في المساء."],
     "Mild weather in most regions", None),
    ("exports", "2024-03-04T13:00:00+03:00", "اقتصاد", "نمو الصادرات غير النفطية",
     ["سجلت الصادرات غير النفطية نموا بنسبة عشرة في المئة خلال الربع الأول.", "وقادت الصناعات الغذائية النمو."],
     "Non-oil exports grow", None),
]


def write_article(content: Path, stem: str, date: str, section: str | None, title: str, body: list[str],
                  en_title: str | None, en_section: str | None) -> None:
    front = [f"title: {title}", f"date: {date}"] + ([f"section: {section}"] if section else [])
    (content / f"{stem}.md").write_text("---\n" + "\n".join(front) + "\n---\n" + "\n\n".join(body) + "\n",
                                        encoding="utf-8")
    if en_title:
        en_front = [f'title: "{en_title}"'] + ([f"section: {en_section}"] if en_section else [])
        en_body = [f"English text of the story about {en_title.lower()}, sentence {n}." for n in (1, 2)]
        (content / f"{stem}.en.md").write_text("---\n" + "\n".join(en_front) + "\n---\n" + "\n\n".join(en_body)
                                               + "\n", encoding="utf-8")


def write_site(root: Path, base_url: str = "https://example.org/") -> Path:
    """root/content with the articles, root/site.toml with the [sections] table; returns the site.toml path."""
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    for article in ARTICLES:
        write_article(content, *article)
    toml = root / "site.toml"
    toml.write_text(f'[site]\nbase_url = "{base_url}"\nper_page = 2\nfeed_items = 5\n'
                    f'[translator]\nbackend = "none"\n' + SECTIONS_TOML, encoding="utf-8")
    return toml

"""A small front page for the tests: six short stories over three days, in Arabic with a human English
translation each (texts written for these tests), two of them with a cover image made here (PNG gradients), one
with an image in its body too. The newest day has three stories (the lead has an image), the next one story, the
last two."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path


def gradient_png(width: int, height: int) -> bytes:
    rows = b"".join(b"\x00" + b"".join(bytes(((x * 255) // width, (y * 255) // height, 120)) for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


STORIES = [
    ('port', '2024-05-03T11:20:00+03:00', 'اقتصاد', 'images/port.png',
     'ميناء جدة يستقبل أكبر سفينة حاويات في تاريخه',
     'Jeddah port receives the largest container ship in its history',
     ('استقبل ميناء جدة الإسلامي اليوم أكبر سفينة حاويات ترسو فيه منذ إنشائه. '
      'وقالت الهيئة العامة للموانئ إن السفينة تحمل أكثر من عشرين ألف حاوية. '
      'وأضافت أن الميناء جهز أرصفته لاستقبال السفن العملاقة خلال العامين الماضيين.'),
     ('Jeddah Islamic Port today received the largest container ship to dock there since it was built. '
      'The Ports Authority said the ship carries more than twenty thousand containers. '
      'It added that the port had prepared its berths for giant ships over the past two years.')),
    ('rain', '2024-05-03T08:05:00+03:00', 'طقس', None,
     'أمطار غزيرة متوقعة على المرتفعات الجنوبية',
     'Heavy rain expected over the southern highlands',
     ('توقع المركز الوطني للأرصاد هطول أمطار غزيرة على مرتفعات عسير والباحة. '
      'ودعا المركز السكان إلى الابتعاد عن مجاري الأودية. '
      'وتستمر الحالة حتى نهاية الأسبوع.'),
     ('The National Center for Meteorology expects heavy rain over the highlands of Asir and Al-Baha. '
      'The center urged residents to keep away from valleys. '
      'The weather will last until the end of the week.')),
    ('farm', '2024-05-03T07:00:00+03:00', 'زراعة', 'images/farm.png',
     'مزارعو القصيم يبدؤون حصاد القمح',
     'Qassim farmers begin the wheat harvest',
     ('بدأ مزارعو منطقة القصيم حصاد محصول القمح لهذا الموسم. '
      'ويتوقع المزارعون إنتاجا وفيرا بعد موسم أمطار جيد.'),
     ("Farmers in the Qassim region began harvesting this season's wheat. "
      'They expect a good yield after a good rainy season.')),
    ('school', '2024-05-02T10:00:00+03:00', 'تعليم', None,
     'افتتاح مدرسة جديدة في حي النرجس',
     'A new school opens in Al-Narjis',
     ('افتتحت وزارة التعليم مدرسة جديدة في حي النرجس. '
      'وتستوعب المدرسة خمسمائة طالب. '
      'وقال المتحدث إن المدرسة مجهزة بأحدث الوسائل.'),
     ('The Ministry of Education opened a new school in Al-Narjis. '
      'The school holds five hundred students. '
      'The spokesman said it has the latest equipment.')),
    ('library', '2024-05-01T09:00:00+03:00', 'ثقافة', None,
     'مكتبة عامة جديدة في حي النخيل',
     'A new public library in Al-Nakheel',
     ('افتتحت أمانة المدينة مكتبة عامة في حي النخيل. '
      'وتضم المكتبة عشرين ألف كتاب.'),
     ('The city opened a public library in Al-Nakheel. '
      'It holds twenty thousand books.')),
    ('match', '2024-05-01T21:00:00+03:00', 'رياضة', None,
     'الهلال يفوز على النصر في الديربي',
     'Al-Hilal beat Al-Nassr in the derby',
     ('فاز فريق الهلال على النصر بهدفين مقابل هدف في مباراة الديربي. '
      'وسجل هدفي الفوز في الشوط الثاني.'),
     ('Al-Hilal beat Al-Nassr two goals to one in the derby. '
      'Both winning goals came in the second half.')),
]


EN_SECTIONS = {"اقتصاد": "Economy", "طقس": "Weather", "زراعة": "Agriculture", "تعليم": "Education", "ثقافة": "Culture",
               "رياضة": "Sports"}


def write_front_content(content: Path) -> None:
    (content / "images").mkdir(parents=True, exist_ok=True)
    (content / "images" / "port.png").write_bytes(gradient_png(480, 270))
    (content / "images" / "farm.png").write_bytes(gradient_png(200, 200))
    (content / "images" / "field.png").write_bytes(gradient_png(720, 405))
    for slug, date, section, image, title, en_title, body, en_body in STORIES:
        if slug == "farm":  # an image in the body too
            body += "\n\n![حقل قمح قبل الحصاد](images/field.png)"
            en_body += "\n\n![A wheat field before the harvest](images/field.png)"
        front = f"---\ntitle: {title}\ndate: {date}\nsection: {section}\n" + (f"image: {image}\n" if image else "")
        (content / f"{slug}.md").write_text(front + "---\n" + body + "\n", encoding="utf-8")
        english = f"---\ntitle: {en_title}\nsection: {EN_SECTIONS[section]}\n---\n{en_body}\n"
        (content / f"{slug}.en.md").write_text(english, encoding="utf-8")

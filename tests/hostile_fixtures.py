"""A folder of hostile and broken content files mixed with good articles (shared by the hostile tests).

GOOD: file -> what must be true of its published page. BAD: file -> a word the single error message must contain.
WARN: published, with exactly one warning line naming the file.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import ROOT, WIRE

AR_BODY = "قال المتحدث إن الاجتماع ناقش التعاون الاقتصادي بين البلدين. وأضاف أن اللجنة ستعقد جلستها المقبلة قريبا."
DATELINE = "الرياض 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس"


def wire(headline: str, *paragraphs: str, dateline: str = DATELINE) -> str:
    return "\n".join([headline, dateline, *(paragraphs or (AR_BODY,)), "/انتهى/", "17:45 ت م", ""])


def md(front: str, body: str = AR_BODY) -> str:
    return f"---\n{front.strip()}\n---\n{body}\n"


XSS_MD = md('title: "عنوان <script>alert(1)</script> <img src=x onerror=alert(2)>"\n'
            'summary: "<b onmouseover=alert(3)>ملخص</b> javascript:alert(4)"\ndate: 2015-08-11', """
فقرة أولى فيها <script>alert('x')</script> ونص <img src="x" onerror="alert(1)"> بعدها.

<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>

<form action="https://evil.example/"><input name="q"><button>أرسل</button></form>

[رابط خبيث](javascript:alert(1)) و [رابط بيانات](data:text/html;base64,PHNjcmlwdD4=) و ![صورة](data:image/png;base64,iVBOR)

<a href="JaVaScRiPt:alert(1)">ضغط</a> <a href="java&#x09;script:alert(1)">ضغط</a> <svg onload=alert(1)><circle/></svg>

<h2 id="ok-heading" dir="ltr" lang="en" onclick="x()">Heading kept</h2>

<p dir="rtl" lang="ar" style="color:red">فقرة باتجاه صريح.</p>
""")

GOOD_TEXTS = {
    # name -> (bytes, a phrase that must be on the Arabic page)
    "good one.txt": (wire("عام / خبر جيد أول", AR_BODY).encode(), "خبر جيد أول"),
    "خبر عربي.txt": (wire("خبر باسم ملف عربي", AR_BODY).encode(), "خبر باسم ملف عربي"),
    "dots.in.name.v2.txt": (wire("خبر باسم فيه نقاط", AR_BODY).encode(), "خبر باسم فيه نقاط"),
    "crlf-bom.txt": (("\ufeff" + wire("خبر بنهايات ويندوز", AR_BODY)).replace("\n", "\r\n").encode(),
                     "خبر بنهايات ويندوز"),
    "plain.md": (md("title: خبر ماركداون سليم\ndate: 2015-08-12\nsection: اقتصاد").encode(), "خبر ماركداون سليم"),
    # Markup written as entities is text, in the page and in the feed's description (which readers take for HTML).
    "entities.md": (md("title: خبر فيه رموز مرمزة\ndate: 2015-08-15",
                       "قال المحرر إن **العبارة** &lt;script&gt;alert(1)&lt;/script&gt; و &lt;img src=x "
                       "alt=y&gt; نص مرمز فقط وأن a &lt; b صحيح.").encode(), "نص مرمز فقط"),
}

# Published with exactly one warning line each.
WARN_TEXTS = {
    "legacy-1256.txt": (wire("خبر بترميز ويندوز العربي", AR_BODY).encode("cp1256"), "Windows-1256",
                        "خبر بترميز ويندوز العربي"),
    "legacy-8859-6.txt": (wire("خبر بترميز ايزو العربي", "نص الخبر هنا مكتوب بحروف عربية فقط").encode("iso8859-6"),
                          "ISO-8859-6", "خبر بترميز ايزو العربي"),
    "unknown-key.md": (md("title: خبر بمفتاح غريب\ndate: 2015-08-13\ncolour: red").encode(), "colour",
                       "خبر بمفتاح غريب"),
    "marker-middle.txt": (("خبر فيه علامة نهاية في الوسط\n" + DATELINE + "\nالفقرة الأولى قبل العلامة.\n/انتهى/\n"
                           "فقرة بعد العلامة يجب ألا تضيع.\n17:45 ت م\n").encode(), "marker",
                          "فقرة بعد العلامة يجب ألا تضيع"),
    "bidi.txt": (wire("خبر \u202eمقلوب\u202c الاتجاه", "نص \u2066معزول\u2069 ونص \u202dمفروض\u202c.").encode(),
                 "control", "مقلوب"),
    "xss.md": (XSS_MD.encode(), "unsafe", "فقرة أولى فيها"),
    "html-in-wire.txt": (wire("<b>خبر</b> <script>alert(1)</script>فيه وسوم", "نص <img src=x onerror=alert(1)> "
                              "و<a href='javascript:alert(1)'>رابط</a> بعده.").encode(), "markup", "فيه وسوم"),
    "escape-slug.md": (md("title: خبر يحاول الهروب\ndate: 2015-08-14\nslug: ../../../etc/evil").encode(), "slug",
                       "خبر يحاول الهروب"),
    "controls.txt": (wire("خبر فيه محارف تحكم\x0b\x1b", "نص\x07 فيه \x1f محارف \ufffe غير صالحة.").encode(),
                     "control", "خبر فيه محارف تحكم"),
}

# Skipped: one error line each, containing the given word.
BAD_TEXTS = {
    "empty.txt": (b"", "empty"),
    "whitespace.txt": (b"  \n\t\n   \r\n", "empty"),
    "headline-only.txt": ("عنوان بلا نص\n".encode(), "no body"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "bad-utf8.txt": (wire("خبر فيه بايت تالف", AR_BODY).encode()[:60] + b"\xff\xfe" + wire("x").encode()[60:],
                     "offset"),
    "yaml-broken.md": (b"---\ntitle: [unclosed\ndate: 2015-08-10\n---\nbody\n", "YAML"),
    "yaml-list.md": (b"---\n- a\n- b\n---\nbody text\n", "mapping"),
    "impossible-date.md": (md("title: خبر بتاريخ مستحيل\ndate: 2015-02-30").encode(), "date"),
    "impossible-dateline.txt": (wire("خبر بتاريخ مستحيل في سطر التاريخ", AR_BODY,
                                     dateline="جدة 12 جمادى الأولى 1436 هـ الموافق 31 فبراير 2015 م واس").encode(),
                                "does not exist"),
    "long-headline.txt": (("خبر " * 250 + "\n" + AR_BODY + "\n").encode(), "headline"),
    "no-title.md": (md("date: 2015-08-10\nsection: عام").encode(), "title"),
    "title-list.md": (md("title: [a, b]\ndate: 2015-08-10").encode(), "title"),
    "oversize.txt": (wire("خبر كبير جدا", AR_BODY * 40).encode(), "limit"),
    "yaml-bomb.md": (b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                     b"title: x\nsection: *d\n---\nbody\n", "alias"),
}

MAX_BYTES = 4000  # the size limit used in these tests: "oversize.txt" is over it, everything else under


def make_hostile_folder(content: Path, outside: Path) -> None:
    """Fill `content` with GOOD/WARN/BAD files, real wire articles, and symlinks (one leading outside)."""
    content.mkdir(parents=True)
    for name, (data, *_) in {**GOOD_TEXTS, **WARN_TEXTS, **BAD_TEXTS}.items():
        (content / name).write_bytes(data)
    for name, data in COLLIDING.items():
        (content / name).write_bytes(data)
    for src in sorted(WIRE.glob("0[0-2]*.txt"))[:3]:
        shutil.copy(src, content / src.name)
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text(wire("سر خارج المجلد", "هذا النص خارج مجلد المحتوى ولا يجوز نشره."), encoding="utf-8")
    os.symlink(secret, content / "link-outside.txt")
    os.symlink(outside, content / "dir-outside")
    os.symlink(content / "good one.txt", content / "link-inside.txt")
    os.symlink(content / "missing.txt", content / "broken-link.txt")


SYMLINK_BAD = {"link-outside.txt": "outside", "dir-outside": "outside", "broken-link.txt": "broken"}
# Two names whose slug collides: "link-inside.txt" is a symlink to "good one.txt" -> slugs "link-inside" and
# "good-one" differ, so add a real collision:
COLLIDING = {"same name.txt": wire("خبر أول بنفس الاسم").encode(), "same-name.txt": wire("خبر ثان بنفس الاسم").encode()}

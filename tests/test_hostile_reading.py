"""Reader details behind the hostile-folder test: encodings, dates, markers, slugs, exit codes, the sanitiser."""
from __future__ import annotations

import pytest

from digest.read import ArticleError, Notes, load_content, read_wire
from digest.read.decode import decode_text
from digest.build.pipeline import BuildReport
from digest.model import Problem
from digest.site.safety import clean_html as sanitize_html
from digest.site.safety import defang, plain

TEXT = "عام / وزير الخارجية يلتقي نظيره\nالرياض 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس\nبحث الجانبان العلاقات الثنائية.\n"


@pytest.mark.parametrize("codec, name", [("cp1256", "Windows-1256"), ("iso8859-6", "ISO-8859-6"),
                                         ("utf-16", "UTF-16")])
def test_legacy_encodings_are_detected_and_named(codec, name):
    notes = Notes()
    assert decode_text(TEXT.encode(codec), notes) == TEXT
    assert len(notes.items) == 1 and name in notes.items[0][1]


def test_utf8_with_bom_and_crlf_is_silent():
    notes = Notes()
    assert decode_text(("\ufeff" + TEXT).replace("\n", "\r\n").encode(), notes) == TEXT and not notes.items


def test_damaged_utf8_is_an_error_with_the_byte_offset():
    raw = TEXT.encode()
    at = len(TEXT[:40].encode())
    damaged = raw[:at] + b"\xc3\x28" + raw[at:]  # a broken two-byte sequence inside Arabic UTF-8
    with pytest.raises(ArticleError, match=f"offset {at}") as info:
        decode_text(damaged)
    assert info.value.line == 2


def test_impossible_dateline_and_bad_time_line():
    with pytest.raises(ArticleError, match="31 فبراير 2015"):
        read_wire(TEXT.replace("10 اغسطس", "31 فبراير"))
    notes = Notes()
    fields = read_wire(TEXT + "/انتهى/\n25:70 ت م\n", notes)
    assert fields["time_of_day"] is None and "25:70" in notes.items[0][1]


def test_text_after_an_end_marker_is_kept_with_a_warning():
    notes = Notes()
    fields = read_wire(TEXT + "// يتبع //\nتكملة الخبر بعد العلامة.\n/انتهى/\n17:45 ت م\n", notes)
    body = [s for p in fields["paragraphs"] for s in p]
    assert body == ["بحث الجانبان العلاقات الثنائية.", "تكملة الخبر بعد العلامة."]
    assert fields["time_of_day"] == (17, 45) and len(notes.items) == 1 and "kept" in notes.items[0][1]


def test_one_problem_line_per_file_and_distinct_slugs(tmp_path):
    (tmp_path / "a b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a-b.md").write_text("---\ntitle: t\nfoo: 1\nbar: 2\n---\n\u202eنص.\n", encoding="utf-8")
    (tmp_path / "a-b.en.md").write_text("---\ntitle: T\n---\nText.\n", encoding="utf-8")
    articles, humans, problems = load_content(tmp_path)
    assert sorted(a.slug for a in articles) == ["a-b", "a-b-2"]
    assert [p.path for p in problems] == ["a-b.md"]  # collision + unknown keys + bidi: one line
    assert "a-b-2" in problems[0].message and "'bar', 'foo'" in problems[0].message
    assert list(humans) == ["a-b-2"]  # a-b.en.md translates a-b.md, whichever URL name that one got


def test_exit_codes():
    skipped, warning = Problem("x.txt", "bad"), Problem("y.txt", "odd", "warning")
    assert BuildReport().exit_code(strict=True) == 0
    assert BuildReport(warnings=[warning]).exit_code(strict=False) == 0
    assert BuildReport(warnings=[warning]).exit_code(strict=True) == 4
    assert BuildReport(untranslated=["y.txt"]).exit_code(strict=True) == 4
    assert BuildReport(skipped=[skipped], warnings=[warning]).exit_code(strict=True) == 3


@pytest.mark.parametrize("html, kept, gone", [
    ('<h2 id="x" dir="rtl" lang="ar">t</h2>', ['id="x"', 'dir="rtl"', 'lang="ar"'], []),
    ('<p dir="sideways" lang="<x>" style="a">t</p>', ["<p>t</p>"], ["sideways", "style"]),
    ('<h2 id="main">t</h2>', ["<h2>t</h2>"], ['id="main"']),
    ('<a href="javascript:alert(1)">x</a><a href=" data:text/html,x">y</a>', ["x", "y"], ["javascript", "data:"]),
    ("<script>alert(1)</script><style>p{}</style><iframe>i</iframe><form>f</form>ok", ["ok"],
     ["alert", "p{}", "<iframe", "<form"]),
    ("<img src=x onerror=alert(1)><svg onload=alert(1)></svg>", ['<img src="x">'], ["onerror", "onload", "svg"]),
    ("a\u202eb\u2067c\x0bd", ["abcd"], []),
])
def test_sanitizer(html, kept, gone):
    out = sanitize_html(html)
    for piece in kept:
        assert piece in out, out
    for piece in gone:
        assert piece not in out, out


def test_plain_text_fields():
    assert plain("<b>عنوان</b> <script>alert(1)</script>خبر") == "عنوان خبر"
    assert plain("a < b & c") == "a < b & c"  # not markup: untouched
    assert defang("javascript:alert(1) onclick=x data: ok") == "javascript\uff1aalert(1) onclick\uff1dx data: ok"

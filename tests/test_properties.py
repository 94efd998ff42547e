"""Property-based tests (hypothesis): arbitrary input to the readers, the summarizer, the renderer and the feeds
never crashes them, and what comes out is well-formed HTML/XML with nothing executable and no layout-flipping
characters. Example counts are modest to keep the suite fast."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from digest.read import ArticleError, load_article, read_wire
from digest.read.decode import decode_text
from digest.read.markdown import read_markdown
from digest.read.wire import _MARKER, _fold, is_number_line, is_trailer
from digest.config import load_config
from digest.site.feeds import rss_feed
from digest.model import Article
from digest.site.render import ArticleView, paragraphs_html
from digest.site.safety import markdown_to_html
from digest.language.summary import summarize

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# Text that looks like content: Arabic, Latin, digits, punctuation, markup characters, controls, bidi marks.
ALPHABET = st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى ًٌٍَُِّْ٠١٢٣٤٥٦٧٨٩")
                           + list("abcXYZ019 .,:;!?،؛؟-/\\\"'<>&=#*_[]()`~\n\t\r")
                           + ["\u202e", "\u2066", "\u200f", "\x00", "\x0b", "\ufeff", "\ud800", "\uffff", "\x85"])
TEXT = st.one_of(st.text(), st.text(alphabet=ALPHABET, max_size=400))
HOSTILE = st.sampled_from(["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
                           "<a href='data:text/html,x'>d</a>", "<iframe src=//e></iframe>", "<style>*{}</style>",
                           "<form><input></form>", "<svg onload=alert(1)>", "\u202eevil\u202c", "]]>", "<!--",
                           "<![CDATA[x]]>", "&#0;", "\x00"])
MIXED = st.lists(st.one_of(TEXT, HOSTILE), min_size=1, max_size=6).map("".join)


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "iframe", "form", "object", "embed", "svg", "input"):
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(name)
            if name in ("href", "src") and value and re.match(r"(?i)\s*(javascript|vbscript|data):", value):
                self.problems.append(value)
        if tag not in ("br", "hr", "img"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}>")
        else:
            self.stack.pop()


def assert_safe_html(fragment: str) -> None:
    checker = _Checker()
    checker.feed(fragment)
    checker.close()
    assert checker.problems == [] and checker.stack == [], (fragment, checker.problems, checker.stack)
    assert not BIDI.search(fragment) and not XML_INVALID.search(fragment), fragment


@FAST
@given(st.binary(max_size=600))
def test_decode_never_replaces_silently(raw):
    try:
        text = decode_text(raw)
    except ArticleError as exc:
        assert "offset" in str(exc) or "binary" in str(exc) or "UTF-16" in str(exc)
        return
    assert "\ufffd" not in text or "\ufffd".encode() in raw or raw[:2] in (b"\xff\xfe", b"\xfe\xff")


@FAST
@given(TEXT)
def test_valid_utf8_reads_back_exactly(text):
    text = text.replace("\x00", "")
    try:
        decoded = decode_text(text.encode("utf-8", "surrogatepass"))
    except ArticleError:
        assert re.search("[\ud800-\udfff]", text)  # lone surrogates are not UTF-8
        return
    assert decoded == text.lstrip("\ufeff")[:0] + (text[1:] if text.startswith("\ufeff") else text).replace(
        "\r\n", "\n").replace("\r", "\n")


@FAST
@given(MIXED, st.sampled_from([".txt", ".md"]))
def test_any_file_either_loads_cleanly_or_gives_one_error(tmp_path_factory, text, suffix):
    folder = tmp_path_factory.mktemp("p")
    path = folder / f"a{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        article = load_article(path, folder, {})
    except ArticleError as exc:
        assert str(exc)
        return
    fields = [article.headline, article.section, article.place, article.agency, article.source, article.byline,
              article.summary_override, *article.sentences]
    for field in filter(None, fields):
        assert not BIDI.search(field) and not XML_INVALID.search(field), field
    assert (article.paragraphs or article.flash) and article.headline  # a flash is a headline alone
    assert re.fullmatch(r"[\w-]+", article.slug)


@FAST
@given(MIXED)
def test_markdown_and_paragraphs_render_to_safe_balanced_html(text):
    assert_safe_html(markdown_to_html(text))
    assert_safe_html(str(paragraphs_html([text, text[::-1]], False)))


@FAST
@given(MIXED)
def test_markdown_reader_keeps_hostile_markup_out_of_fields(text):
    try:
        fields = read_markdown(f"---\ntitle: t\n---\n{text}\n")
    except ArticleError:
        return
    for paragraph in fields["paragraphs"]:
        for sentence in paragraph:
            assert not re.search(r"(?i)<\s*script|javascript:|\son[a-z]+\s*=", sentence), sentence


def _article(headline: str, body: str) -> Article:
    paragraphs = tuple((p,) for p in body.split("\n") if p.strip()) or (("نص",),)
    return Article(slug="a", source_path="a.txt", headline=headline or "عنوان", paragraphs=paragraphs,
                   published=dt.datetime(2015, 8, 10, tzinfo=dt.timezone.utc), date_source="dateline")


@FAST
@given(MIXED, MIXED)
def test_summarizer_accepts_any_text(headline, body):
    article = _article(headline, body)
    summary = summarize(article, words=40)
    assert isinstance(summary.text, str)
    for p, s in summary.picks:
        assert article.paragraphs[p][s]


CONFIG = load_config(ROOT / "site.toml", root=ROOT)


@FAST
@given(MIXED, MIXED, MIXED, st.sampled_from(["ar", "en"]))
def test_feed_is_well_formed_xml_whatever_the_text(headline, summary, body, lang):
    view = ArticleView(slug="a", lang=lang, headline=headline, summary=summary,
                       body_html=paragraphs_html([body], True), date_iso="2015-08-10T00:00:00+03:00",
                       date_display="10", section=headline[:20] or None, place=None, source=None, byline=None,
                       agency=None, path=f"{lang}/a/index.html", other_path=None)
    xml = rss_feed(CONFIG, lang, [view], {"a": dt.datetime(2015, 8, 10, tzinfo=dt.timezone.utc)}).decode("utf-8")
    assert not XML_INVALID.search(xml) and not BIDI.search(xml)
    root = ET.fromstring(xml.encode("utf-8"))
    encoded = root.find("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded").text or ""
    assert_safe_html(encoded)


# --- the wire reader, fuzzed with wire-like lines ---------------------------------------------------------------
MONTHS = ["يناير", "فبراير", "مارس", "أغسطس", "تشرين الأول", "شباط", "xyz"]
DATELINES = st.builds(lambda place, day, month, year: f"{place} {day} شوال 1436 هـ الموافق {day} {month} {year} م واس",
                      st.sampled_from(["الرياض", "جدة", "بيروت", ""]), st.integers(0, 40), st.sampled_from(MONTHS),
                      st.integers(1990, 2030))
WIRE_LINE = st.one_of(
    st.text(alphabet=st.sampled_from(list("ابتثجحخدرزسشصعفقكلمنهوي .،؟!0123456789")), min_size=1, max_size=80),
    DATELINES,
    st.sampled_from(["/انتهى/", "// انتهى //", "// يتبع //", "/انتهى/ ع.ح", "17:45 ت م", "25:99 ت م", "",
                     "عام / ", "سياسة / خبر", "عين اليوم – متابعات", "   ", "\t"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(WIRE_LINE, min_size=0, max_size=12))
def test_wire_reader_fuzz_loses_no_text(lines):
    text = "\n".join(lines)
    try:
        fields = read_wire(text)
    except ArticleError as exc:
        assert str(exc)
        return
    body = [s for p in fields["paragraphs"] for s in p]
    assert (body or fields.get("flash")) and fields["headline"]
    joined = " ".join(body)
    for line in body:
        assert not _MARKER.match(line)
    # Every body-looking line of the input is somewhere in the result: headline, dateline, byline or body.
    kept = " ".join(filter(None, [fields["headline"], fields.get("section") or "", fields.get("byline") or "",
                                  joined]))
    for index, line in enumerate(l.strip() for l in lines):
        if index == 0 or not line or _MARKER.match(line) or is_trailer(_fold(line)) or "الموافق" in line:
            continue
        if is_number_line(_fold(line)) and any(is_trailer(_fold(l.strip())) for l in lines[1:index]):
            continue  # a slug number or HHMM below a trailer line is trailer too
        squeeze = lambda t: re.sub(r"\s+", "", t)  # the sentence splitter may add a space after a full stop
        assert squeeze(line) in squeeze(kept) or squeeze(line.split(" / ")[-1]) in squeeze(kept), (line, fields)

"""The editor's commands: `generate.py new` (slug rule, front matter, never overwriting) and `generate.py review`
(the machine English written as a human translation; the English page reads the same until edited). The articles
are written for these tests (no licence); their English comes from tests/fake_libretranslate.py on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from digest.build.pipeline import build
from digest.editor import markdown_literal, slug_for_title, transliterate
from digest.read import load_article
from digest.translate import TranslationMemory
from fake_libretranslate import FakeLibreTranslate

NOW = dt.datetime(2026, 12, 5, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))

# A wire item and a Markdown article (list, link, emphasis) written for these tests.
WIRE = ("ثقافة / افتتاح معرض الكتاب في المدينة\nالمدينة 10 أغسطس 2015 م واس\n"
        "افتتح وزير الثقافة اليوم معرض الكتاب الدولي في دورته الجديدة. "
        "ويشارك في المعرض عدد كبير من دور النشر العربية والأجنبية.\n"
        "ويستمر المعرض عشرة أيام ويفتح أبوابه للزوار من الصباح حتى المساء.\n"
        "وقال المنظمون إن الدخول مجاني لطلاب المدارس والجامعات.\n// انتهى //\n")
MARKDOWN = ("---\ntitle: أمطار غزيرة على المناطق الجنوبية\ndate: 2015-08-11\nsection: طقس\n"
            "place: أبها\nsource: وكالة الأنباء\n---\n"
            "توقعت هيئة الأرصاد هطول **أمطار غزيرة** على المناطق الجنوبية خلال الأيام المقبلة. "
            "ودعت الهيئة السكان إلى الحذر والابتعاد عن مجاري السيول.\n\n"
            "## نصائح للسكان\n\n- البقاء في المنازل وقت العواصف\n- متابعة [نشرات الهيئة](https://example.org/x)\n\n"
            "وأكدت الهيئة أن فرق الطوارئ جاهزة للتعامل مع أي حالة.\n")
SECOND = "ويستمر المعرض عشرة أيام ويفتح أبوابه للزوار من الصباح حتى المساء."
# English a translator might give, with characters Markdown would read as marks if written as they are.
TRICKY = {
    SECOND:
        "# 1. The fair *runs* for 10 days_ [open] <3 daily & &amp; visitors \\ welcome `always`.",
    "وقال المنظمون إن الدخول مجاني لطلاب المدارس والجامعات.":
        "- Entry is free for students + pupils > 18, said the organisers | staff.",
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DIGEST_CACHE_DIR", "DEEPL_API_KEY")}
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path):
    """A content folder and a site.toml keeping output and memory inside tmp_path (translator none)."""
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / "site.toml").write_text(
        f'[site]\noutput_dir = "{tmp_path / "output"}"\ncontent_dir = "{content}"\n'
        f'[translator]\nbackend = "none"\nmemory_dir = "{tmp_path / "memory"}"\n', encoding="utf-8")
    return tmp_path


# --- new ---------------------------------------------------------------------------------------------------------
def test_slug_rule():
    assert slug_for_title("عنوان الخبر", NOW) == "anwan-alkhbr"
    assert slug_for_title("مُؤتمَر صَحفي", NOW) == "muutmar-sahfy"  # vowel marks, when written, give vowels
    assert slug_for_title("Café in São Paulo: 3 days", NOW) == "cafe-in-sao-paulo-3-days"
    assert slug_for_title("قمة الـ٢٠ في الرياض", NOW) == "qma-al20-fy-alryad"  # tatweel dropped, digits Latin
    for nothing in ("٢٠٢٤", "新闻发布", "!!!", "Page"):  # no Latin letter after transliteration, or a reserved name
        assert slug_for_title(nothing, NOW) == "2026-12-05-1430"
    long = slug_for_title("وزير الخارجية السعودي يلتقي نظيره الأمريكي في واشنطن لبحث العلاقات الثنائية", NOW)
    assert len(long) <= 60 and not long.endswith("-") and long.startswith("wzyr-alkharjya-")
    assert transliterate("الخبر").split() == ["alkhbr"]


def _front(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:text.index("\n---", 4)])


def test_new_writes_an_article_and_never_overwrites(project):
    content = project / "content"
    (content / "sub").mkdir()
    (content / "sub" / "afttah-mard-alktab-2.txt").write_text(WIRE, encoding="utf-8")  # a slug taken in a subfolder
    title = 'افتتاح معرض الكتاب: "الدورة" #1'
    before = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    first = run("--config", str(project / "site.toml"), "new", title, "--section", "ثقافة", cwd=project)
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    assert first.stdout.count("\n") == 1 and path == Path("content/afttah-mard-alktab-aldwra-1.md")
    meta = _front(project / path)
    assert meta["title"] == title and meta["section"] == "ثقافة"
    assert meta["date"].utcoffset() == dt.timedelta(hours=3)  # the site's time zone, Mecca time
    assert before <= meta["date"] <= dt.datetime.now(dt.timezone.utc)

    again = run("--config", str(project / "site.toml"), "new", title, cwd=project)
    assert again.returncode == 0 and again.stdout.strip() == "content/afttah-mard-alktab-aldwra-1-2.md"
    assert _front(project / path)["section"] == "ثقافة"  # the first file is untouched
    taken = run("--config", str(project / "site.toml"), "new", "افتتاح معرض الكتاب", cwd=project)
    assert taken.stdout.strip() == "content/afttah-mard-alktab.md"
    taken = run("--config", str(project / "site.toml"), "new", "افتتاح معرض الكتاب", cwd=project)
    assert taken.stdout.strip() == "content/afttah-mard-alktab-3.md"  # -2 is sub/afttah-mard-alktab-2.txt's slug

    # With a body, the file is an article the site's reader takes as written.
    (project / path).write_text((project / path).read_text(encoding="utf-8") + "نص الخبر الأول.\n", encoding="utf-8")
    article = load_article(project / path, content, {})
    assert article.headline == title and article.section == "ثقافة" and article.slug == "afttah-mard-alktab-aldwra-1"
    assert article.date_source == "front-matter" and article.timed and not article.warnings


@pytest.mark.parametrize("args, words", [
    (["new", ""], ["title is empty"]),
    (["new", "   "], ["title is empty"]),
    (["new", "سطر\x1b[31m"], ["control characters"]),
    (["new", "كلمة " * 80], ["characters long", "at most 300"]),
    (["new", "خبر", "--section", "a/b"], ["--section", "no '/'"]),
    (["new", "خبر", "--slug", "Not A Slug"], ["--slug", "'not-a-slug'"]),
    (["new", "خبر", "--slug", "page"], ["--slug", "not one of"]),
    (["new", "خبر", "--content", "missing"], ["does not exist"]),
])
def test_new_refuses_bad_arguments_with_exit_2_and_writes_nothing(project, args, words):
    result = run("--config", str(project / "site.toml"), *args, cwd=project)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and all(w in lines[0] for w in words), result.stderr
    assert not any((project / "content").iterdir())


def test_new_and_review_have_help():
    for command, words in (("new", ["--section", "--slug", "--content", "transliterated", "Exit codes"]),
                           ("review", ["--force", "--translator", "<stem>.en.md", "Exit codes"])):
        result = run(command, "--help", cwd=ROOT)
        assert result.returncode == 0 and all(w in result.stdout for w in words), result.stdout


# --- review --------------------------------------------------------------------------------------------------------
class _Text(HTMLParser):
    """The words a reader sees in a page's <body>, without the machine-translation notice."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.depth = 0
        self.notice = False

    def handle_starttag(self, tag, attrs):
        if self.skip:
            self.skip += tag not in ("br", "img", "meta", "link", "input", "hr")
        elif tag == "p" and ("class", "notice") in attrs:
            self.skip, self.notice = 1, True

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(page: Path) -> tuple[str, bool]:
    html = page.read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(html[html.index("<body"):])
    return " ".join(" ".join(parser.parts).split()), parser.notice


def _translated_site(project: Path, make_config) -> object:
    """Both articles, their English in the memory (the fake LibreTranslate server, then two answers replaced by
    TRICKY), and the config of an offline build (translator none: the memory only)."""
    content = project / "content"
    (content / "book-fair.txt").write_text(WIRE, encoding="utf-8")
    (content / "rain.md").write_text(MARKDOWN, encoding="utf-8")
    memory = project / "memory"
    config = make_config(content, output=project / "output")
    config = replace(config, translator=replace(config.translator, memory_dir=str(memory)))
    with FakeLibreTranslate() as fake:
        online = replace(config, translator=replace(config.translator, backend="libre", url=fake.url, retries=0))
        report = build(online, log=lambda line: None)
        assert report.english == 2 and not report.untranslated
    stored = TranslationMemory(memory, "libre", "ar", "en")
    for source, english in TRICKY.items():
        assert stored.get(source) is not None
        stored.put(source, english)
    stored.save()
    return config


def test_review_gives_a_human_page_that_reads_as_the_machine_page_until_edited(project, make_config):
    config = _translated_site(project, make_config)
    report = build(config, log=lambda line: None)
    assert report.english == 2 and report.human == 0
    pages = {slug: config.output_dir / "en" / slug / "index.html" for slug in ("book-fair", "rain")}
    machine = {slug: visible(page) for slug, page in pages.items()}
    assert all(notice for _, notice in machine.values())  # machine-translated: the notice is there
    assert TRICKY[SECOND] in machine["book-fair"][0]

    for name in ("book-fair.txt", "rain.md"):
        result = run("--config", str(project / "site.toml"), "review", f"content/{name}", cwd=project)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"content/{name.rsplit('.', 1)[0]}.en.md" and "note:" not in result.stderr
    wire_en = (project / "content" / "book-fair.en.md").read_text(encoding="utf-8")
    meta = _front(project / "content" / "book-fair.en.md")
    assert set(meta) == {"title", "summary", "section", "place", "agency"}
    assert meta["section"] == "Culture" or meta["section"].startswith("EN ")
    body = wire_en[wire_en.index("\n---\n", 4) + 5:].strip().split("\n\n")
    assert len(body) == 3  # one paragraph per Arabic paragraph
    assert body[1].startswith("\\# 1. The fair \\*runs\\*") and "<3 daily" in body[1] and "&amp;amp;" in body[1]
    assert set(_front(project / "content" / "rain.en.md")) == {"title", "summary", "section", "place", "source"}

    report = build(config, log=lambda line: None)
    assert report.english == 2 and report.human == 2 and not report.warnings
    for slug, page in pages.items():
        text, notice = visible(page)
        assert not notice  # a human translation now: no machine-translation notice
        assert text == machine[slug][0], slug  # and every word the same

    # From now on the file is the English: an edit shows, and the memory no longer matters for the body.
    edited = wire_en.replace("The fair \\*runs\\*", "The book fair runs")
    assert edited != wire_en
    (project / "content" / "book-fair.en.md").write_text(edited, encoding="utf-8")
    build(config, log=lambda line: None)
    text, _ = visible(pages["book-fair"])
    assert "# 1. The book fair runs for 10 days_" in text  # the body edited (the summary is a field of its own)


def test_review_says_which_fields_a_human_file_cannot_show_as_the_machine_page_did(project, make_config):
    """Plain-text fields of a human file lose HTML tags (the reader's rule for hostile input), so English with
    a tag in its summary cannot read the same: the note says which field to check."""
    config = _translated_site(project, make_config)
    stored = TranslationMemory(project / "memory", "libre", "ar", "en")
    stored.put(SECOND, "The fair runs for <b>ten</b> days.")
    stored.save()
    build(config, log=lambda line: None)
    result = run("--config", str(project / "site.toml"), "review", "content/book-fair.txt", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("note: summary will not read exactly as on the machine page")
    assert "body" not in result.stderr  # the body's Markdown shows the tag as text


def test_review_refuses_what_it_cannot_do(project, make_config):
    content = project / "content"
    (content / "book-fair.txt").write_text(WIRE, encoding="utf-8")
    (content / "notes.html").write_text("<p>x</p>", encoding="utf-8")
    outside = project / "elsewhere.txt"
    outside.write_text(WIRE, encoding="utf-8")
    cfg = ("--config", str(project / "site.toml"))

    # No English in the memory yet: exit 1, saying what is missing and what to do; nothing written.
    result = run(*cfg, "review", "content/book-fair.txt", cwd=project)
    assert result.returncode == 1 and result.stdout == ""
    assert "the title, the summary and the body have no English" in result.stderr
    assert "generate.py translate" in result.stderr and not (content / "book-fair.en.md").exists()

    for args, words in ((["review", "content/missing.txt"], ["no such file"]),
                        (["review", "content/notes.html"], ["not an article"]),
                        (["review", "content"], ["not a file"]),
                        (["review", str(outside)], ["not in the content folder"]),
                        (["review", "content/book-fair.en.md"], ["already a translation"])):
        result = run(*cfg, *args, cwd=project)
        assert result.returncode == 2 and result.stdout == "", args
        assert len(result.stderr.splitlines()) == 1 and all(w in result.stderr for w in words), result.stderr

    # A human translation already there is never replaced without --force.
    _translated_site_memory(project, make_config)
    (content / "book-fair.en.md").write_text("---\ntitle: Edited by hand\n---\n", encoding="utf-8")
    result = run(*cfg, "review", "content/book-fair.txt", cwd=project)
    assert result.returncode == 2 and "--force" in result.stderr
    assert (content / "book-fair.en.md").read_text(encoding="utf-8") == "---\ntitle: Edited by hand\n---\n"
    result = run(*cfg, "review", "content/book-fair.txt", "--force", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Edited by hand" not in (content / "book-fair.en.md").read_text(encoding="utf-8")
    assert not [p for p in content.iterdir() if p.name.startswith(".")]  # no staging file left


def _translated_site_memory(project: Path, make_config) -> None:
    config = make_config(project / "content", output=project / "output")
    config = replace(config, translator=replace(config.translator, memory_dir=str(project / "memory")))
    with FakeLibreTranslate() as fake:
        build(replace(config, translator=replace(config.translator, backend="libre", url=fake.url, retries=0)),
              log=lambda line: None)


def test_review_leaves_out_metadata_without_english_and_says_so(project, make_config):
    content = project / "content"
    (content / "book-fair.txt").write_text(WIRE, encoding="utf-8")
    _translated_site_memory(project, make_config)
    (content / "book-fair.txt").write_text(WIRE.replace("المدينة 10", "تبوك 10"), encoding="utf-8")  # a new place
    result = run("--config", str(project / "site.toml"), "review", "content/book-fair.txt", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "note: the place (تبوك) has no English yet and was left out" in result.stderr
    assert "place" not in _front(content / "book-fair.en.md")


@pytest.mark.parametrize("text", [
    "Plain text.", "# not a heading", "1. not a list", "2) nor this", "- nor this", "+ nor this", "> nor a quote",
    "| not | a | table |", "*not* _emphasis_ **either**", "[not](a-link) ![nor](an-image)", "`not code`",
    "<b>not bold</b> <script>x</script> <!-- not a comment -->", "AT&T &amp; &#169; &copy; &", "back\\slash \\*",
    "a <http://example.org> b", "spaces   collapse  ", "--- ", "***", "~~~", "=== x", "x_y_z 3*4*5",
])
def test_markdown_literal_shows_the_text_as_it_is(text):
    from digest.site.safety import markdown_to_html, markup_to_text

    shown = markup_to_text(markdown_to_html(markdown_literal(text)))
    assert " ".join(shown.split()) == " ".join(text.split())


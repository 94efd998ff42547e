"""Reading the wire format and Markdown articles."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import ROOT, WIRE
from digest.read import ArticleError, load_article, load_content, read_wire
from digest.read.markdown import read_markdown
from digest.read.slugs import slugify
from digest.read.wire import parse_dateline


def test_wire_with_section_dateline_marker_and_time_line():
    text = ("عام / طيران استطلاع الإحتلال ينتهك الأجواء\n"
            "بيروت 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس\n"
            "الفقرة الأولى من الخبر.\n"
            "الفقرة الثانية من الخبر.\n"
            "// انتهى //\n"
            "17:45 ت م\n")
    fields = read_wire(text)
    assert fields["section"] == "عام"
    assert fields["headline"] == "طيران استطلاع الإحتلال ينتهك الأجواء"
    assert fields["place"] == "بيروت"
    assert fields["agency"] == "واس"
    assert fields["dateline_date"] == dt.date(2015, 8, 10)
    assert fields["time_of_day"] == (17, 45)
    body = " ".join(s for p in fields["paragraphs"] for s in p)
    assert "انتهى" not in body and "17:45" not in body and "واس" not in body
    assert len(fields["paragraphs"]) == 2


@pytest.mark.parametrize("line, expected", [
    ("جدة 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس", dt.date(2015, 8, 10)),
    ("ينبع26 شوال 1436هـ الموافق 011 أغسطس 2015 م واس", dt.date(2015, 8, 11)),
    ("طرابلس 26 شوال 1436ه لموافق 11 اغسطس 2015م .واس", dt.date(2015, 8, 11)),
    ("دمشق ١٢ تشرين الأول ٢٠٢٣ (أ ف ب)", dt.date(2023, 10, 12)),
])
def test_dateline_variants(line, expected):
    assert parse_dateline(line).date == expected


def test_dateline_rejects_ordinary_sentences():
    assert parse_dateline("وقال الوزير إن الاجتماع سيعقد في 10 أغسطس 2015 لبحث العلاقات بين البلدين "
                          "والتعاون في مجالات الاقتصاد والطاقة والنقل والتعليم والصحة") is None
    assert parse_dateline("سادساً :") is None


def test_end_marker_variants_and_crlf_bom(tmp_path):
    for marker in ("/انتهى/", "// انتهى //", "// يتبع //", "/انتهى/ ع.ح"):
        path = tmp_path / "a.txt"
        path.write_bytes(("\ufeffعنوان الخبر\r\nنص الخبر هنا.\r\n" + marker + "\r\n").encode("utf-8"))
        article = load_article(path, tmp_path, {})
        assert article.headline == "عنوان الخبر"
        assert article.paragraphs == (("نص الخبر هنا.",),)


def test_persian_letters_become_arabic(tmp_path):
    path = ROOT / "content" / "000_0b3d9faf541c66ac.txt"
    article = load_article(path, path.parent, {})
    assert "ی" not in article.headline and "ک" not in article.headline
    assert article.headline.startswith("روحاني: التعاون بين طهران وموسكو")


def test_newspaper_byline_is_metadata():
    fields = read_wire("ميسي يفكر في الإعتزال\nعين اليوم – متابعات\nأوردت تقارير صحفية أن ميسي يفكر جدياً.\n")
    assert fields["byline"] == "عين اليوم – متابعات"
    assert fields["paragraphs"] == (("أوردت تقارير صحفية أن ميسي يفكر جدياً.",),)


def test_headline_without_body_is_an_error(tmp_path):
    path = tmp_path / "only-headline.txt"
    path.write_text("عنوان فقط\n/انتهى/\n", encoding="utf-8")
    with pytest.raises(ArticleError, match="no body"):
        load_article(path, tmp_path, {})


def test_markdown_front_matter():
    fields = read_markdown("---\ntitle: عنوان\nsection: سياسة\nsource: وكالة\nsummary: ملخص قصير\n---\n"
                           "فقرة أولى.\nتكملة السطر.\n\n- بند\n- بند آخر\n")
    assert fields["headline"] == "عنوان"
    assert fields["section"] == "سياسة" and fields["source"] == "وكالة" and fields["summary"] == "ملخص قصير"
    assert fields["paragraphs"][0] == ("فقرة أولى.", "تكملة السطر.") or fields["paragraphs"][0] == (
        "فقرة أولى. تكملة السطر.",)
    assert fields["paragraphs"][1] == ("- بند\n- بند آخر",)


# Front matters as people write them, and as they break them: each read by libyaml where it can be, by the pure-Python
# loader where it must (aliases, errors, deep nesting), always with the pure-Python loader's result or message.
_FRONT_MATTERS = [
    "title: عنوان\ndate: 2015-02-28\nsection: سياسة", 'title: "Quoted: with colon"\nsummary: \'single\'', "n: " + "9" * 40,
    "n: -0012\nf: 1.5\nb: yes\nz: ~", "tags: [a, b, c]\nmeta: {k: v}", "title: >\n  folded\n  text",
    "a: &x 5\nb: 6", 'title: "**bold** x"', "".join(" " * i + f"k{i}:\n" for i in range(18)) + " " * 18 + "v", "",
    "date: 2015-02-30", "a: &x [1]\nb: *x", "".join(" " * i + f"k{i}:\n" for i in range(25)) + " " * 25 + "v",
    "title: a: b", 'title: "x" y', "a:\n\tb: 1", "x: !!python/object:os.system ls", "b: !!binary aGVsbG8=",
]


def _outcome(load, source: str):
    import yaml

    try:
        return "ok", load(source)
    except (ArticleError, yaml.YAMLError, ValueError) as exc:
        return type(exc).__name__, str(exc), getattr(exc, "line", None)


@pytest.mark.parametrize("source", _FRONT_MATTERS)
def test_front_matter_read_by_libyaml_gives_what_the_guarded_python_loader_gives(source, monkeypatch):
    from digest.read import markdown

    fast = _outcome(markdown._load_yaml, source)
    markdown._load_yaml("x: 1")  # the loaders are made
    # As where PyYAML was built without libyaml: the guarded loader only.
    monkeypatch.setattr(markdown, "_YAML_LOADER", [markdown._YAML_LOADER[0], None])
    assert fast == _outcome(markdown._load_yaml, source)


def test_libyaml_reads_front_matter_that_cannot_hold_an_alias(monkeypatch):
    from digest.read import markdown

    markdown._load_yaml("x: 1")
    used: list[str] = []
    real = markdown._load_with
    monkeypatch.setattr(markdown, "_load_with", lambda loader, source: used.append(loader.__name__) or real(loader, source))
    markdown._load_yaml("title: عنوان\ndate: 2015-02-28")
    markdown._load_yaml('title: "**bold**"')  # a '*' might be an alias: the guarded loader
    with pytest.raises(ArticleError, match="nested more than 20"):  # libyaml read it; too deep: the guarded one says so
        markdown._load_yaml("".join(" " * i + f"k{i}:\n" for i in range(25)) + " " * 25 + "v")
    assert used == ["FastLoader", "BoundedLoader", "FastLoader", "BoundedLoader"]


def test_markdown_without_title_names_the_problem():
    with pytest.raises(ArticleError, match="title"):
        read_markdown("---\ndate: 2020-01-01\n---\nنص.\n")


def test_slugify_is_url_and_path_safe():
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("خبر عاجل 1") == "خبر-عاجل-1"
    assert "/" not in slugify("/abs/path")


def test_wire_fixtures_load_with_dateline_dates(tmp_path):
    articles, _, problems = load_content(WIRE)
    assert not [p for p in problems if p.severity == "error"]
    assert len(articles) == len(list(WIRE.glob("*.txt"))) >= 11
    by_file = {a.source_path: a for a in articles}
    with_dateline = 0
    for path in sorted(WIRE.glob("0*.txt")):
        lines = [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        article = by_file[path.name]
        # Independent oracle: the day and year written after "الموافق" on the dateline line.
        written = re.search(r"لموافق\s*0*(\d{1,2})\s*\S+\s*(\d{4})", lines[1])
        if written:
            with_dateline += 1
            assert (article.published.day, article.published.year) == (int(written[1]), int(written[2])), path.name
            assert article.date_source == "dateline"
        body = "\n".join(s for p in article.paragraphs for s in p)
        assert "انتهى" not in body and "يتبع //" not in body, path.name
        assert not re.match(r"^\d{1,2}:\d{2}", body.splitlines()[-1]), path.name
        assert lines[1] not in body or not written, path.name
    assert with_dateline == 6  # every agency item but 042_, a continuation that opens with no dateline


def _git(cwd, *args, when=None):
    import os
    import subprocess
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_undated_article_gets_its_first_commit_date_even_with_an_arabic_file_name(tmp_path):
    """No front matter date and no dateline: the date is the file's first commit in git (a later commit does not
    move it), for file names git would quote (Arabic) and in sub-folders; a file git does not know gets mtime."""
    content = tmp_path / "content"
    (content / "sub").mkdir(parents=True)
    body = "خبر بلا تاريخ\nنص الخبر الأول هنا بلا سطر تاريخ.\n"
    (content / "خبر عربي.txt").write_text(body, encoding="utf-8")
    (content / "sub" / "later.txt").write_text(body.replace("الأول", "الثاني"), encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "content")
    _git(tmp_path, "commit", "-qm", "first", when="2021-03-04T05:06:07+00:00")
    (content / "خبر عربي.txt").write_text(body + "فقرة أضيفت لاحقا.\n", encoding="utf-8")
    (content / "new.txt").write_text(body.replace("الأول", "الثالث"), encoding="utf-8")
    _git(tmp_path, "commit", "-qam", "second", when="2022-01-01T00:00:00+00:00")
    articles, _, problems = load_content(content)
    assert problems == []
    by_name = {a.source_path: a for a in articles}
    first = dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc)
    assert (by_name["خبر عربي.txt"].published, by_name["خبر عربي.txt"].date_source) == (first, "git")
    assert (by_name["sub/later.txt"].published, by_name["sub/later.txt"].date_source) == (first, "git")
    assert by_name["new.txt"].date_source == "mtime"  # never committed


def test_markdown_hashtag_paragraph_is_prose_and_indented_code_is_kept_whole():
    fields = read_markdown("---\ntitle: خبر عاجل\n---\n#عاجل: أعلنت الوزارة القرار. وبدأ التنفيذ اليوم.\n\n"
                           "# عنوان فرعي\n\n    print(1)\n    print(2)\n")
    assert fields["paragraphs"] == (("#عاجل: أعلنت الوزارة القرار.", "وبدأ التنفيذ اليوم."), ("# عنوان فرعي",),
                                    ("    print(1)\n    print(2)",))


def test_builds_ask_git_for_first_commit_times_only_when_head_moved(tmp_path, make_config, monkeypatch):
    """git log over a long history costs every build; its answer can change only with a new commit. The build
    remembers the times with the HEAD they were read at: the same HEAD, git log is not run again (the dates are
    the same), a new commit and it is, and the new file gets its own commit's date."""
    import digest.build.incremental as incremental
    from digest.build import build

    content = tmp_path / "content"
    content.mkdir()
    body = "خبر بلا تاريخ\nنص الخبر الأول هنا بلا سطر تاريخ.\n"
    (content / "first.txt").write_text(body, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "content")
    _git(tmp_path, "commit", "-qm", "first", when="2021-03-04T05:06:07+00:00")
    calls = []
    real = incremental.git_first_commit_times
    monkeypatch.setattr(incremental, "git_first_commit_times", lambda folder: calls.append(folder) or real(folder))
    config = make_config(content)
    assert build(config, quiet=True).published == 1 and len(calls) == 1
    (content / "first.txt").write_text(body + "فقرة أضيفت.\n", encoding="utf-8")  # an edit, no commit
    build(config, quiet=True)
    build(config, quiet=True)  # no change
    assert len(calls) == 1
    (content / "second.txt").write_text(body.replace("الأول", "الثاني"), encoding="utf-8")
    _git(tmp_path, "add", "content")
    _git(tmp_path, "commit", "-qm", "second", when="2022-01-01T00:00:00+00:00")
    build(config, quiet=True)
    assert len(calls) == 2
    page = (config.output_dir / "ar" / "second" / "index.html").read_text(encoding="utf-8")
    assert 'datetime="2022-01-01T00:00:00+00:00"' in page  # its own commit's moment, not the first's
    build(config, quiet=True)
    assert len(calls) == 2

"""`generate.py summarize`: plain text as the site shows it, `-` for standard input, --no-headline, and a clear
note when the first line is too long to be a headline. Texts written for these tests (no licence)."""
from __future__ import annotations

import io
import subprocess
import sys

from conftest import ROOT
from digest.commands import summarize_command

SENTENCES = [
    "أعلنت هيئة الأرصاد اليوم عن موجة حر شديدة تضرب المنطقة الشرقية خلال الأيام الثلاثة المقبلة.",
    "وتوقعت الهيئة أن تتجاوز درجات الحرارة خمسين درجة مئوية في عدد من المدن الساحلية والداخلية.",
    "ودعت الهيئة السكان إلى تجنب التعرض لأشعة الشمس المباشرة وقت الظهيرة وشرب كميات كافية من الماء.",
    "وأشارت إلى أن الرطوبة النسبية سترتفع على السواحل مما يزيد الإحساس بالحرارة لدى السكان والزوار.",
    "وأوضحت أن الموجة ستنحسر تدريجيا مع بداية الأسبوع المقبل بعد تغير اتجاه الرياح السطحية.",
]
# One long paragraph as the first line (no headline), as the EASC articles are written.
NO_HEADLINE = " ".join(SENTENCES) + "\n" + " ".join(SENTENCES[:2]) + "\n"


def _run(source: str, stdin: bytes = b"", **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = summarize_command(source, stdin=io.BytesIO(stdin), out=out, err=err, **options)
    return code, out.getvalue(), err.getvalue()


def test_markdown_prints_plain_text(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: موجة حر في الشرقية\n---\n![خريطة الحرارة](map.png)\n\n"
                    f"{SENTENCES[0].replace('هيئة الأرصاد', '**هيئة الأرصاد**')}\n\n"
                    f"{SENTENCES[1].replace('خمسين درجة', '[خمسين درجة](https://example.com/x)')}\n\n"
                    "- بند في قائمة\n", encoding="utf-8")
    code, out, err = _run(str(path), sentences=2)
    assert code == 0 and not err
    assert out.splitlines() == SENTENCES[:2]  # no **, no [..](..), no image, no list
    assert not any(mark in out for mark in ("**", "](", "![", "- "))


def test_standard_input_wire_and_markdown():
    code, out, _ = _run("-", ("موجة حر في الشرقية\n" + "\n".join(SENTENCES) + "\n").encode(), sentences=1)
    assert code == 0 and out.splitlines() == [SENTENCES[0]]
    markdown = "---\ntitle: موجة حر\n---\n" + "\n\n".join(f"*{s}*" for s in SENTENCES)
    code, out, _ = _run("-", markdown.encode(), sentences=1)
    assert code == 0 and out.splitlines() == [SENTENCES[0]]


def test_no_headline_reads_the_first_line_as_body(tmp_path):
    code, out, err = _run("-", NO_HEADLINE.encode(), no_headline=True, sentences=1)
    assert code == 0 and out.splitlines() == [SENTENCES[0]] and not err
    short = "\n".join(SENTENCES[:3]) + "\n"
    code, out, _ = _run("-", short.encode(), no_headline=True, sentences=1)
    assert out.splitlines() == [SENTENCES[0]]  # with a headline line, sentence 1 would be the headline
    code, out, _ = _run("-", short.encode(), sentences=1)
    assert SENTENCES[0] not in out


def test_a_first_line_too_long_for_a_headline_is_said_and_the_flag_suggested():
    code, out, err = _run("-", NO_HEADLINE.encode(), sentences=1)
    assert code == 0 and out.splitlines() == [SENTENCES[0]]
    assert "<stdin>:1: note: the first line is" in err and "too long to be a headline" in err
    assert "--no-headline" in err


def test_a_first_line_of_several_sentences_gets_a_hint():
    text = " ".join(SENTENCES[:2]) + "\n" + "\n".join(SENTENCES[2:]) + "\n"
    code, _, err = _run("-", text.encode())
    assert code == 0 and "reads like body text" in err and "--no-headline" in err


def test_unreadable_input_is_one_line_and_exit_1(tmp_path):
    code, out, err = _run("-", b"---\nsection: x\n---\nbody\n")
    assert code == 1 and not out and err.startswith("<stdin>:1: error: front matter needs a 'title'")
    code, _, err = _run(str(tmp_path / "missing.txt"))
    assert code == 1 and "missing.txt: error: cannot read the file" in err
    code, _, err = _run("-", b"x" * 101, max_bytes=100)
    assert code == 1 and "over the limit" in err


def test_the_command_line(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(NO_HEADLINE, encoding="utf-8")
    command = [sys.executable, str(ROOT / "generate.py"), "summarize"]
    by_file = subprocess.run([*command, "--no-headline", "--sentences", "2", str(path)], capture_output=True,
                             text=True, timeout=60)
    by_stdin = subprocess.run([*command, "--no-headline", "--sentences", "2", "-"], input=NO_HEADLINE,
                              capture_output=True, text=True, timeout=60)
    assert by_file.returncode == by_stdin.returncode == 0
    assert by_file.stdout == by_stdin.stdout == "\n".join(SENTENCES[:2]) + "\n"
    helptext = " ".join(subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60).stdout.split())
    assert "--no-headline" in helptext and "standard input" in helptext

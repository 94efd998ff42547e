"""Hostile input, round 2: one folder of attacks beside a good article, built by the real command line under a
4 GB address-space cap (FIFO, a sparse 3 GB file, alias bomb, deep nesting, huge slugs, reserved names, forged log
lines, markup in feed fields, broken memory files); plus git with a hostile repository config."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ROOT
from digest.read import git_first_commit_times, git_head, load_content
from digest.read.slugs import slugify
from digest.site.safety import clean_html, markdown_to_html
from hostile_fixtures import AR_BODY, md, wire

GOOD = wire("عام / الخبر السليم بجوار الهجمات", AR_BODY)


def _attack_folder(content: Path, memory: Path) -> None:
    content.mkdir(parents=True)
    (content / "good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(content / "fifo.txt")
    with open(content / "huge.txt", "wb") as handle:  # sparse: costs nothing on disk
        handle.truncate(3 * 1024 ** 3)
    (content / "bomb.md").write_text("---\n" + "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i-1}"] * 9 if i else ["x"] * 9)
                                                        + "]\n" for i in range(9)) + "title: x\n---\nنص\n")
    (content / "digits.md").write_text(md("title: " + "7" * 5000 + "\ndate: 2015-08-11"))
    (content / "nested.md").write_text(md("title: قائمة متداخلة\ndate: 2015-08-11", "1. " * 500 + "كلمة باقية"))
    (content / "nested-lists.md").write_text(md("title: قوائم متداخلة\ndate: 2015-08-11",
                                                "\n".join("    " * i + "- بند" for i in range(400))))
    (content / "nested-lists.en.md").write_text("---\ntitle: Nested\n---\n" + "> " * 600 + "deep words\n")
    (content / ("\U0001d400" * 60 + ".txt")).write_text(wire("خبر باسم ملف طويل جدا", AR_BODY), encoding="utf-8")
    (content / "astral-slug.md").write_text(md("title: خبر بعنوان رابط طويل\ndate: 2015-08-11\nslug: " + "\U0001d400" * 90))
    (content / "con.txt").write_text(wire("خبر باسم محجوز في ويندوز", AR_BODY), encoding="utf-8")
    (content / "forged\nfake.md:1: error: forged line\x1b[2J.md").write_text(md("title: خبر باسم ملف مزور\ncolour: x"))
    (content / "date-inject.md").write_text(md('title: خبر بتاريخ مزور\ndate: "2015\\npublished 999 articles"'))
    (content / "feed.md").write_text(md('title: "<b>خبر</b> &lt;script src=https://evil.example/x.js&gt;&lt;/script&gt;"'
                                        "\ndate: 2015-08-12\nsection: '&lt;iframe src=//evil.example&gt;'",
                                        '<bdo dir="rtl">مقلوب</bdo> <h2 id="summary-title">عنوان</h2> نص الخبر.'))
    (content / "sub").mkdir()
    (content / "feed.en.md").write_text("---\ntitle: The real English\n---\nBody.\n")
    (content / "sub" / "feed.en.md").write_text("---\ntitle: Hijacked English\n---\nHijacked.\n")
    shard = memory / "google" / "ar-en"
    shard.mkdir(parents=True)
    (shard / "0.jsonl").write_bytes(b'\xff\n{"key": [], "source": {}, "translation": 1}\n')
    (shard / "1.jsonl").write_bytes(b"[" * 200_000 + b"\n")
    os.symlink("/dev/zero", shard / "2.jsonl")


def test_attack_folder_builds_bounded_and_publishes_the_good_article(tmp_path):
    content, memory, out = tmp_path / "content", tmp_path / "memory", tmp_path / "out"
    _attack_folder(content, memory)
    (tmp_path / "site.toml").write_text(f'[site.ar]\ntitle = "<script>alert(1)</script> &lt;b&gt;"\n'
                                        f'[translator]\nbackend = "none"\nmemory_dir = "{memory}"\n')
    started = time.monotonic()
    run = subprocess.run(["bash", "-c", 'ulimit -v 4194304; exec "$@"', "-", sys.executable,
                          str(ROOT / "generate.py"), "--config", str(tmp_path / "site.toml"), "build", "--content",
                          str(content), "--output", str(out), "-q"],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr and elapsed < 30
    lines = run.stderr.splitlines()
    # one line per problem whatever the input: no forged line, no raw escape sequence
    assert not any(line.startswith(("fake.md", "published 999")) for line in lines), run.stderr
    assert "\x1b" not in run.stderr and "forged\\nfake.md" in run.stderr
    by_file = {line.split(":")[0]: line for line in lines}
    assert "named pipe" in by_file["fifo.txt"] and "over the limit" in by_file["huge.txt"]
    assert "alias" in by_file["bomb.md"]
    assert "impossible" not in by_file["digits.md"] and "characters long" in by_file["digits.md"]
    assert "nested more than" in by_file["nested.md"] and "nested more than" in by_file["nested-lists.en.md"]
    assert any("0.jsonl:1: warning" in line and "UTF-8" in line and "2 bad lines" in line for line in lines)
    assert any("1.jsonl:1: warning" in line for line in lines)
    assert any("2.jsonl: warning" in line and "device" in line for line in lines)
    assert (out / "ar" / "الخبر-السليم-بجوار-الهجمات").exists() or any(
        "الخبر السليم بجوار الهجمات" in p.read_text() for p in (out / "ar").glob("*/index.html"))
    names = [p.name for p in (out / "ar").iterdir()]
    assert all(len(n.encode()) <= 130 for n in names)  # 120 + a "-2" on collision and "con" not in names and "con-article" in names
    assert "كلمة باقية" in (out / "ar" / "nested" / "index.html").read_text()
    page = (out / "ar" / "feed" / "index.html").read_text()
    assert "<bdo" not in page and page.count('id="summary-title"') == 1
    english = (out / "en" / "feed" / "index.html").read_text()
    assert "The real English" in english and "Hijacked" not in english
    for feed in (out / "ar" / "feed.xml", out / "en" / "feed.xml"):
        root = ET.parse(feed).getroot()  # well-formed XML
        for element in root.iter():
            if element.tag in ("title", "description", "category") and element.text:
                # what a reader that takes the field for HTML sees once it decodes the XML: no tag at all
                assert "<" not in element.text, (feed.name, element.tag, element.text)


def test_a_hostile_repository_config_runs_nothing(tmp_path):
    """log.showSignature + gpg.program with a signed commit, core.fsmonitor and core.pager in the content
    folder's own .git/config: plain `git log` runs the script (the control), the build's git call does not."""
    content, marker = tmp_path / "content", tmp_path / "PWNED"
    content.mkdir()
    (content / "a.txt").write_text(GOOD, encoding="utf-8")
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\necho ran >> "{marker}"\ncat >/dev/null\n')
    script.chmod(0o755)
    git = ["git", "-C", str(content), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "first"]):
        subprocess.run(git + args, check=True, capture_output=True)
    tree = subprocess.run(git + ["rev-parse", "HEAD^{tree}"], check=True, capture_output=True, text=True).stdout.strip()
    parent = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    signed = (f"tree {tree}\nparent {parent}\nauthor t <t@x> 1439200000 +0300\ncommitter t <t@x> 1439200000 +0300\n"
              "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n")
    commit = subprocess.run(git + ["hash-object", "-t", "commit", "-w", "--stdin"], input=signed, check=True,
                            capture_output=True, text=True).stdout.strip()
    subprocess.run(git + ["update-ref", "HEAD", commit], check=True)
    for key in ("gpg.program", "core.fsmonitor", "core.pager", "diff.external"):
        subprocess.run(git + ["config", key, str(script)], check=True)
    subprocess.run(git + ["config", "log.showSignature", "true"], check=True)
    subprocess.run(["git", "-C", str(content), "log", "-1", "--format=%ct"], capture_output=True)
    assert marker.exists(), "control: the hostile config does run a program through plain git log"
    marker.unlink()
    times = git_first_commit_times(content)
    assert "a.txt" in times and not marker.exists()
    assert git_head(content) and not marker.exists()  # the call each build makes to know whether to ask again


def test_slugs_are_bounded_in_bytes_and_never_windows_reserved():
    for stem in ("\U0001d400" * 90, "خبر " * 60, "é" * 200):
        assert 0 < len(slugify(stem).encode()) <= 120
    assert [slugify(n) for n in ("con", "NUL", "com1", "lpt9", "aux")] == [
        "con-article", "nul-article", "com1-article", "lpt9-article", "aux-article"]


def test_nfc_and_nfd_names_collide_with_a_clear_message(tmp_path):
    (tmp_path / "caf\u00e9.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "cafe\u0301.txt").write_text(GOOD, encoding="utf-8")
    articles, _, problems = load_content(tmp_path, git_times={})
    assert len(articles) == 2 and any("NFC vs NFD" in p.message for p in problems)


def test_sanitiser_drops_bdo_and_template_ids():
    html = clean_html('<bdo dir="rtl">x</bdo><h2 id="summary-title">a</h2><h3 id="nf-ar">b</h3><h2 id="ok">c</h2>')
    assert "<bdo" not in html and "summary-title" not in html and "nf-ar" not in html and 'id="ok"' in html


@pytest.mark.parametrize("text", ["1. " * 500 + "x", "\n".join("    " * i + "- x" for i in range(400)),
                                  "> " * 2000 + "x", "[" * 15000 + "x" + "]" * 15000, "![" * 10000,
                                  "<http://" * 10000, "[a](" * 5000, "`a` " * 20000])
def test_markdown_is_bounded_in_depth_and_time(text):
    started = time.perf_counter()
    html = markdown_to_html(text)
    assert time.perf_counter() - started < 2 and "x" in html or "a" in html or html


def test_folders_nested_thousands_deep_are_one_error_not_a_crash(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    deep = tmp_path / "d"
    deep.mkdir()
    os.chdir(deep)  # relative mkdirs: the absolute path would pass PATH_MAX long before 1,200 levels
    try:
        for _ in range(1200):
            os.mkdir("a")
            os.chdir("a")
        Path("x.txt").write_text(GOOD, encoding="utf-8")
    finally:
        os.chdir(ROOT)
    try:
        articles, _, problems = load_content(tmp_path, git_times={})
    finally:  # pytest's own clean-up of old temporary folders is recursive: remove the tree here (rm is not)
        subprocess.run(["rm", "-rf", str(deep)], check=True)
    assert [a.source_path for a in articles] == ["good.txt"]
    assert len(problems) == 1 and "nested more than" in problems[0].message

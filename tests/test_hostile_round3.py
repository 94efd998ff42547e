"""Hostile input, round 3: attacks from a held-out set the earlier rounds were not tuned for (each fixture here is
a minimal form of one that broke a build): git's lazy fetch from a partial clone's promisor remote, file names
that are not UTF-8, config values that crashed the build or refused every article, base URLs that carried markup
or line breaks, quadratic Markdown and summary paths, and memory shards that together exceeded the memory bound."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from digest.read import git_first_commit_times, git_head
from hostile_fixtures import AR_BODY, md, wire

GOOD = wire("عام / الخبر السليم بجوار الهجمات", AR_BODY)


def _git(folder: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                           *args], capture_output=True, text=True, env=env, **kw)


def test_a_partial_clone_never_fetches_from_its_promisor_remote(tmp_path):
    """A content folder's repository says it is a partial clone whose promisor remote is `ext::<script>` (and
    allows the ext protocol itself), with the first commit's tree missing: plain git runs the script to fetch it
    (the control); the build's git call fetches nothing, so nothing runs."""
    content, marker = tmp_path / "content", tmp_path / "PWNED"
    content.mkdir()
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\necho ran >> "{marker}"\n')
    script.chmod(0o755)
    (content / "a.txt").write_text(GOOD, encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "first"]):
        _git(content, *args, check=True)
    (content / "b.txt").write_text(GOOD, encoding="utf-8")
    for args in (["add", "."], ["commit", "-q", "-m", "second"]):
        _git(content, *args, check=True)
    tree = _git(content, "rev-parse", "HEAD~1^{tree}", check=True).stdout.strip()
    (content / ".git" / "objects" / tree[:2] / tree[2:]).unlink()  # objects of a fresh repository are loose
    for key, value in (("core.repositoryformatversion", "1"), ("extensions.partialClone", "origin"),
                       ("remote.origin.promisor", "true"), ("remote.origin.url", f"ext::{script}"),
                       ("protocol.allow", "always"), ("protocol.ext.allow", "always")):
        _git(content, "config", key, value, check=True)
    _git(content, "log", "--name-only", "--", ".")
    assert marker.exists(), "control: plain git log runs the promisor remote's command"
    marker.unlink()
    git_first_commit_times(content)
    git_head(content)
    assert not marker.exists()


def _build(tmp_path: Path, content: Path, *config_lines: str) -> subprocess.CompletedProcess:
    site = tmp_path / "site.toml"
    site.write_text("\n".join(config_lines) + "\n", encoding="utf-8")
    return subprocess.run(["bash", "-c", 'ulimit -v 4194304; exec "$@"', "-", sys.executable,
                           str(ROOT / "generate.py"), "--config", str(site), "build", "--content", str(content),
                           "--output", str(tmp_path / "out"), "--translator", "none", "-q"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_file_names_that_are_not_utf8_build_to_the_end(tmp_path):
    """The untranslated list (written after the pages) failed on a name with bytes that are not UTF-8."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "good.txt").write_text(GOOD, encoding="utf-8")
    with open(os.fsencode(content) + b"/caf\xe9.md", "wb") as handle:
        handle.write(md("title: خبر باسم ملف بترميز قديم\ndate: 2015-08-11").encode())
    run = _build(tmp_path, content)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert "caf\\udce9.md" in (tmp_path / "out" / ".." / ".cache" / "digest" / "untranslated.txt").read_text()


@pytest.mark.parametrize("lines, says", [
    (["[site]", "max_file_bytes = 6000000000"], "at most 100,000,000"),   # was a 6 GB read buffer: MemoryError
    (["[site]", "max_file_bytes = 9223372036854775807"], "at most"),      # was OverflowError
    (["[site]", "max_file_bytes = 0"], "at least 1"),                     # refused every article: exit 3
    (["[site]", "summary_words = -5"], "at least 1"),
    (["[site]", "summary_sentences = 0"], "at least 1"),
    (["[site]", "per_page = true"], "should be int"),
    (["[translator]", "timeout = nan"], "timeout"),
    (["[translator]", "concurrency = 9223372036854775807"], "concurrency"),
    (["x = " + "[" * 3000 + "]" * 3000], "nested too deeply"),            # was RecursionError in tomllib
    (["x = " + "{a = " * 2000 + "1" + "}" * 2000], "nested too deeply"),
])
def test_config_values_that_broke_the_build_are_refused(tmp_path, lines, says):
    content = tmp_path / "content"
    content.mkdir()
    (content / "good.txt").write_text(GOOD, encoding="utf-8")
    run = _build(tmp_path, content, *lines)
    assert run.returncode == 2 and "Traceback" not in run.stderr and says in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_large_limit_reads_a_small_file_without_a_buffer_of_the_limit(tmp_path):
    from digest.read import read_bounded

    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 3000)
    assert read_bounded(path, 10 ** 15) == b"x" * 3000  # os.read(fd, 10**15) was a MemoryError


@pytest.mark.parametrize("url", ["https://example.com/a\\nDisallow: /\\n/", 'https://example.com/\\"><script>x</script>/',
                                 "https://ex ample.com/", "https://user:pw@example.com/", "https://example.com:99999/",
                                 "https://example.com/\\t/", "https://مثال.example/"])
def test_base_urls_with_line_breaks_markup_or_credentials_are_refused(tmp_path, url):
    """A line break in base_url forged robots.txt lines (Disallow: /) and reached feeds raw: urlsplit drops it when
    checking, the text kept it."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "good.txt").write_text(GOOD, encoding="utf-8")
    run = _build(tmp_path, content, "[site]", f'base_url = "{url}"')
    assert run.returncode == 2 and "base URL" in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_an_ordinary_base_url_is_still_accepted(tmp_path):
    from digest.config import _normalise_base_url

    for url in ("https://user.github.io/repo", "http://127.0.0.1:8000/", "https://a.example/x%20y/~z/"):
        assert _normalise_base_url(url, "test").startswith(url)


def _entry(source: str, english: str) -> bytes:
    import json

    from digest.translate.memory import segment_key

    return json.dumps({"key": segment_key(source), "source": source, "translation": english}).encode() + b"\n"


def test_memory_shards_together_are_bounded(tmp_path, monkeypatch):
    """48 sparse shards just under the shard limit were all read and held at once (3 GB); now the files of one
    memory share one budget, and the ones past it are a warning each."""
    from digest.translate import memory

    monkeypatch.setattr(memory, "MAX_MEMORY_BYTES", 5000)
    folder = tmp_path / "google" / "ar-en"
    folder.mkdir(parents=True)
    (folder / "0.jsonl").write_bytes(_entry("جملة أولى", "First sentence."))
    for shard in "123":
        with open(folder / f"{shard}.jsonl", "wb") as handle:
            handle.truncate(3000)  # sparse zeros
    memory.take_problems()
    loaded = memory.TranslationMemory(tmp_path, "google", "ar", "en")
    problems = {Path(p.path).name: p.message for p in memory.take_problems()}
    assert loaded.get("جملة أولى") == "First sentence."
    assert "already hold" in problems["2.jsonl"] and "already hold" in problems["3.jsonl"]


def test_a_memory_line_too_long_to_be_an_entry_is_not_parsed(tmp_path):
    from digest.translate import memory

    folder = tmp_path / "google" / "ar-en"
    folder.mkdir(parents=True)
    (folder / "0.jsonl").write_bytes(b"[" + b"0," * 40_000 + b"0]\n" + _entry("جملة أولى", "First sentence."))
    memory.take_problems()
    loaded = memory.TranslationMemory(tmp_path, "google", "ar", "en")
    (problem,) = memory.take_problems()
    assert loaded.get("جملة أولى") == "First sentence." and problem.line == 1 and "longer than" in problem.message


def test_memory_only_builds_read_the_known_backends_only(tmp_path):
    """--translator none reads every backend's memory: a thousand made-up backend folders were a thousand loads."""
    from digest.translate import TranslatorConfig, translate_segments

    for backend in ("made-up", "libre"):
        folder = tmp_path / backend / "ar-en"
        folder.mkdir(parents=True)
        (folder / "0.jsonl").write_bytes(_entry(f"جملة من {backend}", "An answer."))
    found, _ = translate_segments(["جملة من made-up", "جملة من libre"],
                                  TranslatorConfig(backend="none", memory_dir=str(tmp_path)))
    assert "جملة من made-up" not in found and found["جملة من libre"] == "An answer."


def _live_after_two_decodings(field_xml: str) -> bool:
    """What a reader that decodes a feed field's entities once more before showing it as HTML would parse: any
    script-capable element, handler or javascript: URL (stdlib HTMLParser)."""
    import html
    import xml.etree.ElementTree as ET
    from html.parser import HTMLParser

    found = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "svg", "iframe", "math", "base", "meta"):
                found.append(tag)
            for name, value in attrs:
                url = "".join((value or "").split()).lower()
                if name.startswith("on") or (name in ("href", "src") and url.startswith(("javascript:", "data:"))):
                    found.append(name)

    text = ET.fromstring(f"<x>{field_xml}</x>").text or ""
    Finder().feed(html.unescape(text))
    return bool(found)


def test_feed_fields_hold_no_markup_even_decoded_twice():
    from digest.site.feeds import feed_html, feed_text
    from digest.site.safety import markdown_to_html

    title = "خبر <svg onload=alert(1)> &lt;script&gt;x&lt;/script&gt;"
    assert _live_after_two_decodings(f"{title}".replace("&", "&amp;").replace("<", "&lt;")), "control"
    assert not _live_after_two_decodings(feed_text(title))
    body = markdown_to_html('نص عن &lt;script&gt;alert(1)&lt;/script&gt; و <abbr title=\'a"><script>x</script>\'>خ'
                            "</abbr> و [رابط](jav&#x09;ascript:alert(1)) ![صورة](&#106;avascript:alert(2))")
    assert not _live_after_two_decodings(feed_html(body)), feed_html(body)
    assert "＜script" in feed_text("<script>")


def test_links_whose_scheme_is_unsafe_once_entities_are_decoded_again_are_dropped():
    from digest.site.safety import clean_html

    for href in ("jav&amp;#x09;ascript:alert(1)", "&amp;#106;avascript:alert(1)", "java&amp;Tab;script:x"):
        assert "href" not in clean_html(f'<a href="{href}">x</a>'), href
    kept = clean_html('<a href="https://a.example/?a=1&amp;b=2">x</a> <img src="../../media/a.png">')
    assert 'href="https://a.example/?a=1&amp;b=2"' in kept and 'src="../../media/a.png"' in kept

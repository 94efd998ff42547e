"""Plain paragraphs skip Python-Markdown (digest/site/safety.py markdown_to_html): text with no Markdown syntax is
written as one <p> per block of lines, through the same sanitiser. It must be exactly what Python-Markdown makes
of it: compared here on every text of the repository's fixtures, on random texts (hypothesis) and on the cases at
the edge of the syntax check."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from digest.read.markdown import split_front_matter
from digest.site import safety


def _through_markdown(text: str, monkeypatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(safety, "_MARKDOWN_SYNTAX", re.compile(""))  # matches any text: the library's path
        return safety.markdown_to_html(text)


def _fast(text: str) -> bool:
    return bool(text.strip("\n")) and not safety._MARKDOWN_SYNTAX.search(safety.strip_unsafe_chars(text))


def _fixture_texts() -> list[str]:
    texts = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".md", ".txt") and path.name != "README.md":
            raw = path.read_text(encoding="utf-8", errors="replace")
            try:
                texts.append(split_front_matter(raw)[1])
            except Exception:  # noqa: BLE001 - a hostile fixture: its raw text is a case too
                texts.append(raw)
    return texts


def test_every_fixture_text_gives_what_python_markdown_gives(monkeypatch):
    texts = _fixture_texts()
    fast = [text for text in texts if _fast(text)]
    assert len(texts) > 50 and len(fast) > 10  # the path is taken, by real articles
    for text in texts:
        assert safety.markdown_to_html(text) == _through_markdown(text, monkeypatch), text[:200]


EDGES = ["a", "a\n", "\n\na\n\n", "a\nb", "a\n\nb", "a\n\n\n\nb", "a\n \nb", "a \nb", "a  \nb", "a\tb", "a\u00a0b",
         "1. a", "1) a", "2015 a", "x\n2015. a", "- a", "a - b", "a -\nb", "a\n---", "a\n===", "# a", "a # b", "> a",
         "a > b", "+ a", "~~~\na\n~~~", ": a", "a | b", "a & b", "a &amp; b", "<b>a</b>", "a \\ b", "a*b*", "a_b_",
         "[a](b)", "a `b`", "\u200fa", "a\u202eb", "a\r\nb", "a\rb", "قال الوزير: \"نعم\" (أمس)؟", "It's 5'10\" — ok!",
         "    code", " a", "", "\n\n", "a\x00b", "a\x0cb"]


@pytest.mark.parametrize("text", EDGES)
def test_edges_of_the_syntax_check_give_what_python_markdown_gives(text, monkeypatch):
    assert safety.markdown_to_html(text) == _through_markdown(text, monkeypatch)


_ALPHABET = st.sampled_from(list("ab AB12.,;:!?'\"()-\n\n\n") + ["قال", "ا", "é", "—", "  ", "\t", "\u00a0", "*", "_",
                                                                   "#", ">", "+", "=", "~", "|", "&", "<", "[", "`"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_random_texts_give_what_python_markdown_gives(monkeypatch, text):
    assert safety.markdown_to_html(text) == _through_markdown(text, monkeypatch)


def test_plain_text_does_not_reach_python_markdown(monkeypatch):
    def refuse():
        raise AssertionError("Python-Markdown was used")

    monkeypatch.setattr(safety, "_markdown", refuse)
    assert safety.markdown_to_html("First paragraph, \"quoted\".\nSame paragraph.\n\nقال الوزير (أمس).") == (
        "<p>First paragraph, \"quoted\".\nSame paragraph.</p>\n<p>قال الوزير (أمس).</p>")
    with pytest.raises(AssertionError, match="was used"):
        safety.markdown_to_html("A *marked* word.")

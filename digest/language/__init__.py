"""Arabic text: sentences, normalisation and terms (arabic), boilerplate lines (boilerplate), and the extractive
summaries built on them (summary). Other packages import from here, not from the modules.

The summarizer is loaded on first use (a build that makes no summary, or only reads, never pays its import)."""
from __future__ import annotations

from typing import Any

from digest.language.arabic import ARABIC_LETTER, has_arabic_letter, split_sentences, to_arabic_letters, tokenize

__all__ = [
    "ARABIC_LETTER", "has_arabic_letter", "split_sentences", "to_arabic_letters", "tokenize",
    "DEFAULT_WORDS", "summarize",
]
_FROM_SUMMARY = ("DEFAULT_WORDS", "summarize")


def __getattr__(name: str) -> Any:  # PEP 562: called for a name not (yet) in this module
    if name in _FROM_SUMMARY:
        from digest.language import summary

        value = getattr(summary, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""What an English page says besides the translated sentences: the summary taken from a human body, and the
article's metadata (section, place, byline, agency, source) in English.

A human body (content/<stem>.en.md) always gives the English summary: the English sentences aligned with the
Arabic sentences the summarizer picked when the paragraphs line up, else the English lead. Metadata comes from the
human file when it gives a field, else from the tables below (agency codes, common section names), else from the
translation memory like any segment. A field whose English is not known yet is left out of the English page:
Arabic is never shown there in its place.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from digest.language import has_arabic_letter, split_sentences
from digest.model import Article, HumanTranslation, Summary, is_structure_block
from digest.read import AGENCIES, SECTIONS, table_key
from digest.site.safety import markdown_to_text

META_FIELDS = ("section", "place", "byline", "agency", "source")

_TABLES = {"agency": AGENCIES, "source": AGENCIES, "section": SECTIONS}


# --------------------------------------------------------------------------------------------------------
# Metadata.

def meta_segments(article: Article, human: HumanTranslation | None) -> list[str]:
    """The metadata texts that need the translator: in Arabic, not given by the human file, not in a table."""
    out = []
    for name in META_FIELDS:
        value = getattr(article, name)
        if value and getattr(human, name, None) is None and _from_table(name, value) is None \
                and has_arabic_letter(value):
            out.append(value.strip())
    return out


def _from_table(name: str, value: str) -> str | None:
    table = _TABLES.get(name)
    return table.get(table_key(value)) if table else None


def english_meta(article: Article, human: HumanTranslation | None,
                 machine: Mapping[str, str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """({field: English or None}, {field: status}) for the fields the article or its human file has. Status:
    human | table | same (no Arabic in it) | memory | machine | pending (left out of the page)."""
    values: dict[str, str | None] = {}
    status: dict[str, str] = {}
    from_memory = getattr(machine, "from_memory", frozenset())
    for name in META_FIELDS:
        given = getattr(human, name, None)
        value = getattr(article, name)
        if given is not None:
            values[name], status[name] = given, "human"
        elif not value:
            continue
        elif (found := _from_table(name, value)) is not None:
            values[name], status[name] = found, "table"
        elif not has_arabic_letter(value):
            values[name], status[name] = value, "same"
        elif (english := machine.get(value.strip())) is not None and not has_arabic_letter(english):
            values[name], status[name] = english, "memory" if value.strip() in from_memory else "machine"
        else:
            values[name], status[name] = None, "pending"
    return values, status


# --------------------------------------------------------------------------------------------------------
# The English summary from a human body.

def aligned_sentences(article: Article, summary: Summary, body: Sequence[str]) -> str | None:
    """The English of the picked Arabic sentences, when each can be found: the paragraphs line up one to one, and
    each picked sentence's paragraph is picked whole or its English splits into as many sentences."""
    if not summary.picks or len(body) != len(article.paragraphs):
        return None
    picked: dict[int, list[int]] = {}
    for p, s in summary.picks:
        picked.setdefault(p, []).append(s)
    parts = []
    for p, sentences in sorted(picked.items()):
        if len(sentences) == len(article.paragraphs[p]):
            parts.append(body[p])  # the whole paragraph: however its English is cut into sentences
            continue
        english = split_sentences(body[p])
        if len(english) != len(article.paragraphs[p]):
            return None
        parts.extend(english[s] for s in sorted(sentences))
    return " ".join(parts)


def english_lead(body: Sequence[str], *, words: int | None = None, sentences: int | None = None) -> str:
    """The first sentences of the prose of `body` within the budget (a sentence budget wins over a word budget,
    as for the Arabic summary); the first sentence always, even when it alone is over the budget."""
    if words is None and sentences is None:
        # Imported here: a build that makes no summary never loads the summarizer.
        from digest.language import DEFAULT_WORDS

        words = DEFAULT_WORDS
    prose = [b for b in body if not is_structure_block(b)] or list(body)
    lead: list[str] = []
    used = 0
    for sentence in (s for block in prose for s in split_sentences(markdown_to_text(block))):
        if sentences is not None:
            if len(lead) >= max(1, sentences):
                break
        elif lead and words is not None and used + len(sentence.split()) > words:
            break
        lead.append(sentence)
        used += len(sentence.split())
    return " ".join(lead)


def human_summary(article: Article, summary: Summary, human: HumanTranslation | None, *,
                  words: int | None = None, sentences: int | None = None) -> str | None:
    """The English summary a human body gives (plain text), or None when there is no human body."""
    if human is None or not human.paragraphs:
        return None
    aligned = aligned_sentences(article, summary, human.paragraphs)
    if aligned is not None:
        return markdown_to_text(aligned)
    return english_lead(human.paragraphs, words=words, sentences=sentences)

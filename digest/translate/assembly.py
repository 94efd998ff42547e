"""An article's English from the translations: the Arabic segments an article sends to the translator
(segments_for), and its English put together field by field from the answers (english_for). A human field always
wins, else the machine translation; a field whose translation is missing is pending. The English summary drawn
from a human body, and the metadata (section, place, byline, agency, source), are english.py's."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from digest.model import Article, English, HumanTranslation, Summary, is_structure_block
from digest.site.safety import markdown_to_text
from digest.translate.english import english_meta, human_summary, meta_segments


def _picked_sentences(article: Article, summary: Summary) -> list[str]:
    return [article.paragraphs[p][s] for p, s in summary.picks]


# A paragraph is sent as pieces: a prose paragraph's pieces are its sentences; a Markdown heading, list, quote or
# table is cut around its marks (heading and list marks, '>' and table pipes stay as written, code is not sent), so
# the English keeps the block's shape whatever a translator does with line breaks and punctuation.
Piece = tuple[str, bool]  # (text, is it sent for translation)
_LINE_MARKS = re.compile(r"\s*(?:(?:#{1,6}|>|[-*+]|\d+[.)])(?:\s+|$))*")
_TABLE_RULE = re.compile(r"\s*:?-+:?\s*")


def _text_pieces(text: str) -> list[Piece]:
    core = text.strip()
    if not core:
        return [(text, False)]
    start = text.index(core)
    return [(text[:start], False), (core, True), (text[start + len(core):], False)]


def block_pieces(block: str) -> list[Piece]:
    """A Markdown structure block as pieces: marks, pipes and code kept, the words in between sent."""
    if block.lstrip().startswith(("```", "~~~")) or block.startswith(("    ", "\t")):
        return [(block, False)]
    pieces: list[Piece] = []
    for n, line in enumerate(block.split("\n")):
        if n:
            pieces.append(("\n", False))
        if line.lstrip().startswith("|"):
            for k, cell in enumerate(line.split("|")):
                if k:
                    pieces.append(("|", False))
                pieces.extend([(cell, False)] if _TABLE_RULE.fullmatch(cell) else _text_pieces(cell))
        else:
            mark = _LINE_MARKS.match(line).group(0)  # type: ignore[union-attr]  (the pattern matches "" too)
            pieces.append((mark, False))
            pieces.extend(_text_pieces(line[len(mark):]))
    return pieces


def paragraph_pieces(paragraph: Sequence[str], markdown: bool) -> list[Piece]:
    """The pieces whose English, joined in order, is the paragraph's English."""
    if markdown and len(paragraph) == 1 and is_structure_block(paragraph[0]):
        return block_pieces(paragraph[0])
    pieces: list[Piece] = []
    for sentence in (s for s in paragraph if s.strip()):
        if pieces:
            pieces.append((" ", False))
        pieces.append((sentence, True))
    return pieces


def segments_for(article: Article, summary: Summary, human: HumanTranslation | None) -> list[str]:
    """The Arabic segments that need machine translation: those no human field covers."""
    out: list[str] = []
    if human is None or human.title is None:
        out.append(article.headline)
    if human is None or human.paragraphs is None:
        out.extend(text for para in article.paragraphs
                   for text, sent in paragraph_pieces(para, article.is_markdown) if sent)
    # A human body gives the summary; a flash's summary is its title.
    if (human is None or (human.summary is None and human.paragraphs is None)) and not article.flash:
        if not summary.picks:
            out.append(summary.text)  # an editor's summary
        else:
            out.extend(_picked_sentences(article, summary))  # body sentences: no extra request
    out.extend(meta_segments(article, human))
    return [s for s in dict.fromkeys(s.strip() for s in out) if s]


def _machine_text(pieces: Sequence[Piece], machine: Mapping[str, str]) -> tuple[str | None, str]:
    """The pieces joined, each sent piece replaced by its translation; status memory (every translation from
    memory), machine, or pending (some translation missing: no text then)."""
    from_memory = getattr(machine, "from_memory", frozenset())
    parts, fresh = [], False
    for text, sent in pieces:
        if not sent:
            parts.append(text)
            continue
        key = text.strip()
        if key not in machine:
            return None, "pending"
        parts.append(machine[key])
        fresh = fresh or key not in from_memory
    return "".join(parts), "machine" if fresh else "memory"


def _machine_field(sources: Sequence[str], machine: Mapping[str, str]) -> tuple[str | None, str]:
    """The translations of `sources` (sentences) joined with spaces."""
    return _machine_text(paragraph_pieces(sources, markdown=False), machine)


def english_for(article: Article, summary: Summary, human: HumanTranslation | None,
                machine: Mapping[str, str], *, words: int | None = None, sentences: int | None = None) -> English:
    """The English article, field by field: a human field always wins, else the machine translation. A human body
    always gives the summary (see english.human_summary; `words`/`sentences` is the site's summary budget), so it
    is never pending for the summary alone; metadata whose English is pending is left out (english.english_meta)."""
    status: dict[str, str] = {}

    if human is not None and human.title is not None:
        title, status["title"] = human.title, "human"
    else:
        title, status["title"] = _machine_field([article.headline], machine)

    paragraphs: tuple[str, ...] | None
    if human is not None and human.paragraphs is not None:
        paragraphs, status["body"] = human.paragraphs, "human"
    else:
        joined = [_machine_text(paragraph_pieces(para, article.is_markdown), machine) for para in article.paragraphs]
        if any(text is None for text, _ in joined):
            paragraphs, status["body"] = None, "pending"
        else:
            paragraphs = tuple(text for text, _ in joined)  # type: ignore[misc]
            statuses = {s for _, s in joined}
            status["body"] = "memory" if statuses <= {"memory"} and joined else "machine"

    # A summary made of Markdown (a human body is Markdown; so is a Markdown article's) is shown as plain text.
    from_human_body = human_summary(article, summary, human, words=words, sentences=sentences)
    if human is not None and human.summary is not None:
        summary_en, status["summary"] = human.summary, "human"
    elif article.flash:  # a brief's summary is its headline (summarize.summarize), in English its title
        summary_en, status["summary"] = title, status["title"]
    elif from_human_body is not None:
        summary_en, status["summary"] = from_human_body, "human"
    elif not summary.picks:
        summary_en, status["summary"] = _machine_field([summary.text], machine)
    else:
        summary_en, status["summary"] = _machine_field(_picked_sentences(article, summary), machine)
        if summary_en is not None and article.is_markdown:
            summary_en = markdown_to_text(summary_en)

    meta, meta_status = english_meta(article, human, machine)
    status.update(meta_status)
    return English(title=title, summary=summary_en, paragraphs=paragraphs, status=status, **meta)

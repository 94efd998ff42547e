"""Extractive Arabic summaries: score each sentence, pick within a budget, keep document order.

Score = position prior + centrality (cosine to the article's TF-IDF centroid) + headline
overlap, damped for very long sentences; selection is greedy MMR within the budget, so a
near-duplicate of a chosen sentence is not picked. Pure Python: imports in milliseconds.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from digest.language.arabic import content_terms
from digest.language.boilerplate import is_boilerplate
from digest.model import Article, Summary, is_structure_block
from digest.site.safety import markdown_to_text

DEFAULT_WORDS = 60


@dataclass(frozen=True)
class Weights:
    """Score = (position prior + centrality * cos(sentence, centroid) + headline * cos(sentence,
    headline)) * min(1, long_words / words), minus redundancy * max cos to a chosen sentence.
    The position prior is 1 / (1 + index): news leads matter most. Few, round values, checked by
    two-fold cross-validation on EASC (bench/summaries.py)."""

    centrality: float = 0.5
    headline: float = 0.25
    redundancy: float = 0.3
    # Sentences longer than this many words lose score in proportion: a long sentence spends
    # much of the budget and reads badly in a summary card (and EASC references keep only the
    # first 255 characters of a sentence).
    long_words: int = 60


WEIGHTS = Weights()

# Fixed rules, not tuned: a sentence this similar to a chosen one is a repeat (wire copy often
# restates the lead), and a "sentence" this short is a caption, byline or "...المزيد" leftover.
NEAR_DUPLICATE = 0.8
MIN_WORDS = 4

# Markdown syntax that is not content: heading marks, list bullets, emphasis, link targets.
# Linear: link text and target stop at the next bracket, so an unclosed '[' or '](' scans only to the next one
# (with '[^\]]*', 40,000 '[' made every one scan to the end of the text: quadratic, minutes for 2 MB).
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\[\]]*\)")
_MD_MARKS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)|[*_`~]+")


def _strip_markdown(text: str) -> str:
    return _MD_MARKS.sub(" ", _MD_LINK.sub(r"\1", text))


_MD_IMAGE_ONLY = re.compile(r"^\s*(?:!\[[^\]]*\]\([^)]*\)\s*)+$")


def _skipped(sentence: str, markdown: bool) -> bool:
    """Boilerplate (digest.language.boilerplate), or in Markdown an image on its own: never summary material."""
    if markdown and _MD_IMAGE_ONLY.match(sentence):
        return True
    return is_boilerplate(_plain_sentence(sentence) if markdown else sentence)


def boilerplate_indices(sentences: list[str], markdown: bool = False) -> frozenset[int]:
    """Indices of the sentences a summary never picks (see select's `skip`)."""
    return frozenset(i for i, s in enumerate(sentences) if _skipped(s, markdown))


def _plain_sentence(text: str) -> str:
    """A Markdown sentence as boilerplate detection sees it: a link keeps its words, or its address when it has
    none (a bare link is a "read more" line)."""
    return _MD_MARKS.sub(" ", _MD_LINK.sub(lambda m: m.group(1) or m.group(0)[m.group(0).find("(") + 1:-1], text))


def word_count(text: str) -> int:
    return len(text.split())


def _vector(terms: list[str], idf: dict[str, float]) -> dict[str, float]:
    tf = Counter(terms)
    return {t: (1.0 + math.log(c)) * idf.get(t, 1.0) for t, c in tf.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    # The terms of `a` that `b` has, in a's order: the same sum as over all of a's terms with 0.0 for the others
    # (weights are positive, so adding 0.0 never changes a float), without a lookup per missing term.
    dot = sum([w * b[t] for t, w in a.items() if t in b])
    if not dot:
        return 0.0
    na = math.sqrt(sum([w * w for w in a.values()]))
    nb = math.sqrt(sum([w * w for w in b.values()]))
    return dot / (na * nb)


@dataclass(frozen=True)
class Features:
    """Per-sentence inputs of the score, computed once per article (the benchmark reuses them
    across weight settings): position prior, cosine to the centroid and to the headline, length
    in words, and the TF-IDF vectors (for the redundancy penalty)."""

    position: tuple[float, ...]
    centrality: tuple[float, ...]
    headline: tuple[float, ...]
    words: tuple[int, ...]
    vectors: tuple[dict[str, float], ...]


def sentence_features(sentences: list[str], headline: str = "", *, markdown: bool = False) -> Features:
    n = len(sentences)
    terms = [content_terms(_strip_markdown(s) if markdown else s) for s in sentences]
    df = Counter(t for ts in terms for t in set(ts))
    idf = {t: math.log((n + 1) / c) + 1.0 for t, c in df.items()}
    vecs = [_vector(ts, idf) for ts in terms]
    centroid = _vector([t for ts in terms for t in ts], idf)
    head = _vector(content_terms(headline), idf) if headline else {}
    return Features(position=tuple(1.0 / (1.0 + i) for i in range(n)),
                    centrality=tuple(_cosine(v, centroid) for v in vecs),
                    headline=tuple(_cosine(v, head) for v in vecs),
                    words=tuple(word_count(s) for s in sentences), vectors=tuple(vecs))


def combine(f: Features, weights: Weights = WEIGHTS) -> list[float]:
    """Relevance score per sentence (higher is better) before redundancy control."""
    scores = []
    for pos, cen, head, n_words in zip(f.position, f.centrality, f.headline, f.words):
        score = pos + weights.centrality * cen + weights.headline * head
        if weights.long_words and n_words > weights.long_words:
            score *= weights.long_words / n_words
        scores.append(score)
    return scores


def rank_sentences(sentences: list[str], headline: str = "", *, markdown: bool = False,
                   weights: Weights = WEIGHTS) -> tuple[list[float], list[dict[str, float]]]:
    """A relevance score per sentence (higher is better) before redundancy control, and the
    sentences' TF-IDF vectors (for the redundancy penalty)."""
    f = sentence_features(sentences, headline, markdown=markdown)
    return combine(f, weights), list(f.vectors)


def select(sentences: list[str], scores: list[float], *, sentences_budget: int | None = None,
           words_budget: int | None = None, vectors: list[dict[str, float]] | None = None,
           redundancy: float = WEIGHTS.redundancy, skip: frozenset[int] = frozenset()) -> list[int]:
    """Greedy MMR pick of sentence indices within the budget, returned in document order.
    At least one sentence is always returned (the best one, even if it alone exceeds the budget).
    Indices in `skip` (boilerplate) are never picked, unless nothing else can be."""
    n = len(sentences)
    if n == 0:
        return []
    if sentences_budget is not None:
        sentences_budget = max(1, sentences_budget)
    lengths = [word_count(s) for s in sentences]
    chosen: list[int] = []
    used = 0
    eligible = {i for i in range(n) if i not in skip} or set(range(n))
    remaining = {i for i in eligible if lengths[i] >= MIN_WORDS} or eligible
    # max cosine of each candidate to the chosen sentences, updated with each new pick only, so a
    # long budget costs n cosines per pick rather than n * picks
    overlaps = [0.0] * n
    while remaining:
        if sentences_budget is not None and len(chosen) >= sentences_budget:
            break
        best, best_val = None, -math.inf
        for i in remaining:
            if words_budget is not None and chosen and used + lengths[i] > words_budget:
                continue
            overlap = overlaps[i]
            if overlap >= NEAR_DUPLICATE:
                continue
            val = scores[i] - redundancy * overlap
            if val > best_val:
                best, best_val = i, val
        if best is None:
            break
        chosen.append(best)
        used += lengths[best]
        remaining.discard(best)
        if vectors:
            for i in remaining:
                overlaps[i] = max(overlaps[i], _cosine(vectors[i], vectors[best]))
        if words_budget is not None and used >= words_budget:
            break
    return sorted(chosen)


def summarize_sentences(flat: list[str], headline: str = "", *, sentences: int | None = None,
                        words: int | None = None, markdown: bool = False,
                        weights: Weights = WEIGHTS) -> list[int]:
    """Indices of the chosen sentences of `flat`, in document order, within the budget."""
    if not flat:
        return []
    scores, vecs = rank_sentences(flat, headline, markdown=markdown, weights=weights)
    return select(flat, scores, sentences_budget=sentences, words_budget=words, vectors=vecs,
                  redundancy=weights.redundancy, skip=boilerplate_indices(flat, markdown))


MAX_SUMMARY_SENTENCES = 2000


def summarize(article: Article, *, sentences: int | None = None, words: int | None = None) -> Summary:
    """Extractive summary of `article`: verbatim sentences in document order within the budget
    (words=N: at most N words, except that one sentence is always returned; sentences=N: at most
    N sentences). A front-matter summary wins."""
    if article.summary_override:
        return Summary(picks=(), text=article.summary_override)
    if article.flash:  # a brief: its headline is all there is (feeds and meta descriptions need a summary)
        return Summary(picks=(), text=article.headline)
    if sentences is None and words is None:
        words = DEFAULT_WORDS
    # Bounded: only the first MAX_SUMMARY_SENTENCES sentences are ranked (a news summary comes from the lead; a
    # 2 MB file of 60,000 sentences took 6 s to rank whole).
    index = [(p, s) for p, para in enumerate(article.paragraphs) for s in range(len(para))][:MAX_SUMMARY_SENTENCES]
    if article.is_markdown:  # headings, lists, tables and code are not summary sentences (unless nothing else is)
        index = [(p, s) for p, s in index if not is_structure_block(article.paragraphs[p][s])] or index
    flat = [article.paragraphs[p][s] for p, s in index]
    picked = summarize_sentences(flat, article.headline, sentences=sentences, words=words,
                                 markdown=article.is_markdown)
    picks = tuple(index[i] for i in picked)
    text = " ".join(flat[i] for i in picked)
    return Summary(picks=picks, text=markdown_to_text(text) if article.is_markdown else text)

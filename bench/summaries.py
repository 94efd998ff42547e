"""Benchmark the Arabic summarizer on the EASC development split (../shared/easc).

Protocol (issue 4): ROUGE-1/2/L F1 on normalised Arabic tokens (digest.arabic.tokenize), mean
over the five human references, then over articles; each article's budget is the median word
count of its references. Baselines: lead (first sentences within the budget), random (random
sentences within the budget, mean of several seeds) and human agreement (each reference against
the other four; and the best reference of each article against the other four).

The summarizer's weights are checked by two-fold cross-validation: the articles are split into
two halves (alternating within each topic); the small weight grid is tuned on one half and
reported on the other, both ways round. The shipped weights must do well on both halves.

Run from the repository root:  .venv/bin/python bench/summaries.py [--quick]
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest import summarize as S  # noqa: E402
from digest.arabic import split_sentences, tokenize  # noqa: E402

EASC = ROOT.parent / "shared" / "easc"


@dataclass(frozen=True)
class Doc:
    id: str
    topic: str
    title: str
    sentences: tuple[str, ...]
    refs: tuple[tuple[str, ...], ...]  # reference token lists
    budget: int


def read_article(text: str) -> list[str]:
    """EASC articles are hard-wrapped: lines of one blank-line-separated block are joined with a
    space before splitting, so a sentence that runs over a line break stays whole."""
    sentences: list[str] = []
    block: list[str] = []
    for line in text.replace("\r", "").split("\n") + [""]:
        if line.strip():
            block.append(line.strip())
        elif block:
            sentences.extend(split_sentences(" ".join(block)))
            block = []
    return sentences


def load(easc: Path = EASC) -> list[Doc]:
    docs = []
    for line in (easc / "index.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = (easc / row["article"]).read_text(encoding="utf-8-sig")
        refs_text = [(easc / r).read_text(encoding="utf-8-sig") for r in row["references"]]
        budget = int(statistics.median(len(r.split()) for r in refs_text))
        docs.append(Doc(row["id"], row["topic"], row.get("title_added_by_repo", ""),
                        tuple(read_article(text)), tuple(tuple(tokenize(r)) for r in refs_text), budget))
    return docs


# --- ROUGE (F1) over token lists -----------------------------------------------------------

def _ngrams(tokens: tuple[str, ...] | list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: float, n_cand: int, n_ref: int) -> float:
    if not overlap or not n_cand or not n_ref:
        return 0.0
    p, r = overlap / n_cand, overlap / n_ref
    return 2 * p * r / (p + r)


def rouge_n(cand, ref, n: int) -> float:
    c, r = _ngrams(cand, n), _ngrams(ref, n)
    return _f1(sum((c & r).values()), sum(c.values()), sum(r.values()))


def _lcs(a, b) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(cand, ref) -> float:
    return _f1(_lcs(cand, ref), len(cand), len(ref))


def scores(cand, refs) -> tuple[float, float, float]:
    """Mean over references of (R1, R2, RL) F1."""
    rows = [(rouge_n(cand, r, 1), rouge_n(cand, r, 2), rouge_l(cand, r)) for r in refs]
    return tuple(sum(col) / len(rows) for col in zip(*rows))  # type: ignore[return-value]


def mean_rows(rows) -> tuple[float, ...]:
    return tuple(sum(col) / len(rows) for col in zip(*rows))


# --- systems ---------------------------------------------------------------------------------

def lead(doc: Doc) -> list[int]:
    chosen, used = [], 0
    for i, s in enumerate(doc.sentences):
        n = len(s.split())
        if chosen and used + n > doc.budget:
            break
        chosen.append(i)
        used += n
    return chosen


def random_pick(doc: Doc, seed: int) -> list[int]:
    order = list(range(len(doc.sentences)))
    random.Random(f"{doc.id}-{seed}").shuffle(order)
    chosen, used = [], 0
    for i in order:
        n = len(doc.sentences[i].split())
        if chosen and used + n > doc.budget:
            continue
        chosen.append(i)
        used += n
    return sorted(chosen)


def ours(doc: Doc, weights: S.Weights | None = None) -> list[int]:
    return S.summarize_sentences(list(doc.sentences), doc.title, words=doc.budget,
                                 weights=weights or S.WEIGHTS)


def score_system(docs: list[Doc], pick, lcs: bool = True) -> tuple[float, ...]:
    """Mean over articles of the mean over references of ROUGE-1/2(/L) F1."""
    rows = []
    for d in docs:
        cand = tokenize(" ".join(d.sentences[i] for i in pick(d)))
        if lcs:
            rows.append(scores(cand, d.refs))
        else:  # only: the LCS is the slow part and tuning does not use it
            rows.append(tuple(sum(rouge_n(cand, r, n) for r in d.refs) / len(d.refs) for n in (1, 2)))
    return mean_rows(rows)


def human(docs: list[Doc]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    avg_rows, best_rows = [], []
    for d in docs:
        per_ref = [scores(r, [o for j, o in enumerate(d.refs) if j != i]) for i, r in enumerate(d.refs)]
        avg_rows.append(mean_rows(per_ref))
        best_rows.append(max(per_ref, key=lambda t: t[0] + t[1]))
    return mean_rows(avg_rows), mean_rows(best_rows)


# --- cross-validation --------------------------------------------------------------------------

GRID = {
    "centrality": (0.0, 0.25, 0.5, 1.0),
    "headline": (0.0, 0.25, 0.5),
    "redundancy": (0.0, 0.3),
    "long_words": (0, 45, 60),
}


def folds(docs: list[Doc]) -> tuple[list[Doc], list[Doc]]:
    by_topic: dict[str, list[Doc]] = {}
    for d in sorted(docs, key=lambda d: d.id):
        by_topic.setdefault(d.topic, []).append(d)
    a, b = [], []
    for group in by_topic.values():
        for k, d in enumerate(group):
            (a if k % 2 == 0 else b).append(d)
    return a, b


def tune(docs: list[Doc]) -> tuple[S.Weights, tuple[float, ...]]:
    best = None
    for values in itertools.product(*GRID.values()):
        w = replace(S.WEIGHTS, **dict(zip(GRID, values)))
        r = score_system(docs, lambda d: ours(d, w), lcs=False)
        if best is None or r[0] + r[1] > best[1][0] + best[1][1]:
            best = (w, r)
    assert best is not None
    return best


def fmt(name: str, r, extra: str = "") -> str:
    return f"| {name:<42} | {r[0]:.3f} | {r[1]:.3f} | {r[2]:.3f} | {extra:>14} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip the cross-validation grid search")
    args = ap.parse_args()
    docs = load()
    print(f"EASC development split: {len(docs)} articles, "
          f"{sum(len(d.sentences) for d in docs)} sentences, budget = median reference length "
          f"(mean {statistics.mean(d.budget for d in docs):.1f} words)\n")
    print(f"| {'system (mean F1 over 5 refs, then articles)':<42} | R-1   | R-2   | R-L   | {'ms / article':>14} |")
    print(f"|{'-' * 44}|-------|-------|-------|{'-' * 16}|")
    r_ours = score_system(docs, ours)
    t_ours = 0.0
    for d in docs:  # time the summarizer alone, not the scoring
        t = time.perf_counter()
        ours(d)
        t_ours += time.perf_counter() - t
    r_lead = score_system(docs, lead)
    r_rand = mean_rows([score_system(docs, lambda d, s=s: random_pick(d, s)) for s in range(5)])
    h_avg, h_best = human(docs)
    print(fmt("this summarizer (shipped weights)", r_ours, f"{1000 * t_ours / len(docs):.2f}"))
    print(fmt("lead baseline", r_lead))
    print(fmt("random baseline (mean of 5 seeds)", r_rand))
    print(fmt("human: each reference vs other four", h_avg))
    print(fmt("human: best reference vs other four", h_best))
    print(f"\nsummarizer minus lead: R-1 {r_ours[0] - r_lead[0]:+.3f}, R-2 {r_ours[1] - r_lead[1]:+.3f}, "
          f"R-L {r_ours[2] - r_lead[2]:+.3f}")
    print(f"shipped weights: {S.WEIGHTS}")

    if not args.quick:
        a, b = folds(docs)
        print(f"\nTwo-fold cross-validation (halves of {len(a)} / {len(b)} articles, grid of "
              f"{len(list(itertools.product(*GRID.values())))} weight settings):\n")
        print(f"| {'tuned on -> reported on':<24} | {'tuned weights':<44} | R-1   | R-2   | lead R-1 | lead R-2 |")
        print(f"|{'-' * 26}|{'-' * 46}|-------|-------|----------|----------|")
        for name, train, test in (("half A -> half B", a, b), ("half B -> half A", b, a)):
            w, _ = tune(train)
            r = score_system(test, lambda d: ours(d, w), lcs=False)
            rl = score_system(test, lead, lcs=False)
            ws = f"cen {w.centrality}, head {w.headline}, red {w.redundancy}, long {w.long_words}"
            print(f"| {name:<24} | {ws:<44} | {r[0]:.3f} | {r[1]:.3f} | {rl[0]:8.3f} | {rl[1]:8.3f} |")
        for name, half in (("half A", a), ("half B", b)):
            r = score_system(half, ours, lcs=False)
            rl = score_system(half, lead, lcs=False)
            print(f"| {'shipped -> ' + name:<24} | {'(defaults)':<44} | {r[0]:.3f} | {r[1]:.3f} | {rl[0]:8.3f} | {rl[1]:8.3f} |")


if __name__ == "__main__":
    main()

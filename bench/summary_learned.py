"""Experiment (not shipped): a learned sentence scorer for EASC, checked by the same k-fold CV.

Each article sentence gets a target = mean over the five references of its ROUGE-1 and ROUGE-2
precision against that reference (what the sentence would add to the summary's overlap; it also
accounts for the references' 255-character cut). A ridge regression (closed form, pure Python)
on article-only features predicts it; sentences are then picked (a) greedily by prediction,
skipping ones that do not fit the budget, or (b) by an exact knapsack over the word budget
maximising sum((prediction - mean target) * words). Held-out folds are scored against lead.
With the true targets the knapsack reaches the oracle (about 0.58 / 0.52), so the selection is
sound; the learned predictions are the weak part. README "Summaries" reports the outcome.

Run from the repository root:  .venv/bin/python bench/summary_learned.py [--folds K --repeats R]
"""
from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import summaries as B  # noqa: E402  (bench/summaries.py: loader, ROUGE, folds, caches)

NAMES = ("bias", "first", "1/(1+i)", "i/n", "log words", "min(1,255/chars)", "centroid cos", "headline cos",
         "cos to first", "token df", "digits", "quotes")


def features(doc: B.Doc) -> list[list[float]]:
    f, toks, _ = B._cached(doc)
    n = len(doc.sentences)
    df = Counter(t for ts in toks for t in set(ts))
    rows = []
    for i, s in enumerate(doc.sentences):
        ts = toks[i]
        rows.append([1.0, float(i == 0), f.position[i], i / max(1, n - 1), math.log(1 + f.words[i]),
                     min(1.0, 255 / max(1, len(s))), f.centrality[i], f.headline[i],
                     B.S._cosine(f.vectors[i], f.vectors[0]),
                     statistics.mean((df[t] - 1) / max(1, n - 1) for t in ts) if ts else 0.0,
                     float(bool(re.search(r"[0-9٠-٩]", s))), float(bool(re.search(r"[\"«»“”]", s)))])
    return rows


def targets(doc: B.Doc) -> list[float]:
    _, toks, refs = B._cached(doc)
    out = []
    for ts in toks:
        g1, g2 = B._ngrams(ts, 1), B._ngrams(ts, 2)
        p = [sum((g1 & a).values()) / max(1, len(ts)) + sum((g2 & b).values()) / max(1, len(ts) - 1)
             for a, b, _, _ in refs]
        out.append(sum(p) / (2 * len(p)))
    return out


def ridge(X: list[list[float]], y: list[float], lam: float = 1.0) -> list[float]:
    k = len(X[0])
    M = [[sum(x[a] * x[b] for x in X) + (lam if a == b and a else 0.0) for b in range(k)]
         + [sum(x[a] * t for x, t in zip(X, y))] for a in range(k)]
    for c in range(k):  # Gauss-Jordan with partial pivoting
        p = max(range(c, k), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        for r in range(k):
            if r != c:
                m = M[r][c] / M[c][c]
                M[r] = [a - m * b for a, b in zip(M[r], M[c])]
    return [M[i][k] / M[i][i] for i in range(k)]


def greedy(doc: B.Doc, pred: list[float]) -> list[int]:
    lengths = [len(s.split()) for s in doc.sentences]
    chosen, used = [], 0
    for i in sorted(range(len(pred)), key=lambda i: -pred[i]):
        if lengths[i] < B.S.MIN_WORDS or (chosen and used + lengths[i] > doc.budget):
            continue
        chosen.append(i)
        used += lengths[i]
    return sorted(chosen) or [0]


def knapsack(doc: B.Doc, pred: list[float], offset: float) -> list[int]:
    lengths = [len(s.split()) for s in doc.sentences]
    best: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
    for i, (n, p) in enumerate(zip(lengths, pred)):
        v = (p - offset) * n
        if v <= 0 or n < B.S.MIN_WORDS:
            continue
        for used, (val, ch) in list(best.items()):
            if used + n <= doc.budget and val + v > best.get(used + n, (-1.0, ()))[0]:
                best[used + n] = (val + v, ch + (i,))
    picked = max(best.values())[1]
    return sorted(picked) or [max(range(len(pred)), key=lambda i: pred[i])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="Reads the EASC development split in ../shared/easc (beside the repository "
                                        "on the development machine, not in a clone).")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    B.require_easc(B.EASC, hint="")
    docs = B.load()
    F = {d.id: features(d) for d in docs}
    Y = {d.id: targets(d) for d in docs}
    print("true targets, knapsack (a ceiling for the selection step): R-1 %.3f / R-2 %.3f" %
          B.score_fast(docs, lambda d: knapsack(d, Y[d.id], statistics.mean(Y[d.id]))))
    diffs: dict[str, list[tuple[float, float]]] = {"greedy": [], "knapsack": []}
    for rep in range(args.repeats):
        parts = B.kfold(docs, args.folds, seed=rep)
        for f, test in enumerate(parts):
            train = [d for j, p in enumerate(parts) if j != f for d in p]
            w = ridge([x for d in train for x in F[d.id]], [t for d in train for t in Y[d.id]])
            offset = statistics.mean(t for d in train for t in Y[d.id])
            pred = {d.id: [sum(a * b for a, b in zip(w, x)) for x in F[d.id]] for d in test}
            ld = B.score_fast(test, B.lead)
            for name, pick in (("greedy", lambda d: greedy(d, pred[d.id])),
                               ("knapsack", lambda d: knapsack(d, pred[d.id], offset))):
                r = B.score_fast(test, pick)
                diffs[name].append((r[0] - ld[0], r[1] - ld[1]))
                print(f"rep {rep} fold {f} {name:<8} R-1 {r[0]:.3f} R-2 {r[1]:.3f}  lead {ld[0]:.3f} {ld[1]:.3f}  "
                      f"diff {r[0] - ld[0]:+.3f} {r[1] - ld[1]:+.3f}")
    for name, rows in diffs.items():
        print(f"{name}: held-out minus lead, mean over {len(rows)} folds: R-1 {statistics.mean(r[0] for r in rows):+.3f}, "
              f"R-2 {statistics.mean(r[1] for r in rows):+.3f}")
    w = ridge([x for d in docs for x in F[d.id]], [t for d in docs for t in Y[d.id]])
    print("weights fitted on all articles: " + ", ".join(f"{n} {v:+.3f}" for n, v in zip(NAMES, w)))


if __name__ == "__main__":
    main()

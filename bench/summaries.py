"""Benchmark the Arabic summarizer on the EASC development split (../shared/easc).

Protocol (issue 4): ROUGE-1/2/L F1 on normalised Arabic tokens (digest.language.arabic.tokenize), mean
over the five human references, then over articles; each article's budget is the median word
count of its references. Baselines: lead (first sentences within the budget), random (random
sentences within the budget, mean of several seeds) and human agreement (each reference against
the other four; and the best reference of each article against the other four).

Out-of-sample check: repeated k-fold cross-validation (default 5 folds x 2 repeats, folds
stratified by topic and shuffled with a fixed seed). In each fold the small weight grid is tuned
on the other folds and the tuned weights are scored on the held-out fold next to lead on the same
articles; per-fold rows, then mean and spread of the differences. An extractive oracle (greedy
best subset under the same budget, scored against the references it was chosen for) gives the
ceiling of this sentence segmentation, and a leave-one-annotator-out ceiling shows how far human
agreement itself goes: each reference is scored against a summary picked from what the other four
annotators of the same article chose (the best any predictor of "what annotators pick" can hope
for on unseen articles).

Run from the repository root:  .venv/bin/python bench/summaries.py [--quick] [--folds K --repeats R]
Other articles in the same layout (index.jsonl, articles/, references/):  --easc DIR
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

from digest.language import split_sentences, tokenize  # noqa: E402
from digest.language import summary as S  # noqa: E402  (its internals: the weights and features)

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


def require_easc(easc: Path, hint: str = "; give one with --easc DIR") -> None:
    """Stop with one clear line when the corpus is not there (a clone has no ../shared)."""
    if not (easc / "index.jsonl").is_file():
        sys.exit(f"error: no EASC corpus at {easc} (index.jsonl, articles/, references/): the default is "
                 f"../shared/easc beside the repository, which a clone does not have{hint}")


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


def fill_in_order(doc: Doc, order: list[int]) -> list[int]:
    """Sentences in the given order, each taken if it still fits the word budget; document order out."""
    chosen, used = [], 0
    for i in order:
        n = len(doc.sentences[i].split())
        if chosen and used + n > doc.budget:
            continue
        chosen.append(i)
        used += n
    return sorted(chosen)


def random_pick(doc: Doc, seed: int) -> list[int]:
    order = list(range(len(doc.sentences)))
    random.Random(f"{doc.id}-{seed}").shuffle(order)
    return fill_in_order(doc, order)


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


# --- fast scoring for tuning: cached features, sentence tokens and reference n-grams ---------------

_CACHE: dict[str, tuple] = {}


def _cached(doc: Doc) -> tuple:
    if doc.id not in _CACHE:
        feats = S.sentence_features(list(doc.sentences), doc.title)
        toks = [tokenize(s) for s in doc.sentences]  # tokens never span a space: concat == tokenize(join)
        refs = [(_ngrams(r, 1), _ngrams(r, 2), len(r), max(len(r) - 1, 0)) for r in doc.refs]
        _CACHE[doc.id] = (feats, toks, refs, S.boilerplate_indices(list(doc.sentences)))
    return _CACHE[doc.id]


def ours_cached(doc: Doc, weights: S.Weights) -> list[int]:
    """Same picks as ours(doc, weights), reusing the article's features across weight settings."""
    feats, _, _, skip = _cached(doc)
    return S.select(list(doc.sentences), S.combine(feats, weights), words_budget=doc.budget,
                    vectors=list(feats.vectors), redundancy=weights.redundancy, skip=skip)


def r12(doc: Doc, picked: list[int]) -> tuple[float, float]:
    """Mean over references of ROUGE-1 and ROUGE-2 F1 (same numbers as scores()[:2])."""
    _, toks, refs, _ = _cached(doc)
    cand = [t for i in picked for t in toks[i]]
    c1, c2 = _ngrams(cand, 1), _ngrams(cand, 2)
    n1, n2 = len(cand), max(len(cand) - 1, 0)
    rows = [(_f1(sum((c1 & a).values()), n1, l1), _f1(sum((c2 & b).values()), n2, l2)) for a, b, l1, l2 in refs]
    return sum(r[0] for r in rows) / len(rows), sum(r[1] for r in rows) / len(rows)


def score_fast(docs: list[Doc], pick) -> tuple[float, ...]:
    return mean_rows([r12(d, pick(d)) for d in docs])


def _greedy_oracle(doc: Doc, start: list[int]) -> list[int]:
    lengths = [len(s.split()) for s in doc.sentences]
    chosen = list(start)
    best_total = sum(r12(doc, sorted(chosen))) if chosen else 0.0
    while True:
        used = sum(lengths[j] for j in chosen)
        cands = [i for i in range(len(lengths)) if i not in chosen and (not chosen or used + lengths[i] <= doc.budget)]
        scored = [(sum(r12(doc, sorted(chosen + [i]))), i) for i in cands]
        if not scored or max(scored)[0] <= best_total:
            return sorted(chosen)
        best_total, i = max(scored)
        chosen.append(i)


def _in_reference(sentence_tokens: list[str], ref_bigrams: set) -> bool:
    """A reference contains an article sentence when most bigrams of the sentence's first 20
    tokens occur in it: tolerant of the references' 255-character cut and of words they glue
    across hard line breaks (98% of reference tokens are covered by sentences matched this way)."""
    head = sentence_tokens[:20]
    pairs = list(zip(head, head[1:]))
    return bool(pairs) and sum(p in ref_bigrams for p in pairs) / len(pairs) >= 0.6


CONSENSUS_POSITION_WEIGHTS = (0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 8.0, 16.0)


def annotator_ceiling(docs: list[Doc], voters: int = 4, lcs: bool = True) -> tuple[tuple[float, ...], float]:
    """Leave one annotator out: for each reference, pick sentences by how many of `voters` other
    annotators chose them (every such group of the other four, votes scaled to four voters), plus
    w / (1 + position) to break ties and fill the budget, and score that summary against the left-out
    reference only. The best w of a small grid is reported, so this is an optimistic reference
    point for a system that predicts annotators from the article."""
    picked_by = {}  # article id -> per reference, the article sentences it contains
    for d in docs:
        toks = _cached(d)[1]
        bigram_sets = [set(zip(r, r[1:])) for r in d.refs]
        picked_by[d.id] = [{i for i, t in enumerate(toks) if _in_reference(t, b)} for b in bigram_sets]
    best: tuple[tuple[float, ...], float] | None = None
    for w in CONSENSUS_POSITION_WEIGHTS:
        rows = []
        for d in docs:
            toks = _cached(d)[1]
            for j, ref in enumerate(d.refs):
                others = [k for k in range(len(d.refs)) if k != j]
                for group in itertools.combinations(others, voters):
                    votes = [sum(i in picked_by[d.id][k] for k in group) * 4 / voters for i in range(len(toks))]
                    score = [v + w / (1 + i) for i, v in enumerate(votes)]
                    picks = fill_in_order(d, sorted(range(len(toks)), key=lambda i: -score[i]))
                    cand = [t for i in picks for t in toks[i]]
                    rows.append(scores(cand, [ref]) if lcs else (rouge_n(cand, ref, 1), rouge_n(cand, ref, 2)))
        r = mean_rows(rows)
        if best is None or r[0] + r[1] > best[0][0] + best[0][1]:
            best = (r, w)
    assert best is not None
    return best


def oracle(doc: Doc) -> list[int]:
    """Extractive oracle: greedily add the sentence that most raises mean R-1 + R-2 against this
    article's references while the budget holds, from nothing and from the lead; the better of
    the two. A ceiling for this segmentation and budget (approximate: greedy), not a system."""
    return max((_greedy_oracle(doc, []), _greedy_oracle(doc, lead(doc))), key=lambda p: sum(r12(doc, p)))


# --- cross-validation --------------------------------------------------------------------------

GRID = {
    "centrality": (0.0, 0.25, 0.5, 1.0),
    "headline": (0.0, 0.25, 0.5),
    "redundancy": (0.0, 0.3),
    "long_words": (0, 45, 60),
}


def kfold(docs: list[Doc], k: int, seed: int) -> list[list[Doc]]:
    """k folds stratified by topic: each topic's articles are shuffled (fixed seed) and dealt
    round-robin, continuing across topics, so every fold gets a similar topic mix."""
    by_topic: dict[str, list[Doc]] = {}
    for d in sorted(docs, key=lambda d: d.id):
        by_topic.setdefault(d.topic, []).append(d)
    rng = random.Random(seed)
    out: list[list[Doc]] = [[] for _ in range(k)]
    j = 0
    for topic in sorted(by_topic):
        group = by_topic[topic][:]
        rng.shuffle(group)
        for d in group:
            out[j % k].append(d)
            j += 1
    return out


def tune(docs: list[Doc]) -> tuple[S.Weights, tuple[float, ...]]:
    """The grid setting with the best mean R-1 + R-2 on `docs` (ties: first in grid order)."""
    best = None
    for values in itertools.product(*GRID.values()):
        w = replace(S.WEIGHTS, **dict(zip(GRID, values)))
        r = score_fast(docs, lambda d: ours_cached(d, w))
        if best is None or r[0] + r[1] > best[1][0] + best[1][1]:
            best = (w, r)
    assert best is not None
    return best


def cross_validate(docs: list[Doc], k: int, repeats: int) -> list[dict]:
    rows = []
    for rep in range(repeats):
        parts = kfold(docs, k, seed=rep)
        for f, test in enumerate(parts):
            train = [d for j, p in enumerate(parts) if j != f for d in p]
            w, _ = tune(train)
            rows.append({"repeat": rep, "fold": f, "n": len(test), "weights": w,
                         "ours": score_fast(test, lambda d: ours_cached(d, w)),
                         "lead": score_fast(test, lead),
                         "shipped": score_fast(test, lambda d: ours_cached(d, S.WEIGHTS))})
    return rows


def fmt(name: str, r, extra: str = "") -> str:
    return f"| {name:<42} | {r[0]:.3f} | {r[1]:.3f} | {r[2]:.3f} | {extra:>14} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip the cross-validation grid search")
    ap.add_argument("--folds", type=int, default=5, help="folds for cross-validation (default 5)")
    ap.add_argument("--repeats", type=int, default=2, help="repetitions with reshuffled folds (default 2)")
    ap.add_argument("--easc", type=Path, default=EASC, metavar="DIR",
                    help="folder with index.jsonl, articles/ and references/ (default ../shared/easc, "
                         "the development split, which sits beside the repository on the development machine "
                         "and is not in a clone; tests/fixtures/easc holds nine of its articles)")
    args = ap.parse_args()
    require_easc(args.easc)
    docs = load(args.easc)
    print(f"EASC articles from {args.easc}: {len(docs)} articles, "
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
    r_orc = score_system(docs, oracle)
    r_cons, w_cons = annotator_ceiling(docs)
    print(fmt("this summarizer (shipped weights)", r_ours, f"{1000 * t_ours / len(docs):.2f}"))
    print(fmt("lead baseline", r_lead))
    print(fmt("random baseline (mean of 5 seeds)", r_rand))
    print(fmt("human: each reference vs other four", h_avg))
    print(fmt("human: best reference vs other four", h_best))
    print(fmt("ceiling: other four annotators' picks", r_cons, f"w = {w_cons}"))
    print(fmt("extractive oracle (greedy, sees the refs)", r_orc))
    print(f"\nsummarizer minus lead: R-1 {r_ours[0] - r_lead[0]:+.3f}, R-2 {r_ours[1] - r_lead[1]:+.3f}, "
          f"R-L {r_ours[2] - r_lead[2]:+.3f}")
    print(f"annotator ceiling minus lead: R-1 {r_cons[0] - r_lead[0]:+.3f}, R-2 {r_cons[1] - r_lead[1]:+.3f} "
          f"(each reference scored against the picks of the other four, so it compares with every row above)")
    curve = [annotator_ceiling(docs, voters=v, lcs=False)[0] for v in (1, 2, 3)] + [r_cons]
    print("the same ceiling from 1 / 2 / 3 / 4 other annotators, minus lead: R-1 "
          + " / ".join(f"{c[0] - r_lead[0]:+.3f}" for c in curve) + ", R-2 "
          + " / ".join(f"{c[1] - r_lead[1]:+.3f}" for c in curve))
    print(f"shipped weights: {S.WEIGHTS}")
    if args.quick:
        return
    rows = cross_validate(docs, args.folds, args.repeats)
    print(f"\n{args.folds}-fold cross-validation x {args.repeats} repeats (folds stratified by topic; the "
          f"{len(list(itertools.product(*GRID.values())))}-setting grid tuned on the other folds, scored on the "
          f"held-out fold; R-1 / R-2 F1):\n")
    print("| rep | fold |  n | tuned weights (cen, head, red, long) | ours R-1 | ours R-2 | lead R-1 | lead R-2 "
          "| diff R-1 | diff R-2 |")
    print("|-----|------|----|--------------------------------------|----------|----------|----------|----------"
          "|----------|----------|")
    for r in rows:
        w = r["weights"]
        ws = f"{w.centrality}, {w.headline}, {w.redundancy}, {w.long_words}"
        o, ld = r["ours"], r["lead"]
        print(f"| {r['repeat']:>3} | {r['fold']:>4} | {r['n']:>2} | {ws:<36} | {o[0]:8.3f} | {o[1]:8.3f} | "
              f"{ld[0]:8.3f} | {ld[1]:8.3f} | {o[0] - ld[0]:+8.3f} | {o[1] - ld[1]:+8.3f} |")

    def summary(key: str) -> str:
        d1 = [r[key][0] - r["lead"][0] for r in rows]
        d2 = [r[key][1] - r["lead"][1] for r in rows]
        return (f"R-1 {statistics.mean(d1):+.3f} (sd {statistics.stdev(d1):.3f}, min {min(d1):+.3f}), "
                f"R-2 {statistics.mean(d2):+.3f} (sd {statistics.stdev(d2):.3f}, min {min(d2):+.3f})")

    print(f"\nheld-out difference to lead, mean over {len(rows)} folds: {summary('ours')}")
    print(f"(shipped weights on the same folds, not out of sample: {summary('shipped')})")
    print(f"mean held-out scores: ours R-1 {statistics.mean(r['ours'][0] for r in rows):.3f} / R-2 "
          f"{statistics.mean(r['ours'][1] for r in rows):.3f}; lead R-1 "
          f"{statistics.mean(r['lead'][0] for r in rows):.3f} / R-2 {statistics.mean(r['lead'][1] for r in rows):.3f}")


if __name__ == "__main__":
    main()

"""Extractive summaries: budgets, verbatim sentences in document order, wire corpus, EASC sanity."""
from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from digest.language.arabic import split_sentences
from digest.model import Article, Summary
from digest.language.summary import DEFAULT_WORDS, summarize, word_count

from conftest import FIXTURES, ROOT, WIRE

EASC = FIXTURES / "easc"  # nine EASC articles with their five reference summaries each (see its NOTICE)

BODY = [
    "أعلنت وزارة الصحة اليوم إطلاق حملة وطنية للتطعيم ضد الإنفلونزا في جميع مناطق المملكة.",
    "وقال المتحدث الرسمي للوزارة إن الحملة تستهدف أكثر من مليوني شخص خلال شهرين. وأضاف أن اللقاح مجاني.",
    "وتشمل الحملة كبار السن والأطفال والمصابين بالأمراض المزمنة والعاملين في القطاع الصحي.",
    "وكانت الوزارة قد نفذت حملة مماثلة العام الماضي شملت مليون شخص. وأشادت منظمة الصحة العالمية بالحملة.",
    "ودعت الوزارة المواطنين إلى زيارة أقرب مركز صحي للحصول على اللقاح.",
]


def make_article(paragraphs: list[str], headline: str = "حملة وطنية للتطعيم ضد الإنفلونزا", **kw) -> Article:
    return Article(
        slug="t", source_path="t.txt", headline=headline,
        paragraphs=tuple(tuple(split_sentences(p)) for p in paragraphs),
        published=dt.datetime(2015, 8, 10, tzinfo=dt.timezone.utc), date_source="front-matter", **kw,
    )


def check_summary(article: Article, summary: Summary) -> None:
    """Picks are valid, unique, in document order, and the text is those sentences verbatim."""
    assert summary.picks, "at least one sentence"
    assert list(summary.picks) == sorted(set(summary.picks))
    sentences = [article.paragraphs[p][s] for p, s in summary.picks]
    assert summary.text == " ".join(sentences)


@pytest.mark.parametrize("words", [1, 10, 25, 40, 60, 1000])
def test_word_budget_is_never_exceeded_except_for_one_sentence(words):
    article = make_article(BODY)
    summary = summarize(article, words=words)
    check_summary(article, summary)
    if len(summary.picks) > 1:
        assert word_count(summary.text) <= words
    else:
        assert len(summary.picks) == 1
    if words >= sum(word_count(p) for p in BODY):
        assert len(summary.picks) == len(article.sentences)  # everything fits: take everything


@pytest.mark.parametrize("n", [1, 2, 3, 50])
def test_sentence_budget(n):
    article = make_article(BODY)
    summary = summarize(article, sentences=n)
    check_summary(article, summary)
    assert len(summary.picks) == min(n, len(article.sentences))


def test_default_budget_and_lead_preference():
    article = make_article(BODY)
    summary = summarize(article)
    check_summary(article, summary)
    assert len(summary.picks) == 1 or word_count(summary.text) <= DEFAULT_WORDS
    assert summary.picks[0] == (0, 0)  # the lead of a news story is kept


def test_redundant_sentence_is_not_picked_twice():
    lead = "افتتح أمير المنطقة مستشفى الملك فهد الجديد في جدة بسعة خمسمئة سرير."
    body = [lead, "افتتح أمير المنطقة مستشفى الملك فهد الجديد في جدة بسعة خمسمئة سرير اليوم.",
            "ويضم المستشفى أقساما للطوارئ والجراحة وطب الأطفال.", "وتبلغ تكلفة المشروع مليار ريال."]
    summary = summarize(make_article(body, headline="افتتاح مستشفى في جدة"), sentences=2)
    assert summary.picks[0] == (0, 0)
    assert (1, 0) not in summary.picks


def test_override_and_empty_article():
    article = make_article(BODY, summary_override="ملخص من المحرر.")
    assert summarize(article) == Summary(picks=(), text="ملخص من المحرر.")
    assert summarize(make_article([])) == Summary(picks=(), text="")


def test_markdown_summary_is_prose_sentences_shown_as_plain_text():
    """Headings and list items are not summary sentences while there is prose; the picked sentences are shown
    without their Markdown syntax (a summary is plain text in teasers, feeds and meta descriptions)."""
    blocks = ["## حملة **وطنية** للتطعيم", "- أعلنت وزارة الصحة إطلاق حملة للتطعيم في كل المناطق.",
              "أعلنت [وزارة الصحة](https://moh.gov.sa) اليوم إطلاق حملة وطنية للتطعيم.",
              "وقال المتحدث إن *الحملة* تستهدف مليوني شخص."]
    article = make_article(blocks, is_markdown=True)
    summary = summarize(article, sentences=3)
    assert summary.picks == ((2, 0), (3, 0))
    assert summary.text == "أعلنت وزارة الصحة اليوم إطلاق حملة وطنية للتطعيم. وقال المتحدث إن الحملة تستهدف مليوني شخص."
    only_a_list = make_article(["- بند أول في قائمة طويلة من البنود.", "- بند ثان في القائمة نفسها."], is_markdown=True)
    summary = summarize(only_a_list, sentences=1)
    assert summary.picks == ((0, 0),) and summary.text == "بند أول في قائمة طويلة من البنود."


_MARKER = re.compile(r"//\s*(?:انتهى|يتبع)\s*//|/انتهى/")
_DATELINE = re.compile(r"\d{1,2}\s+\S+\s+\d{4}\s*هـ\s+الموافق")
_TIME_LINE = re.compile(r"^\d{1,2}:\d{2}\s*ت\s*م$")
_END = re.compile(r"[.!?؟…][\"'»”’)\]]*$")


def test_wire_fixture_summaries_are_clean_sentences():
    """Over the wire fixtures (read by the project's loader): summary sentences are article
    sentences, in order, with no dateline, marker or time line, and none starts mid-clause: each
    picked sentence is a paragraph start or follows a sentence that ended with a stop."""
    from digest.read import read_wire
    from digest.read.decode import decode_text

    files = sorted(WIRE.glob("*.txt"))
    assert len(files) >= 11
    for path in files:
        fields = read_wire(decode_text(path.read_bytes()))
        article = make_article([], headline=fields["headline"])
        article = Article(**{**article.__dict__, "paragraphs": fields["paragraphs"]})
        for budget in ({}, {"sentences": 2}):
            summary = summarize(article, **budget)
            check_summary(article, summary)
            for p, s in summary.picks:
                sentence = article.paragraphs[p][s]
                assert not _MARKER.search(sentence) and not _DATELINE.search(sentence), (path.name, sentence)
                assert not _TIME_LINE.match(sentence)
                if s:  # not a paragraph start: must follow a finished sentence, start cleanly
                    assert _END.search(article.paragraphs[p][s - 1]), (path.name, sentence)
                    assert sentence[0] not in "،؛,;:.)»”", (path.name, sentence)
                assert len(sentence.split()) >= 4, (path.name, sentence)  # no "...المزيد" leftovers


def _bench():
    spec = importlib.util.spec_from_file_location("bench_summaries", ROOT / "bench" / "summaries.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_easc_sanity_summarizer_beats_random_and_stays_in_budget():
    """On a spread of EASC articles the summarizer scores above the random-sentence baseline
    (mean ROUGE-1 and ROUGE-2 against the five references) and keeps to the budget."""
    bench = _bench()
    docs = bench.load(EASC)
    assert len(docs) == 9
    ours = bench.score_system(docs, bench.ours, lcs=False)
    rand = bench.mean_rows([bench.score_system(docs, lambda d, s=s: bench.random_pick(d, s), lcs=False)
                            for s in range(3)])
    assert ours[0] > rand[0] and ours[1] > rand[1]
    for d in docs:
        picked = bench.ours(d)
        assert picked == sorted(picked)
        assert len(picked) == 1 or sum(len(d.sentences[i].split()) for i in picked) <= d.budget


def test_rouge_implementation():
    bench = _bench()
    a = ["ذهب", "الولد", "الي", "المدرسه"]
    assert bench.rouge_n(a, a, 1) == bench.rouge_n(a, a, 2) == bench.rouge_l(a, a) == 1.0
    assert bench.rouge_n(a, ["شيء", "اخر"], 1) == 0.0
    b = ["ذهب", "الولد", "الي", "البيت"]
    assert bench.rouge_n(a, b, 1) == pytest.approx(0.75)
    assert bench.rouge_n(a, b, 2) == pytest.approx(2 / 3)
    assert bench.rouge_l(["ا", "ب", "ج", "د"], ["ا", "ج", "د"]) == pytest.approx(2 * 1 * 0.75 / 1.75)


def test_bench_fast_path_matches_the_plain_one_and_folds_partition():
    """The cached scorer used for tuning and cross-validation picks and scores exactly like the
    plain path; k-fold splits are a partition with every topic spread over the folds."""
    bench = _bench()
    docs = bench.load(EASC)
    for d in docs[::3]:
        for w in (bench.S.WEIGHTS, bench.replace(bench.S.WEIGHTS, centrality=0.0, redundancy=0.0, long_words=45)):
            picked = bench.ours(d, w)
            assert bench.ours_cached(d, w) == picked
            cand = bench.tokenize(" ".join(d.sentences[i] for i in picked))
            assert bench.r12(d, picked) == pytest.approx(bench.scores(cand, d.refs)[:2])
    # Folds over an index of 36 articles in four topics (the split depends on ids and topics only).
    docs = [bench.Doc(f"{topic}_{i:02d}", topic, "", (), (), 1) for topic, count in
            (("art", 12), ("health", 9), ("politics", 10), ("sport", 5)) for i in range(count)]
    parts = bench.kfold(docs, 5, seed=0)
    assert sorted(d.id for p in parts for d in p) == sorted(d.id for d in docs)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert [d.id for d in bench.kfold(docs, 5, seed=1)[0]] != [d.id for d in parts[0]]
    topics = {d.topic for d in docs}
    big = [t for t in topics if sum(d.topic == t for d in docs) >= 5]
    assert all(any(d.topic == t for d in p) for t in big for p in parts)


def test_oracle_is_a_ceiling_for_lead_and_respects_the_budget():
    bench = _bench()
    for d in bench.load(EASC)[::2]:
        picked = bench.oracle(d)
        assert picked == sorted(set(picked))
        assert len(picked) == 1 or sum(len(d.sentences[i].split()) for i in picked) <= d.budget
        assert sum(bench.r12(d, picked)) >= sum(bench.r12(d, bench.lead(d))) - 1e-9


def test_bench_reads_another_easc_folder_and_the_annotator_ceiling_follows_the_annotators(tmp_path):
    """--easc DIR: the same layout elsewhere (the unseen EASC articles) loads; when every annotator
    chose the second and third sentences, the leave-one-annotator-out picks are exactly those,
    score 1.0 against each left-out reference, and beat lead (which takes only the first sentence)."""
    bench = _bench()
    sentences = ["افتتح المعرض الدولي للكتاب في العاصمة صباح اليوم بحضور عدد كبير من الزوار.",
                 "يشارك في المعرض اكثر من خمسمائة دار نشر من ثلاثين دولة عربية واجنبية.",
                 "ويضم المعرض جناحا خاصا لكتب الاطفال وورشا للرسم والقراءة طوال ايامه.",
                 "ويستمر المعرض عشرة ايام ويفتح ابوابه من العاشرة صباحا حتى العاشرة مساء."]
    (tmp_path / "articles").mkdir()
    (tmp_path / "references").mkdir()
    (tmp_path / "articles" / "books_01.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    refs = []
    for letter in "ABCDE":
        ref = tmp_path / "references" / f"books_01.{letter}.txt"
        ref.write_text(" ".join(sentences[1:3]), encoding="utf-8")
        refs.append(f"references/{ref.name}")
    (tmp_path / "index.jsonl").write_text(
        '{"id": "books_01", "topic": "culture", "article": "articles/books_01.txt", "references": '
        + str(refs).replace("'", '"') + "}\n", encoding="utf-8")
    docs = bench.load(tmp_path)
    assert [d.id for d in docs] == ["books_01"] and len(docs[0].sentences) == 4
    ceiling, _ = bench.annotator_ceiling(docs)
    assert ceiling == pytest.approx((1.0, 1.0, 1.0))
    assert bench.lead(docs[0]) == [0]  # the first sentence and the next one overrun the budget
    assert bench.score_system(docs, bench.lead)[0] < 0.6

"""The real deep-translator LibreTranslator against a LibreTranslate-compatible server on 127.0.0.1."""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from digest.translate import TranslatorConfig, translate_segments
from digest.translate.requestplan import LIMITS
from fake_libretranslate import FakeLibreTranslate, error_page, fake_english, json_answer


def sentences(n: int, tag: str = "") -> list[str]:
    return [f"قال المتحدث باسم الوزارة إن الاجتماع رقم {i}{tag} سيعقد في الرياض يوم الأحد." for i in range(n)]


@pytest.fixture
def config(tmp_path):
    def make(url: str, **kw) -> TranslatorConfig:
        base = dict(backend="libre", url=url, memory_dir=str(tmp_path / "memory"), timeout=2.0,
                    backoff=0.01, max_backoff=0.05)
        base.update(kw)
        return TranslatorConfig(**base)
    return make


def memory_text(config: TranslatorConfig) -> str:
    folder = Path(config.memory_dir)
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.jsonl")))


def test_every_segment_sent_and_answer_used_exactly(config):
    segs = sentences(12)
    with FakeLibreTranslate() as server:
        result, report = translate_segments(segs, config(server.url))
    assert result == {s: fake_english(s) for s in segs}
    # One request, one segment a line, each exactly once, in document order.
    assert server.texts == ["\n".join(segs)]
    assert report.requests == 1 and report.chars_sent == sum(map(len, segs)) + 11
    assert report.translated == 12 and not report.pending and not report.backend_down
    first = server.requests[0]
    assert first["source"] == "ar" and first["target"] == "en" and first["format"] == "text"
    assert first["api_key"]  # deep-translator insists on a key: a placeholder is sent


def test_second_run_zero_requests_and_one_edit_one_request(config):
    segs = sentences(10)
    with FakeLibreTranslate() as server:
        cfg = config(server.url)
        translate_segments(segs, cfg)
        before = len(server.requests)
        result, report = translate_segments(segs, cfg)
        assert len(server.requests) == before and report.requests == 0
        assert report.memory_hits == 10 and result.from_memory == frozenset(segs)
        edited = segs[:3] + [segs[3].replace("الأحد", "الاثنين")] + segs[4:]
        result, report = translate_segments(edited, cfg)
        assert server.texts[before:] == [edited[3]]
        assert report.requests == 1 and report.memory_hits == 9
        assert result[edited[3]] == fake_english(edited[3])


def test_memory_files_are_sorted_json_lines(config):
    segs = sentences(30)
    with FakeLibreTranslate() as server:
        cfg = config(server.url)
        translate_segments(segs, cfg)
    files = sorted(Path(cfg.memory_dir, "libre", "ar-en").glob("*.jsonl"))
    assert files
    seen = set()
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        keys = [json.loads(line)["key"] for line in lines]
        assert keys == sorted(keys) and all(k.startswith(path.stem) for k in keys)
        for line in lines:
            entry = json.loads(line)
            assert list(entry) == sorted(entry)
            assert entry["translation"] == fake_english(entry["source"])
            seen.add(entry["source"])
    assert seen == set(segs)


def test_429_twice_per_text_still_completes(config):
    def limited(server, q, nth):
        return json_answer("slow down", 429) if nth < 2 else None
    segs = sentences(8)
    with FakeLibreTranslate(limited) as server:
        result, report = translate_segments(segs, config(server.url))
    assert result == {s: fake_english(s) for s in segs}
    assert report.requests == 3 and report.retries == 2 and not report.pending and not report.backend_down


def test_500_always_opens_breaker_and_bounds_requests(config):
    segs = sentences(200)
    with FakeLibreTranslate(lambda s, q, n: error_page(500)) as server:
        cfg = config(server.url, retries=2, breaker_failures=4, concurrency=4)
        result, report = translate_segments(segs, cfg)
    assert not result and report.pending == set(segs)
    assert report.backend_down and "failed" in report.breaker_reason
    # Texts waiting for a retry are bounded (4 x concurrency), so the breaker trips after a few dozen requests
    # rather than after one per text (200 texts x 3 attempts).
    assert len(server.requests) <= (4 * cfg.concurrency + cfg.concurrency + 4) * 3 < 200
    assert memory_text(cfg) == ""


def test_timeouts_are_retried_then_breaker(config):
    segs = sentences(50)
    with FakeLibreTranslate(lambda s, q, n: "sleep", sleep=1.0) as server:
        cfg = config(server.url, timeout=0.2, retries=1)
        started = time.monotonic()
        result, report = translate_segments(segs, cfg)
        elapsed = time.monotonic() - started
    assert not result and report.backend_down and "timeout" in report.breaker_reason
    assert elapsed < 3
    assert len(server.requests) < 12


def test_timeout_then_success(config):
    with FakeLibreTranslate(lambda s, q, n: "sleep" if n == 0 else None, sleep=0.6) as server:
        segs = sentences(2)
        result, report = translate_segments(segs, config(server.url, timeout=0.2, concurrency=1,
                                                         breaker_unreachable=5))
    assert result == {s: fake_english(s) for s in segs} and report.retries == 1 and report.requests == 2


@pytest.mark.parametrize("garbage", [
    lambda q: error_page(200),
    lambda q: json_answer(q),  # the Arabic echoed back
    lambda q: json_answer("ترجمة " + q[:20] + " hi"),  # still mostly Arabic
    lambda q: json_answer(""),
    lambda q: json_answer("Error: 503 service unavailable"),
])
def test_garbage_never_returned_nor_cached(config, garbage):
    segs = sentences(3)
    with FakeLibreTranslate(lambda s, q, n: garbage(q)) as server:
        cfg = config(server.url)
        result, report = translate_segments(segs, cfg)
    assert not result and report.pending == set(segs)
    assert report.rejected + report.failures >= 3
    assert memory_text(cfg) == ""


def test_garbage_for_some_segments_only(config):
    segs = sentences(6)
    bad = set(segs[::2])

    def echo_bad(server, q, n):  # the bad lines come back untranslated, the others translated
        return json_answer("\n".join(line if line in bad else fake_english(line) for line in q.split("\n")))
    with FakeLibreTranslate(echo_bad) as server:
        cfg = config(server.url)
        result, report = translate_segments(segs, cfg)
    assert set(result) == set(segs) - bad and report.pending == bad and report.rejected == 3
    # The batch, then each rejected line once more on its own (a batch's context may have caused it), then pending.
    assert server.texts[0] == "\n".join(segs) and sorted(server.texts[1:]) == sorted(bad)
    assert not report.backend_down and bad.isdisjoint(memory_text(cfg).splitlines())


def test_server_dies_mid_run_keeps_partial_results(config, tmp_path):
    segs = sentences(400)  # about a dozen batches
    answered = []

    def dying(server, q, nth):
        if len(server.requests) > 3:
            return "die"
        answered.extend(q.split("\n"))
        return None

    with FakeLibreTranslate(dying) as server:
        cfg = config(server.url, concurrency=2)
        started = time.monotonic()
        result, report = translate_segments(segs, cfg)
        assert time.monotonic() - started < 5
    assert report.backend_down and report.pending
    assert set(result) == set(answered) and 0 < len(result) < 400
    # The next run, with the server back, asks only for what is missing.
    with FakeLibreTranslate() as server2:
        result2, report2 = translate_segments(segs, replace(cfg, url=server2.url))
    assert sorted(server2.lines) == sorted(set(segs) - set(answered))
    assert result2 == {s: fake_english(s) for s in segs} and report2.memory_hits == len(answered)


def test_interrupted_run_keeps_what_was_translated(config):
    segs = sentences(300)  # several batches
    calls = []

    def progress(done, total):
        calls.append(done)
        if done >= 5:
            raise KeyboardInterrupt

    with FakeLibreTranslate() as server:
        cfg = config(server.url, concurrency=1)
        with pytest.raises(KeyboardInterrupt):
            translate_segments(segs, cfg, progress=progress)
        asked = set(server.lines)
        _, report = translate_segments(segs, replace(cfg, backend="none"))
    assert 5 <= len(segs) - len(report.pending) < 300
    assert set(segs) - report.pending <= asked


def test_server_down_is_fast_for_150_articles(config):
    segs = sentences(3000)
    cfg = config("http://127.0.0.1:9/")  # nothing listens on the discard port
    started = time.monotonic()
    result, report = translate_segments(segs, cfg)
    elapsed = time.monotonic() - started
    assert elapsed < 5
    assert not result and len(report.pending) == 3000 and report.backend_down
    assert report.requests <= cfg.breaker_unreachable + cfg.concurrency
    assert not Path(cfg.memory_dir).exists() or memory_text(cfg) == ""


def test_giant_sentence_is_split_and_reassembled(config):
    words = [f"كلمة{i}" for i in range(3000)]
    giant = " ".join(words)  # one "sentence" of about 24,000 characters, no punctuation
    assert len(giant) > 20000
    with FakeLibreTranslate() as server:
        result, report = translate_segments([giant], config(server.url, concurrency=1))
    assert max(len(t) for t in server.texts) <= LIMITS["libre"] < 5000
    assert " ".join(server.texts) == giant  # cut only at spaces, nothing lost, in order
    assert result[giant] == " ".join(fake_english(t) for t in server.texts)
    assert len(server.texts) == report.requests >= 5


def test_dry_run_sends_nothing(config):
    segs = sentences(5) + ["2015"]
    with FakeLibreTranslate() as server:
        cfg = config(server.url)
        translate_segments(segs[:2], cfg)
        before = len(server.requests)
        result, report = translate_segments(segs, cfg, dry_run=True)
        assert len(server.requests) == before
    assert report.would_send == ["\n".join(segs[2:5])] and report.chars_to_send == sum(map(len, segs[2:5])) + 2
    assert report.requests == 0 and result["2015"] == "2015" and set(result) == set(segs[:2]) | {"2015"}


def test_missing_url_is_reported_not_raised(tmp_path):
    cfg = TranslatorConfig(backend="libre", url=None, memory_dir=str(tmp_path))
    result, report = translate_segments(sentences(3), cfg)
    assert report.backend_down and "translator-url" in report.breaker_reason and report.requests == 0


def test_url_forms_accepted(config):
    with FakeLibreTranslate() as server:
        for url in (server.url.rstrip("/"), server.url + "translate"):
            result, report = translate_segments(sentences(1, url[-3:]), config(url))
            assert len(result) == 1, url

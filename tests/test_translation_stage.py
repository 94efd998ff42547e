"""Translation is a stage with its own state: a pending article is an ordinary cached record, builds leave an
unreachable translator alone for a while, answers arriving rebuild only the pages they complete, human
translation files are parsed once, and serve never waits on the translator."""
from __future__ import annotations

import shutil
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from digest.build import reading as reading_module
from digest.translate import stage
from digest.build.pipeline import build
from fake_libretranslate import FakeLibreTranslate

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Two short wire items written for these tests (no English anywhere: their English is pending until translated).
ITEMS = {
    "book-fair.txt": "عام / افتتاح معرض الكتاب في المدينة\nالمدينة 10 أغسطس 2015 م واس\n"
                     "افتتح وزير الثقافة اليوم معرض الكتاب الدولي في دورته الجديدة. "
                     "ويشارك في المعرض أكثر من خمسمائة دار نشر من ثلاثين دولة.\n"
                     "ويستمر المعرض عشرة أيام ويفتح أبوابه للزوار من الصباح حتى المساء.\n// انتهى //\n",
    "rain.txt": "عام / أمطار غزيرة على المناطق الجنوبية\nالمدينة 11 أغسطس 2015 م واس\n"
                "توقعت هيئة الأرصاد هطول أمطار غزيرة على المناطق الجنوبية خلال الأيام المقبلة. "
                "ودعت الهيئة السكان إلى الحذر والابتعاد عن مجاري السيول.\n// انتهى //\n",
}


def _content(tmp_path: Path, human: bool = True) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for name, text in ITEMS.items():
        (content / name).write_text(text, encoding="utf-8")
    if human:  # an article with a human translation (CC BY-SA 4.0 NTREX fixture, see fixtures/ntrex/NOTICE)
        for path in sorted((FIXTURES / "ntrex").glob("ntrex-abcnews-306755.*")):
            shutil.copy(path, content / path.name)
    return content


def _libre(make_config, content: Path, url: str):
    config = make_config(content, translator="libre", translator_url=url)
    return replace(config, translator=replace(config.translator, timeout=0.3, retries=0))


def _build(config, **kwargs):
    lines: list[str] = []
    report = build(config, log=lines.append, **kwargs)
    return report, "\n".join(lines)


def _english_pages(config) -> set[str]:
    return {p.parent.name for p in (config.output_dir / "en").glob("*/index.html")} - {"search", "archive"}


def test_pending_articles_are_cached_and_an_unreachable_translator_is_left_alone(tmp_path, make_config, monkeypatch):
    content = _content(tmp_path)
    with FakeLibreTranslate(behaviour=lambda fake, q, nth: "sleep", sleep=1.0) as fake:  # no answer in time
        config = _libre(make_config, content, fake.url)
        first, _ = _build(config)
        assert first.published == 3 and first.pending_records >= 2
        assert {Path(p).stem for p in first.untranslated} == {"book-fair", "rain"}
        assert first.translation.backend_down
        asked = len(fake.requests)
        assert 1 <= asked <= config.translator.concurrency  # one failed connection stops the build's requests

        # Nothing changed and the translator was just found unreachable: nothing is read, nothing is asked.
        again, log = _build(config)
        assert "nothing to do" in log and len(fake.requests) == asked
        assert again.untranslated == first.untranslated and again.translator_note

        # An edit while it is still unreachable: one article made again, from the memory alone.
        (content / "rain.txt").write_text(ITEMS["rain.txt"].replace("الحذر", "الحيطة"), encoding="utf-8")
        edited, log = _build(config)
        assert "models: 1 articles" in log
        assert len(fake.requests) == asked and edited.untranslated == first.untranslated

        # Later (the retry time passed) the translator answers: only the pending segments are asked, and the
        # pages they complete are added.
        fake.behaviour = None
        later = time.time() + stage.RETRY_AFTER + 1
        monkeypatch.setattr(stage.time, "time", lambda: later)
        done, log = _build(config)
        assert not done.untranslated and done.pending_records == 0 and done.english == 3
        assert _english_pages(config) == {"book-fair", "rain", "ntrex-abcnews-306755"}
        texts = fake.texts[asked:]
        assert texts and all("ثقافة" not in t or "وزير" in t for t in texts)
        assert "incremental" in log  # a few pages added, not the whole site made again

        # Settled: the next build is a no-change build again, with nothing to ask.
        count = len(fake.requests)
        _, log = _build(config)
        assert "nothing to do" in log and len(fake.requests) == count


def test_new_answers_remake_only_the_records_that_use_them(tmp_path, make_config):
    content = _content(tmp_path, human=False)
    with FakeLibreTranslate() as fake:
        config = _libre(make_config, content, fake.url)
        online, _ = _build(config)
        assert online.english == 2 and not online.untranslated
    # Offline now, with a translation memory corrected by hand for one sentence of one article.
    offline = replace(config, translator=replace(config.translator, backend="none"))
    _build(offline)
    memory = Path(config.translator.memory_dir) / "libre" / "ar-en"
    target = "ويستمر المعرض عشرة أيام ويفتح أبوابه للزوار من الصباح حتى المساء."
    for shard in memory.glob("*.jsonl"):
        text = shard.read_text(encoding="utf-8")
        if target in text:
            import json

            lines = [json.loads(line) for line in text.splitlines()]
            for entry in lines:
                if entry["source"] == target:
                    entry["translation"] = "The fair runs for ten days, open to visitors from morning to evening."
            shard.write_text("".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in lines),
                             encoding="utf-8")
    report, log = _build(offline)
    assert "models: 1 articles" in log, log  # the book fair only; the rain article's record is kept
    page = (config.output_dir / "en" / "book-fair" / "index.html").read_text(encoding="utf-8")
    assert "open to visitors from morning to evening" in page
    assert report.english == 2


def test_human_translation_files_are_parsed_once(tmp_path, make_config, monkeypatch):
    content = _content(tmp_path)
    for stem in ("book-fair", "rain"):  # human translations for all three
        (content / f"{stem}.en.md").write_text(f"---\ntitle: The {stem} story\n---\nFirst paragraph of {stem}.\n\n"
                                               f"Second paragraph of {stem}.\n", encoding="utf-8")
    config = make_config(content)
    parsed: list[str] = []
    real = reading_module.load_human_translation

    def counting(path, *args, **kwargs):
        parsed.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(reading_module, "load_human_translation", counting)
    first, _ = _build(config)
    assert sorted(parsed) == ["book-fair.en.md", "ntrex-abcnews-306755.en.md", "rain.en.md"]
    assert first.english == 3 and first.human == 3

    parsed.clear()
    (content / "rain.txt").write_text(ITEMS["rain.txt"].replace("الحذر", "الحيطة"), encoding="utf-8")
    edited, _ = _build(config)
    assert parsed == [] and edited.english == 3  # an article edit reads no human translation file

    (content / "book-fair.en.md").write_text("---\ntitle: The fair opens\n---\nOne paragraph.\n", encoding="utf-8")
    _build(config)
    assert parsed == ["book-fair.en.md"]
    page = (config.output_dir / "en" / "book-fair" / "index.html").read_text(encoding="utf-8")
    assert "The fair opens" in page

    # A warning found while reading a human file is reported by every build, cached or not.
    (content / "rain.en.md").write_text("---\ntitle: Rain\ncolour: blue\n---\nRain falls.\n", encoding="utf-8")
    warned, _ = _build(config)
    (content / "rain.txt").write_text(ITEMS["rain.txt"], encoding="utf-8")
    again, _ = _build(config)
    for report in (warned, again):
        assert any(p.path == "rain.en.md" and "colour" in p.message for p in report.warnings)


def test_serve_publishes_arabic_at_once_and_adds_english_from_the_background(tmp_path, make_config):
    from digest.serve import watch_and_serve

    content = _content(tmp_path, human=False)
    gate = threading.Event()

    def behaviour(fake, q, nth):
        return None if gate.is_set() else "sleep"

    with FakeLibreTranslate(behaviour=behaviour, sleep=1.0) as fake:
        config = _libre(make_config, content, fake.url)
        stop, ready, logs = threading.Event(), [], []
        thread = threading.Thread(target=watch_and_serve, args=(lambda: config,),
                                  kwargs=dict(port=0, quiet=True, log=logs.append, ready=ready.append, stop=stop),
                                  daemon=True)
        started = time.monotonic()
        thread.start()
        try:
            assert _wait(lambda: bool(ready), 20)
            # The first build never waited on the translator (it sleeps a second per request).
            assert time.monotonic() - started < 15
            with urllib.request.urlopen(ready[0] + "ar/book-fair/", timeout=5) as response:
                assert response.status == 200
            assert _english_pages(config) == set()
            # The background run found no answer in time; once the translator answers, a later run (the retry
            # time passed, here: forgotten) brings the English and a rebuild adds the pages.
            assert _wait(lambda: any("not reached" in m for m in logs), 10)
            gate.set()
            (config.output_dir.parent / ".cache" / "digest" / "translator.json").unlink()
            (content / "rain.txt").write_text(ITEMS["rain.txt"].replace("الحذر", "الحيطة"), encoding="utf-8")
            assert _wait(lambda: _english_pages(config) == {"book-fair", "rain"}, 20), logs
            assert any("in the background" in m for m in logs)
        finally:
            stop.set()
            thread.join(10)


def _wait(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_translator_status_backs_off_after_no_answer_or_no_usable_answer(tmp_path):
    from digest.translate import TranslationReport, TranslatorConfig

    config = TranslatorConfig(backend="libre", url="http://127.0.0.1:9/")
    status = stage.load_status(tmp_path, config)
    assert status.may_request(config, now=1000.0)
    status.note(TranslationReport(requests=1, backend_down=True, breaker_reason="libre cannot be reached"), now=1000.0)
    again = stage.load_status(tmp_path, config)  # remembered across runs
    assert not again.may_request(config, now=1000.0 + stage.RETRY_AFTER - 1)
    assert again.may_request(config, now=1000.0 + stage.RETRY_AFTER)
    # Another translator (another URL) is not affected; `none` is never asked.
    assert stage.load_status(tmp_path, TranslatorConfig(backend="libre", url="http://127.0.0.1:10/")).may_request(
        TranslatorConfig(backend="libre", url="http://127.0.0.1:10/"), now=1000.0)
    assert not again.may_request(TranslatorConfig(backend="none"), now=10 ** 10)
    # Answers that were all rejected back off too; a run that translated something clears the status.
    again.note(TranslationReport(requests=3, pending={"a", "b"}, rejected=3), now=5000.0)
    assert not stage.load_status(tmp_path, config).may_request(config, now=5001.0)
    again.note(TranslationReport(requests=3, translated=2), now=5002.0)
    assert stage.load_status(tmp_path, config).may_request(config, now=5003.0)

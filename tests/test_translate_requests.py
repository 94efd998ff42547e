"""Only words go to the translator (placeholders for inline Markdown, URLs, e-mail addresses, codes; checked on
return), several segments per request up to each backend's budget, and what happens when an answer does not fit.
The real deep-translator code talks to a LibreTranslate-compatible server on 127.0.0.1 or to recorded answers."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.build.pipeline import build
from digest.translate.memory import TranslationMemory
from digest.translate.protect import for_request, inner_segments, placeholder_problem, protect, restore, unprotect
from digest.translate.requestplan import BATCH_CHARS, LIMITS, URL_BUDGET
from digest.translate import TranslatorConfig, translate_segments
from fake_engines import FakeEngines
from fake_libretranslate import FakeLibreTranslate, fake_english, json_answer
from test_translate_libre import config, sentences  # noqa: F401  (config is a fixture)

LINK = "للمزيد زوروا [الموقع الرسمي](https://example.com/bookfair)."
IMAGE = "![جانب من أجنحة المعرض](https://example.com/images/book-fair.jpg)"
MIXED = ("وقال **المدير** إن التسجيل عبر http://www.saudieng.sa/reg?id=5 أو sherif.kandil@al-madina.com"
         " يبدأ الساعة 10:30 بكلفة 3.5% لصندوق 1MDB، وشغّل `make site` ثم <b>انتظر</b> &amp; كرر.")
# What must never reach a translator: a URL, an e-mail address, Markdown or HTML syntax, a code.
FORBIDDEN = re.compile(r"https?://|www\.|@|\]\(|!\[|\*\*|`|<|>|&amp;|\[|\]|1MDB|10:30|3\.5%")


# --- the placeholder layer ---------------------------------------------------------------------------------------
def test_only_words_are_left_to_send():
    sent = for_request(protect(MIXED).text)
    assert not FORBIDDEN.search(sent), sent
    assert re.findall(r"ZXQ\d+", sent) == [f"ZXQ{n}" for n in range(1, 11)]
    assert for_request(protect(LINK).text) == "للمزيد زوروا ZXQ1."
    assert inner_segments(LINK) == ["الموقع الرسمي"] and inner_segments(IMAGE) == ["جانب من أجنحة المعرض"]
    assert inner_segments("[**عريض** جدا](http://a.b/c_(d))") == ["عريض", "**عريض** جدا"]
    # Plain numbers and Latin words are the translator's; a placeholder never touches a letter.
    assert protect("عام 2015 في 2 / 11 / 1436هـ مع OCBC").slots == ()
    assert for_request(protect("عبر sherif@al-madina.comللتواصل").text) == "عبر ZXQ1 للتواصل"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab سلم12.:/%*_`~[]()!<>&;@#\\-\ue000\ue001ZXQzxq\n")), max_size=80))
def test_the_source_comes_back_whole_from_any_text(text):
    protected = protect(text)
    assert unprotect(protected.text, protected.slots) == text
    sent = for_request(protected.text)
    assert placeholder_problem(sent, sent) is None  # an engine that copies the placeholders passes
    assert restore(sent, protected.slots, lambda inner: inner) is not None


_WORD = st.sampled_from(["قال", "الوزير", "في", "الرياض", "2015", "OCBC", "(واس)", "،", "."])
_PATH = st.text(alphabet="abcxyz019-_./?=&%#", min_size=1, max_size=20)
_ELEMENT = st.one_of(
    _WORD,
    st.builds(lambda w, p: f"[{w}](https://ex.com/{p})", _WORD, _PATH),
    st.builds(lambda w, p: f"![{w}](http://ex.com/{p}.jpg)", _WORD, _PATH),
    st.builds(lambda p: f"https://www.ex.com/{p}", _PATH),
    st.builds(lambda u: f"{u}@mail.example.org", st.text(alphabet="abc._-19", min_size=1, max_size=10)),
    st.builds(lambda w, m: f"{m}{w}{m}", _WORD, st.sampled_from(["**", "*", "_", "__", "~~"])),
    st.builds(lambda c: f"`{c}`", st.text(alphabet="abc <>*[]()", min_size=1, max_size=10)),
    st.sampled_from(["@SPAgov", "1MDB", "F-16", "3.5%", "10:30", "<br>", "&amp;", "\\*", "ftp://a.b/c"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ELEMENT, min_size=1, max_size=12), st.sampled_from([" ", "", " و"]))
def test_no_syntax_url_or_address_is_ever_sent(elements, glue):
    text = glue.join(elements)
    sent = for_request(protect(text).text)
    assert not re.search(r"[`*_~\[\]]|://|@|www\.|&amp;|<br>|\\", sent), (text, sent)
    # Every link text, alt text and emphasised word is sent too, as a text of its own (or is no words at all).
    for inner in inner_segments(text):
        assert not re.search(r"[`*_~\[\]]|://|@", for_request(protect(inner).text))


def test_a_placeholder_changed_case_or_spaced_is_still_found_and_a_lost_one_is_refused():
    sent = for_request(protect(MIXED).text)
    assert placeholder_problem(sent, sent.replace("ZXQ1", "Zxq 1")) is None
    assert placeholder_problem(sent, sent.replace("ZXQ2", "")) == "answer lost a placeholder"
    assert placeholder_problem(sent, sent.replace("ZXQ2", "ZXQ2 ZXQ2")) == "answer duplicated or garbled a placeholder"
    assert placeholder_problem(sent, sent.replace("ZXQ3", "ZXQ33")) is not None


# --- against the fake server -------------------------------------------------------------------------------------
def test_no_request_carries_markup_urls_or_emails_and_every_target_comes_back(config):
    segs = [LINK, IMAGE, MIXED]
    with FakeLibreTranslate() as server:
        result, report = translate_segments(segs, config(server.url))
    assert not report.pending and report.requests == 1
    assert server.lines and not [line for line in server.lines if FORBIDDEN.search(line)]
    assert "الموقع الرسمي" in server.lines and "جانب من أجنحة المعرض" in server.lines  # link and alt text sent
    link_text = fake_english("الموقع الرسمي")
    assert result[LINK] == f"{fake_english('للمزيد زوروا')} [{link_text}](https://example.com/bookfair)."
    assert result[IMAGE] == f"![{fake_english('جانب من أجنحة المعرض')}](https://example.com/images/book-fair.jpg)"
    for kept in ("http://www.saudieng.sa/reg?id=5", "sherif.kandil@al-madina.com", "10:30", "3.5%", "1MDB",
                 "`make site`", "<b>", "</b>", "&amp;", f"**{fake_english('المدير')}**"):
        assert kept in result[MIXED]
    # Memory keys stay the source segments (the link text is one of its own): an edit re-sends only itself.
    memory = TranslationMemory(config("").memory_dir, "libre", "ar", "en")
    assert memory.get(LINK) == result[LINK] and memory.get("الموقع الرسمي") == fake_english("الموقع الرسمي")
    with FakeLibreTranslate() as server:
        result2, report2 = translate_segments(segs, config(server.url))
    assert report2.requests == 0 and result2 == result and result2.from_memory == frozenset(segs)


@pytest.mark.parametrize("damage, name", [
    (lambda line: re.sub(r"ZXQ\d+", "", line), "lost"),
    (lambda line: re.sub(r"(ZXQ\d+)", r"\1 \1", line), "duplicated"),
    (lambda line: line.replace("ZXQ", "ZQX"), "garbled"),
])
def test_an_answer_that_damaged_a_placeholder_is_asked_alone_then_left_pending(config, damage, name):
    segs = sentences(3) + [LINK]

    def damaging(server, q, nth):
        return json_answer("\n".join(damage(fake_english(line)) for line in q.split("\n")))
    with FakeLibreTranslate(damaging) as server:
        cfg = config(server.url)
        result, report = translate_segments(segs, cfg)
    assert report.pending == {LINK} and LINK not in result
    assert set(result) == set(segs[:3])
    # The batch, then the damaged line once alone; then never published nor cached.
    assert len(server.texts) == 2 and server.texts[1] == "للمزيد زوروا ZXQ1."
    assert report.rejected == 1 and "placeholder" in " ".join(report.errors)
    assert TranslationMemory(cfg.memory_dir, "libre", "ar", "en").get(LINK) is None


def test_a_placeholder_rewritten_in_case_or_spacing_is_accepted(config):
    def respacing(server, q, nth):
        return json_answer(re.sub(r"ZXQ(\d+)", r"zxq \1", fake_english(q)))
    with FakeLibreTranslate(respacing) as server:
        result, report = translate_segments([LINK], config(server.url))
    assert result[LINK].endswith("](https://example.com/bookfair).") and not report.pending


def test_answer_lines_that_do_not_match_are_asked_one_per_request(config):
    segs = sentences(12)  # about 850 characters: one batch for libre, two for mymemory's 450

    def merging(server, q, nth):  # an engine that joins lines into one paragraph
        return json_answer(" ".join(fake_english(line) for line in q.split("\n")))
    with FakeLibreTranslate(merging) as server:
        result, report = translate_segments(segs, config(server.url, concurrency=1))
    assert result == {s: fake_english(s) for s in segs} and not report.pending
    assert server.texts[0] == "\n".join(segs) and sorted(server.texts[1:]) == sorted(segs)
    assert report.requests == 13


def test_after_two_mismatched_batches_every_batch_goes_one_text_per_request(config):
    segs = sentences(300)  # about ten batches

    def merging(server, q, nth):
        return json_answer(" ".join(fake_english(line) for line in q.split("\n")))
    with FakeLibreTranslate(merging) as server:
        result, report = translate_segments(segs, config(server.url, concurrency=1))
    assert result == {s: fake_english(s) for s in segs} and not report.pending
    batches = [t for t in server.texts if "\n" in t]
    assert len(batches) == 2 and report.requests == 302
    assert any("one text per request" in e for e in report.errors)


def test_a_batch_too_long_for_the_server_is_halved(config):
    segs = sentences(40)

    def small_server(server, q, nth):  # a proxy with a small URL limit
        return (414, "text/html", "<html><body>414 Request-URI Too Large</body></html>") if len(q) > 1000 else None
    with FakeLibreTranslate(small_server) as server:
        result, report = translate_segments(segs, config(server.url, concurrency=1))
    assert result == {s: fake_english(s) for s in segs} and not report.pending and not report.backend_down
    assert sorted(line for t in server.texts if len(t) <= 1000 for line in t.split("\n")) == sorted(segs)


def test_requests_stay_within_each_backends_budget(config):
    segs = sentences(500)
    with FakeLibreTranslate() as server:
        result, report = translate_segments(segs, config(server.url))
    assert len(result) == 500 and not report.pending
    assert all(len(t) <= BATCH_CHARS["libre"] < LIMITS["libre"] for t in server.texts)
    assert all(len(quote_plus(t)) <= URL_BUDGET["libre"] for t in server.texts)
    assert sorted(server.lines) == sorted(segs)
    # Packed greedily: one more line would not have fitted in any request but the last.
    sizes = sorted(map(len, server.texts))[::-1]  # requests run 4 at a time: any order
    assert len(server.texts) == report.requests <= len("\n".join(segs)) // BATCH_CHARS["libre"] + 2
    assert all(size > BATCH_CHARS["libre"] - 80 for size in sizes[:-1])


@pytest.mark.parametrize("backend", ["google", "mymemory", "deepl", "microsoft"])
def test_each_backend_batches_within_its_limits_over_real_http(tmp_path, monkeypatch, backend):
    monkeypatch.setenv("DEEPL_API_KEY", "k-123456")
    monkeypatch.setenv("MICROSOFT_API_KEY", "ms-123456")
    segs = sentences(60) + [LINK, IMAGE, MIXED]
    config = TranslatorConfig(backend=backend, memory_dir=str(tmp_path / "m"), backoff=0.01, max_backoff=0.02)
    with FakeEngines() as engines, engines.pointing():
        result, report = translate_segments(segs, config)
        texts = engines.texts(backend)
    assert not report.pending and len(result) == len(segs) and report.requests == len(texts)
    assert result[LINK].endswith("](https://example.com/bookfair).") and "sherif.kandil@al-madina.com" in result[MIXED]
    lines = [line for text in texts for line in text.split("\n")]
    assert not [line for line in lines if FORBIDDEN.search(line)] and len(lines) == len(set(lines))
    assert all(len(t) <= BATCH_CHARS.get(backend, LIMITS[backend]) for t in texts)
    budget = URL_BUDGET.get(backend)
    assert budget is None or all(len(quote_plus(t)) <= budget for t in texts)
    # Packed full: no more requests than the texts' size over the budget (less one line's slack), plus one.
    joined = "\n".join(lines)
    needed = max(len(joined) // (BATCH_CHARS.get(backend, LIMITS[backend]) - 100),
                 len(quote_plus(joined)) // (budget - 500) if budget else 0)
    assert len(texts) <= needed + 1


MYMEMORY = "http://api.mymemory.translated.net/get"
GOOGLE = "https://translate.google.com/m"


@responses.activate
def test_a_larger_request_gets_a_longer_read_timeout(tmp_path):
    seen: list[tuple[int, tuple[float, float]]] = []

    def answer(request):
        q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}["q"]
        seen.append((len(q), request.req_kwargs["timeout"]))
        return 200, {}, f'<html><body><div class="result-container">{fake_english(q)}</div></body></html>'
    responses.add_callback(responses.GET, GOOGLE, callback=answer)
    config = TranslatorConfig(backend="google", memory_dir=str(tmp_path / "m"), timeout=6.0, concurrency=1)
    translate_segments(sentences(40) + ["قال الوزير."], config)
    assert len(seen) == 2
    for chars, (connect, read) in seen:
        assert connect == 3.05 and read == pytest.approx(6.0 * max(1.0, chars / 1500))
    assert max(read for _, (_, read) in seen) > 6.0 * 1.5  # the full batch (about 2,400 characters)


@responses.activate
def test_mymemory_batches_stay_under_500_characters(tmp_path):
    segs = sentences(20)
    sent: list[str] = []

    def answer(request):
        q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}["q"]
        sent.append(q)
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"responseData": {"translatedText": fake_english(q)}, "responseStatus": 200, "matches": []})
    responses.add_callback(responses.GET, MYMEMORY, callback=answer)
    config = TranslatorConfig(backend="mymemory", memory_dir=str(tmp_path / "m"), backoff=0.01, max_backoff=0.02)
    result, report = translate_segments(segs, config)
    assert result == {s: fake_english(s) for s in segs}
    assert all(len(q) < 500 for q in sent) and max(q.count("\n") for q in sent) >= 4
    assert len(sent) == report.requests < 20 / 4


def test_an_old_memory_entry_that_lost_a_url_is_translated_again(config, tmp_path):
    memory = TranslationMemory(config("").memory_dir, "libre", "ar", "en")
    memory.put(LINK, "For more, visit [the official site](https://example.com/book fair).")  # a rewritten URL
    plain = sentences(1)[0]
    memory.put(plain, "An old plain translation.")  # written before placeholders: still used as it is
    memory.save()
    with FakeLibreTranslate() as server:
        result, report = translate_segments([LINK, plain], config(server.url))
    assert result[plain] == "An old plain translation." and result[LINK].endswith("(https://example.com/bookfair).")
    assert sorted(server.lines) == sorted(["للمزيد زوروا ZXQ1.", "الموقع الرسمي"])


def test_dry_run_shows_the_batched_requests(config):
    with FakeLibreTranslate() as server:
        result, report = translate_segments([LINK, IMAGE], config(server.url), dry_run=True)
        assert not server.requests
    assert report.would_send == ["الموقع الرسمي\nللمزيد زوروا ZXQ1.\nجانب من أجنحة المعرض"]


# --- a built site ------------------------------------------------------------------------------------------------
ARTICLE_MD = """---
title: معرض الكتاب يفتح أبوابه
date: 2024-05-01
---
افتتح **معرض الكتاب** أبوابه اليوم في الرياض. للمزيد زوروا [الموقع الرسمي](https://example.com/bookfair).

![جانب من أجنحة المعرض](https://example.com/images/book-fair.jpg)

- التسجيل عبر https://example.com/register أو عبر البريد info@example.com
- يبدأ العرض الساعة 10:30 صباحا، واستخدموا الرمز `BOOK24`.

> قال المدير إن [البرنامج الكامل](https://example.com/program "البرنامج") منشور.
"""


def test_a_built_english_page_keeps_every_link_and_image_target(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    (content / "fair.md").write_text(ARTICLE_MD, encoding="utf-8")
    with FakeLibreTranslate() as server:
        config = make_config(content, translator="libre", translator_url=server.url)
        report = build(config, quiet=True)
        lines = server.lines
    assert report.english == 1 and not report.untranslated
    assert lines and not [line for line in lines if FORBIDDEN.search(line)]
    ar = (config.output_dir / "ar" / "fair" / "index.html").read_text(encoding="utf-8")
    en = (config.output_dir / "en" / "fair" / "index.html").read_text(encoding="utf-8")
    article_ar = ar[ar.index("<article"):ar.index("</article>")]
    article_en = en[en.index("<article"):en.index("</article>")]
    targets = re.compile(r'(?:href|src)="(https://example\.com[^"]*)"')
    assert set(targets.findall(article_ar)) == {"https://example.com/bookfair", "https://example.com/program",
                                               "https://example.com/images/book-fair.jpg"}
    assert sorted(targets.findall(article_en)) == sorted(targets.findall(article_ar))
    for kept in ("https://example.com/register", "info@example.com", "10:30", "<code>BOOK24</code>"):
        assert kept in article_en
    assert f"<strong>{fake_english('معرض الكتاب')}</strong>" in article_en


def test_prune_keeps_the_entries_of_link_texts(tmp_path):
    from test_translate_articles import article

    from digest.model import Summary
    from digest.translate import prune_command

    linked = article(paragraphs=((LINK,), ("وأكد الجانبان أهمية التعاون.",)))
    items = [(linked, Summary(picks=((1, 0),), text=""), None)]
    with FakeLibreTranslate() as server:
        config = TranslatorConfig(backend="libre", url=server.url, memory_dir=str(tmp_path / "m"))
        assert translate_command_quiet(items, config) == 0
    memory = TranslationMemory(config.memory_dir, "libre", "ar", "en")
    assert memory.get("الموقع الرسمي") is not None and memory.get(LINK) is not None
    out = io.StringIO()
    assert prune_command(items, config, out=out) == 0 and "removed 0 stale entries" in out.getvalue()
    assert prune_command([], config, out=io.StringIO()) == 0  # no article left: everything goes
    assert len(TranslationMemory(config.memory_dir, "libre", "ar", "en")) == 0


def translate_command_quiet(items, config) -> int:
    from digest.translate import translate_command

    return translate_command(items, config, out=io.StringIO(), err=io.StringIO())

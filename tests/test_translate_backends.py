"""The real deep-translator Google, MyMemory, DeepL and Microsoft code against recorded HTTP answers (responses)."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from digest.translate import TranslatorConfig, translate_segments

GOOGLE = "https://translate.google.com/m"
MYMEMORY = "http://api.mymemory.translated.net/get"

AR = ["وصل الرئيس إلى الرياض صباح اليوم في زيارة رسمية.", "وقال إن المحادثات كانت مثمرة."]
EN = {AR[0]: "The president arrived in Riyadh this morning on an official visit.",
      AR[1]: "He said the talks were fruitful."}

# The shape of Google's mobile page (translate.google.com/m), trimmed: deep-translator reads div.result-container.
GOOGLE_PAGE = """<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>Google Translate</title>
</head><body><div class="root-container"><div class="header"><div class="logo-image"></div></div>
<div class="languages-container"><div class="sl-and-tl"><a href="./m?sl=ar&amp;tl=en&amp;mui=sl&amp;hl=en-US">
Arabic</a> → <a href="./m?sl=ar&amp;tl=en&amp;mui=tl&amp;hl=en-US">English</a></div></div>
<div class="input-container"><form action="/m"><input type="hidden" name="sl" value="ar"><input type="hidden"
name="tl" value="en"><input type="hidden" name="hl" value="en-US"><input type="text" aria-label="Source text"
name="q" class="input-field" maxlength="2048" value="{q}"><div class="translate-button-container">
<input type="submit" value="Translate" class="translate-button"></div></form></div>
<div class="result-container">{en}</div><div class="links-container"><ul><li>
<a href="https://www.google.com/m?hl=en-US">Google home</a></li></ul></div></div></body></html>"""

TOO_MANY = """<html><head><title>Sorry...</title></head><body><div><h1>We're sorry...</h1>
<p>... but your computer or network may be sending automated queries.</p></div></body></html>"""


def cfg(tmp_path: Path, backend: str, **kw) -> TranslatorConfig:
    return TranslatorConfig(backend=backend, memory_dir=str(tmp_path / "memory"), backoff=0.01, max_backoff=0.02,
                            **kw)


def english(text: str) -> str:
    """The recorded English of a request: line by line, as the engines answer a text of several lines."""
    return "\n".join(EN[line] for line in text.split("\n"))


def query(request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}


@responses.activate
def test_google_recorded(tmp_path):
    def answer(request):
        q = query(request)
        assert (q["sl"], q["tl"]) == ("ar", "en")
        return 200, {"Content-Type": "text/html; charset=UTF-8"}, GOOGLE_PAGE.format(q=q["q"], en=english(q["q"]))
    responses.add_callback(responses.GET, GOOGLE, callback=answer)
    result, report = translate_segments(AR, cfg(tmp_path, "google"))
    assert result == EN and report.requests == 1 and not report.pending  # both sentences in one request


@responses.activate
def test_google_429_then_ok(tmp_path):
    seen: dict[str, int] = {}

    def answer(request):
        q = query(request)["q"]
        seen[q] = seen.get(q, 0) + 1
        if seen[q] == 1:
            return 429, {"Content-Type": "text/html"}, TOO_MANY
        return 200, {}, GOOGLE_PAGE.format(q=q, en=english(q))
    responses.add_callback(responses.GET, GOOGLE, callback=answer)
    result, report = translate_segments(AR, cfg(tmp_path, "google"))
    assert result == EN and report.requests == 2 and report.retries == 1


@responses.activate
def test_google_captcha_page_with_200_is_rejected(tmp_path):
    responses.add(responses.GET, GOOGLE, body=TOO_MANY, status=200)
    config = cfg(tmp_path, "google")
    result, report = translate_segments(AR, config)
    assert not result and report.pending == set(AR)
    assert not list(Path(config.memory_dir).rglob("*.jsonl"))


@responses.activate
def test_google_long_text_split_under_5000(tmp_path):
    giant = " ".join(f"كلمة{i}" for i in range(2500))  # ~17,000 characters, one sentence
    sent: list[str] = []

    def answer(request):
        q = query(request)["q"]
        sent.append(q)
        return 200, {}, GOOGLE_PAGE.format(q="", en=f"part {len(sent)} " + "word " * (len(q) // 5))
    responses.add_callback(responses.GET, GOOGLE, callback=answer)
    result, report = translate_segments([giant], cfg(tmp_path, "google", concurrency=1))
    assert all(len(q) < 5000 for q in sent) and len(sent) >= 4
    assert " ".join(sent) == giant
    assert result[giant].startswith("part 1 ") and "part 4 " in result[giant]


def mymemory_json(text: str, status: int = 200) -> str:
    return json.dumps({"responseData": {"translatedText": text, "match": 0.85}, "quotaFinished": False,
                       "mtLangSupported": None, "responseDetails": "", "responseStatus": status,
                       "responderId": None, "exception_code": None,
                       "matches": [{"id": "0", "segment": "x", "translation": text, "source": "ar-SA",
                                    "target": "en-GB", "quality": 74, "reference": None, "usage-count": 0,
                                    "subject": "", "created-by": "MT!", "last-updated-by": "MT!",
                                    "create-date": "2024-01-01 00:00:00", "last-update-date": "2024-01-01 00:00:00",
                                    "match": 0.85, "model": "neural"}]})


@responses.activate
def test_mymemory_language_codes_and_limit(tmp_path):
    long_sentence = "، ".join(["وأضاف أن الوزارة ستواصل العمل مع الشركاء في المنطقة"] * 15)  # > 500 chars
    sent: list[dict] = []

    def answer(request):
        q = query(request)
        sent.append(q)
        en = EN.get(q["q"], "And he added that the ministry's work continues with partners. " * (len(q["q"]) // 60))
        return 200, {"Content-Type": "application/json"}, mymemory_json(en.replace("'", "&#39;"))
    responses.add_callback(responses.GET, MYMEMORY, callback=answer)
    result, report = translate_segments(AR + [long_sentence], cfg(tmp_path, "mymemory"))
    assert {q["langpair"] for q in sent} == {"ar-SA|en-GB"}  # MyMemory refuses bare "ar"
    assert all(len(q["q"]) < 500 for q in sent) and len(sent) >= 4
    assert result[AR[0]] == EN[AR[0]] and "ministry's" in result[long_sentence]  # entities decoded
    assert not report.pending


@responses.activate
def test_mymemory_quota_warning_rejected(tmp_path):
    warning = ("MYMEMORY WARNING: YOU USED ALL AVAILABLE FREE TRANSLATIONS FOR TODAY. NEXT AVAILABLE IN  "
               "10 HOURS 20 MINUTES 09 SECONDS VISIT HTTPS://MYMEMORY.TRANSLATED.NET/DOC/USAGELIMITS.PHP")
    responses.add(responses.GET, MYMEMORY, body=mymemory_json(warning, 429), status=200,
                  content_type="application/json")
    config = cfg(tmp_path, "mymemory")
    result, report = translate_segments(AR, config)
    assert not result and report.rejected == 2 and report.pending == set(AR)
    assert not list(Path(config.memory_dir).rglob("*.jsonl"))


@responses.activate
def test_deepl_key_from_env_never_leaks(tmp_path, monkeypatch, capsys):
    secret = "abcd-secret-1234:fx"
    monkeypatch.setenv("DEEPL_API_KEY", secret)
    responses.add(responses.GET, "https://api-free.deepl.com/v2/translate", status=403,
                  json={"message": "Wrong key " + secret})
    config = cfg(tmp_path, "deepl", concurrency=1)
    result, report = translate_segments(AR, config)
    assert report.backend_down and report.requests == 1  # an auth failure stops at once, no retry
    text = repr(report) + capsys.readouterr().out + capsys.readouterr().err
    assert secret not in text and "API key" in report.breaker_reason


@responses.activate
def test_deepl_ok(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPL_API_KEY", "k-123456")

    def answer(request):
        q = query(request)
        assert q["source_lang"] == "ar" and q["target_lang"] == "en" and q["auth_key"] == "k-123456"
        return 200, {}, json.dumps({"translations": [{"detected_source_language": "AR", "text": english(q["text"])}]})
    responses.add_callback(responses.GET, "https://api.deepl.com/v2/translate", callback=answer)
    result, report = translate_segments(AR, cfg(tmp_path, "deepl"))
    assert result == EN


def test_deepl_without_key_is_reported(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    result, report = translate_segments(AR, cfg(tmp_path, "deepl"))
    assert report.backend_down and "DEEPL_API_KEY" in report.breaker_reason and report.requests == 0


@responses.activate
def test_microsoft_no_language_download(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROSOFT_API_KEY", "ms-key-9876")

    def answer(request):
        q = query(request)
        assert (q["from"], q["to"]) == ("ar", "en")
        assert request.headers["Ocp-Apim-Subscription-Key"] == "ms-key-9876"
        text = json.loads(request.body)[0]["text"]
        return 200, {}, json.dumps([{"translations": [{"text": english(text), "to": "en"}]}])
    responses.add_callback(responses.POST, "https://api.cognitive.microsofttranslator.com/translate",
                           callback=answer)
    result, report = translate_segments(AR, cfg(tmp_path, "microsoft"))
    assert result == EN and report.requests == 1  # no extra request for the language list


def test_unknown_backend_reported(tmp_path):
    result, report = translate_segments(AR, cfg(tmp_path, "babelfish"))
    assert report.backend_down and "babelfish" in report.breaker_reason and report.pending == set(AR)


@responses.activate
def test_every_request_has_a_timeout(tmp_path):
    timeouts = []

    def answer(request):
        timeouts.append(request.req_kwargs.get("timeout"))
        q = query(request)["q"]
        return 200, {}, GOOGLE_PAGE.format(q=q, en=english(q))
    responses.add_callback(responses.GET, GOOGLE, callback=answer)
    translate_segments(AR, cfg(tmp_path, "google", timeout=7.0))
    assert timeouts and all(t == (3.05, 7.0) for t in timeouts)

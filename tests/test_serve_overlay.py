"""`serve` in headless chromium: the last build's errors and warnings over the open page (file, line, message) and
gone when fixed; a missing page gets the site's 404.html with live reload, and comes back by itself. Articles
written for these tests (no licence)."""
from __future__ import annotations

import json
import threading
import urllib.error
import time
import urllib.request
from dataclasses import replace

import pytest

from cdp import Browser, find_chromium
from conftest import ROOT
from digest.serve import watch_and_serve

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: run scripts/install-browser.sh (make test does)")

BOOK_FAIR = """---
title: افتتاح معرض الكتاب في الرياض
date: 2026-12-05
---
افتتح وزير الثقافة اليوم معرض الكتاب الدولي بمشاركة أكثر من ألف دار نشر.

ويستمر المعرض عشرة أيام ويفتح أبوابه للزوار من العاشرة صباحا.
"""
WIRE = """محلي / هطول أمطار غزيرة على جدة
جدة 20 جمادى الأولى 1447 هـ الموافق 5 ديسمبر 2026 م واس
شهدت محافظة جدة اليوم هطول أمطار غزيرة أدت إلى تجمع المياه في عدد من الشوارع.
// انتهى //
12:58 ت م
"""
# A file name made to be markup, in a file with a problem: the overlay must show it as text.
HOSTILE = '<img src=x onerror="window.__pwned=1">.md'

OVERLAY = """(() => { const box = document.getElementById('__build_problems');
  if (!box) return null;
  const style = getComputedStyle(box);
  return {text: box.innerText, images: box.querySelectorAll('img').length, position: style.position,
          visible: box.getBoundingClientRect().height > 0, pwned: window.__pwned === 1}; })()"""


def _state(url: str) -> dict:
    with urllib.request.urlopen(url + "__livereload", timeout=5) as response:
        return json.loads(response.read())


def _until(predicate, timeout: float = 10.0, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.fixture
def served(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    (content / "book-fair.md").write_text(BOOK_FAIR, encoding="utf-8")
    (content / "rain.txt").write_text(WIRE, encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    for page in (ROOT / "templates").rglob("*.html"):
        (templates / page.relative_to(ROOT / "templates")).parent.mkdir(exist_ok=True)
        (templates / page.relative_to(ROOT / "templates")).write_bytes(page.read_bytes())
    # future=True: the articles are dated 2026-12-05, which may be ahead of this machine's clock (scheduling is
    # tests/test_schedule.py's subject, not this file's).
    config = replace(make_config(content, future=True), templates_dir=templates)
    stop = threading.Event()
    ready: list[str] = []
    thread = threading.Thread(target=watch_and_serve, args=(lambda: config,),
                              kwargs=dict(port=0, quiet=True, log=lambda m: None, ready=ready.append, stop=stop),
                              daemon=True)
    thread.start()
    assert _until(lambda: bool(ready))
    time.sleep(0.3)  # the observer is scheduled just before `ready`
    yield config, ready[0]
    stop.set()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as b:
        yield b


def _save(path, text: str, url: str) -> float:
    """Write `text` and return the moment, after waiting for the build it causes to start being served."""
    generation = _state(url)["generation"]
    started = time.monotonic()
    path.write_text(text, encoding="utf-8")
    assert _until(lambda: _state(url)["generation"] > generation)
    return started


@needs_chromium
def test_errors_show_over_the_open_page_and_go_when_fixed(served, browser):
    config, url = served
    article = config.content_dir / "book-fair.md"
    page_url = url + "ar/book-fair/"
    mark = len(browser.events)
    browser.goto(page_url)
    assert browser.evaluate(OVERLAY) is None
    assert "افتتاح معرض الكتاب" in browser.evaluate("document.querySelector('h1').textContent")

    # Break the front matter: the open page shows the error, file and line, with no reload by hand. (How soon:
    # bench/serve_latency.py measures it; about 0.4-0.7 s on a busy 2-core machine.)
    article.write_text(BOOK_FAIR.replace("date: 2026-12-05", "date: [2026-12-05"), encoding="utf-8")
    assert _until(lambda: (browser.evaluate(OVERLAY) or {}).get("text", "").find("book-fair.md:") >= 0, 10, 0.02)
    overlay = browser.evaluate(OVERLAY)
    assert "book-fair.md:3" in overlay["text"] and "error" in overlay["text"] and "YAML" in overlay["text"]
    assert overlay["position"] == "fixed" and overlay["visible"]  # styled by /__livereload.css under the CSP

    # Fix it: the overlay goes and the page is right again, with no manual reload.
    article.write_text(BOOK_FAIR.replace("عشرة أيام", "أحد عشر يوما"), encoding="utf-8")
    assert _until(lambda: browser.evaluate("!!document.body && document.body.textContent.includes('أحد عشر يوما')"),
                  10, 0.02)
    assert _until(lambda: browser.evaluate(OVERLAY) is None, 10, 0.02)
    assert "افتتاح معرض الكتاب" in browser.evaluate("document.querySelector('h1').textContent")
    assert [p for p in browser.console_problems(mark) if "Content Security Policy" in p] == []


@needs_chromium
def test_warnings_and_hostile_file_names_are_shown_as_text(served, browser):
    config, url = served
    browser.goto(url + "ar/rain/")
    assert browser.evaluate(OVERLAY) is None
    _save(config.content_dir / HOSTILE, "---\ntitle: عنوان\ncolour: أحمر\n---\nنص الخبر هنا.\n", url)
    overlay = _until(lambda: browser.evaluate(OVERLAY), 5, 0.02)
    assert overlay and HOSTILE in overlay["text"] and "warning" in overlay["text"] and "colour" in overlay["text"]
    assert overlay["images"] == 0 and not overlay["pwned"]
    assert "1 problem in the last build (0 errors, 1 warning)" in overlay["text"]
    # The close button hides it until the next build.
    browser.evaluate("document.querySelector('#__build_problems button').click()")
    assert browser.evaluate(OVERLAY) is None


@needs_chromium
def test_a_deleted_page_shows_the_404_and_comes_back_by_itself(served, browser):
    config, url = served
    article = config.content_dir / "rain.txt"
    page_url = url + "ar/rain/"
    browser.goto(page_url)
    assert "أمطار غزيرة" in browser.evaluate("document.querySelector('h1').textContent")
    article.unlink()
    assert _until(lambda: browser.evaluate("document.querySelector('h1') && document.querySelector('h1').id") ==
                  "nf-ar", 10, 0.02)  # the site's own 404.html, with its styles
    assert browser.evaluate("location.href") == page_url
    assert browser.evaluate("!!document.querySelector('script[src=\"/__livereload.js\"]')")
    assert _until(lambda: browser.evaluate("document.styleSheets.length") >= 1, 5)  # /digest/static/style.css
    article.write_text(WIRE, encoding="utf-8")
    assert _until(lambda: "أمطار غزيرة" in (browser.evaluate(
        "document.querySelector('h1') ? document.querySelector('h1').textContent : ''") or ""), 10, 0.02)
    assert browser.evaluate("location.href") == page_url


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def test_livereload_reports_every_problem_of_the_last_build(served):
    config, url = served
    assert _state(url)["problems"] == [] and _state(url)["error"] is None
    _save(config.content_dir / "book-fair.md", BOOK_FAIR.replace("date: 2026-12-05", "date: [2026"), url)
    _save(config.content_dir / "odd.md", "---\ntitle: عنوان\ncolour: أحمر\n---\nنص.\n", url)
    problems = _state(url)["problems"]
    assert [(p["path"], p["line"], p["severity"]) for p in problems] == [("book-fair.md", 3, "error"),
                                                                         ("odd.md", 3, "warning")]
    assert all(p["message"] for p in problems)
    (config.content_dir / "odd.md").unlink()
    _save(config.content_dir / "book-fair.md", BOOK_FAIR, url)
    assert _state(url)["problems"] == []


def test_long_polling_answers_when_a_build_ends(served):
    config, url = served
    generation = _state(url)["generation"]
    answered: list[dict] = []
    waiter = threading.Thread(target=lambda: answered.append(json.loads(_get(f"{url}__livereload?since={generation}")[1])))
    waiter.start()
    time.sleep(0.5)
    assert not answered  # nothing built yet: the request waits
    (config.content_dir / "rain.txt").write_text(WIRE.replace("غزيرة", "غزيرة جدا"), encoding="utf-8")
    waiter.join(timeout=10)
    assert answered and answered[0]["generation"] > generation


def test_missing_pages_get_the_sites_404_with_live_reload_and_nothing_is_listed(served):
    config, url = served
    for missing in ("ar/no-such-article/", "no/such/file.css", "ar/no-such-article"):
        status, body, ctype = _get(url + missing)
        assert status == 404 and ctype.startswith("text/html"), missing
        assert body.startswith((config.output_dir / "404.html").read_bytes()[:200])
        assert b'<script src="/__livereload.js"></script></body>' in body
    (config.output_dir / "empty-folder").mkdir()
    assert _get(url + "empty-folder/")[0] == 404  # no directory listing
    # 404.html links its assets under the site's sub-path (/digest/ by default): served too.
    status, css, ctype = _get(url + config.base_path.lstrip("/") + "static/style.css")
    assert status == 200 and ctype.startswith("text/css") and css == (config.output_dir / "static" / "style.css").read_bytes()
    status, page, _ = _get(url + "ar/rain")
    assert status == 200 and "أمطار".encode() in page  # the redirect to ar/rain/ is followed

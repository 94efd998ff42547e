"""Machine translation of Arabic segments through deep-translator, with a translation memory.

The unit of translation and of the memory is the sentence (Article.paragraphs holds sentences): the English
summary is then exactly the translation of the chosen Arabic sentences, and editing a paragraph re-translates
only its changed sentences. A sentence longer than the backend accepts is cut at clause/word boundaries into
chunks; the chunk is the unit of requests and of the memory, and chunks are joined back with spaces.

Reliability: deep-translator calls `requests` with no timeout, so each backend module's `requests` name is
pointed at a small stand-in that adds a timeout and records the last HTTP outcome (to tell 429 from 5xx from a
dead host). Requests run on a bounded thread pool, retried with exponential backoff and full jitter on 429, 5xx
and network trouble; a circuit breaker stops all calls once the backend is clearly unreachable or keeps failing,
so an offline build finishes in seconds. Answers are validated; a rejected answer is never cached or returned.
"""
from __future__ import annotations

import heapq
import html
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from concurrent.futures import Future

from digest.language import ARABIC_LETTER
from digest.model import is_structure_block
from digest.translate.english import english_meta, human_summary, meta_segments
from digest.translate.memory import TranslationMemory, normalise, stored_backends
from digest.translate.protect import placeholder_problem
from digest.translate.requestplan import (BATCH_CHARS, LIMITS, SEPARATOR, URL_BUDGET, RequestPlan, Unit, batches, chunks_of,
                          memory_keys, stored_english)
from digest.model import Article, English, HumanTranslation, Summary
from digest.site.safety import markdown_to_text

BACKENDS = ("google", "libre", "mymemory", "deepl", "microsoft", "none")

# LIMITS (characters per request and per chunk) and URL_BUDGET (encoded bytes per request): see requestplan.py.

# API keys are read from these environment variables only (the same names deep-translator documents).
KEY_ENV = {"deepl": "DEEPL_API_KEY", "microsoft": "MICROSOFT_API_KEY", "libre": "LIBRE_API_KEY"}
OTHER_ENV = ("MICROSOFT_REGION", "MYMEMORY_EMAIL")
_LIBRE_PLACEHOLDER_KEY = "no-key"  # deep-translator insists on a key; self-hosted servers ignore it

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class TranslatorConfig:
    backend: str = "google"  # google | libre | mymemory | deepl | microsoft | none (memory only, never a request)
    url: str | None = None  # LibreTranslate server, e.g. http://127.0.0.1:5000/
    source: str = "ar"
    target: str = "en"
    timeout: float = 10.0  # seconds per request (connect timeout is capped at 3 s)
    retries: int = 3  # retries after the first attempt, on 429 / 5xx / timeouts / connection errors
    concurrency: int = 4  # requests in flight at once
    memory_dir: str = "translations"  # relative to the project root, or absolute
    backoff: float = 0.25  # first retry of a text waits up to this many seconds; doubles each retry (jitter)
    max_backoff: float = 8.0
    breaker_failures: int = 5  # consecutive requests failing for good -> stop calling the backend
    breaker_unreachable: int = 3  # consecutive attempts that got no HTTP answer at all -> stop


@dataclass
class TranslationReport:
    requests: int = 0  # HTTP requests made (retries included)
    chars_sent: int = 0  # characters of source text sent (retries included)
    memory_hits: int = 0  # segments found whole in the memory
    failures: int = 0  # texts (request lines) that failed for good (after retries, or rejected answers)
    pending: set[str] = field(default_factory=set)  # source segments with no translation
    backend_down: bool = False  # circuit breaker opened (or the backend could not even be set up)
    translated: int = 0  # segments newly machine-translated in this run
    retries: int = 0
    rejected: int = 0  # answers refused by validation (never cached nor published)
    from_memory: set[str] = field(default_factory=set)
    breaker_reason: str | None = None
    would_send: list[str] = field(default_factory=list)  # dry run: the requests that would be made (one text a line)
    chars_to_send: int = 0  # dry run: their total characters
    errors: list[str] = field(default_factory=list)  # a few distinct failure reasons, keys redacted
    elapsed: float = 0.0


class Translations(dict):
    """{source segment: English}; `from_memory` tells which entries came from the memory alone."""

    from_memory: frozenset[str] = frozenset()


# --------------------------------------------------------------------------------------------------------
# Validation: a bad answer must never be cached or published.

_ARABIC_LETTER = ARABIC_LETTER
_HTML = re.compile(r"<\s*(!doctype|html|head|body|title|script|style|div|span|table|h[1-6]|pre|center|br|p)\b[^>]*>",
                   re.IGNORECASE)
_ERROR_ANYWHERE = re.compile(
    r"MYMEMORY WARNING|QUERY LENGTH LIMIT EXCEED|INVALID (SOURCE|TARGET) LANGUAGE|PLEASE SELECT TWO DISTINCT"
    r"|Traceback \(most recent call last\)|\bHTTP/\d(\.\d)? [45]\d\d\b", re.IGNORECASE)
_ERROR_START = re.compile(
    r"^\W*(\d{3}\W+)?(error\b\W*(\d|:|$)|exception\b\W*[:(]|internal server error|service (temporarily )?unavailable"
    r"|bad gateway|gateway time-?out|too many requests|rate limit(ed| exceeded)?\b|quota exceeded|not found$"
    r"|forbidden$|unauthori[sz]ed$|access denied)|^\s*\{\s*\"(error|detail|message)\"", re.IGNORECASE)


def needs_translation(text: str, source: str = "ar") -> bool:
    """A segment with no word of the source language ("2015", "(SPA)") is its own translation."""
    if source in ("ar", "fa", "ur"):
        return bool(_ARABIC_LETTER.search(text))
    return any(ch.isalpha() for ch in text)


def arabic_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if _ARABIC_LETTER.match(ch)) / len(letters) if letters else 0.0


def garbage_reason(source: str, answer: Any) -> str | None:
    """Why an answer is no translation at all (an error page, a quota message, the source echoed), or None. This is
    also checked on a batch's whole answer: garbage for a batch is not worth asking again line by line."""
    if not isinstance(answer, str):
        return "no text in the answer"
    text = answer.strip()
    if not text:
        return "empty answer"
    if normalise(text) == normalise(source):
        return "answer identical to the source"
    if "<" not in source and _HTML.search(text):
        return "answer looks like an HTML page"
    if _ERROR_ANYWHERE.search(text) or _ERROR_START.search(text):
        return "answer looks like an error message"
    return None


def reject_reason(source: str, answer: Any, target: str = "en") -> str | None:
    """Why an answer is not a usable translation of `source`, or None when it is."""
    reason = garbage_reason(source, answer)
    if reason is not None:
        return reason
    text = answer.strip()
    if target not in ("ar", "fa", "ur") and arabic_share(text) > 0.5:
        return "answer still mostly in Arabic script"
    # No "too short" rule: terse translations, abbreviations and headline-style answers are legitimate, and a
    # length heuristic would silently drop a real answer. Truncated garbage is caught by the checks above.
    if len(text) > 6 * len(source) + 200:
        return "answer far too long for the source"
    return None


# --------------------------------------------------------------------------------------------------------
# Splitting a segment longer than the backend's limit.

_CLAUSE_END = re.compile(r"[.!?؟۔،؛,;:]\s")


def split_for_limit(text: str, limit: int) -> list[str]:
    """Cut `text` into chunks of at most `limit` characters: after clause punctuation when one falls in the second
    half of the window, else at the last space; a single word longer than the limit is the only thing cut."""
    rest = " ".join(text.split())
    chunks: list[str] = []
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for match in _CLAUSE_END.finditer(window):
            if match.start() + 1 >= limit // 2:
                cut = match.start() + 1
        if cut < 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        chunks.append(rest)
    return chunks


# --------------------------------------------------------------------------------------------------------
# HTTP: a timeout on every request deep-translator makes, and a record of what happened.

_local = threading.local()
_DEFAULT_TIMEOUT = (3.05, 30.0)
TIMEOUT_CHARS = 1500  # translator.timeout is the read timeout of a request of up to this many characters


class _RequestsWithTimeout:
    """Stands in for the `requests` module inside deep-translator's backend modules: the same get/post, plus a
    timeout, a per-thread keep-alive session, a request count, and the last outcome for error classification."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)  # exceptions, codes, ... stay the real ones

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        run: _Run | None = getattr(_local, "run", None)
        kwargs.setdefault("timeout", getattr(_local, "timeout", None) or (run.timeout if run else _DEFAULT_TIMEOUT))
        session = run.session() if run else requests
        if run:
            run.count_request()
        try:
            response = session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            _local.last_http = exc
            raise
        _local.last_http = response
        return response


_installed = False
_install_lock = threading.Lock()


def _install_timeouts() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        from deep_translator import deepl, google, libre, microsoft, mymemory

        for module in (google, libre, mymemory, deepl, microsoft):
            module.requests = _RequestsWithTimeout()  # type: ignore[attr-defined]
        _installed = True


class _LazyRequests:
    """`requests` is imported on first use, so a build that sends nothing (memory hits, no change) never pays
    for importing it; the first attribute access replaces this stand-in with the real module."""

    def __getattr__(self, name: str) -> Any:
        import requests as module

        globals()["requests"] = module
        return getattr(module, name)


requests: Any = _LazyRequests()


# --------------------------------------------------------------------------------------------------------
# Backends.

class BackendError(Exception):
    """The backend cannot be used at all (unknown name, missing key or URL, unsupported language)."""


def _mymemory_code(lang: str) -> str:
    from deep_translator.constants import MY_MEMORY_LANGUAGES_TO_CODES

    codes = list(MY_MEMORY_LANGUAGES_TO_CODES.values())
    if lang in codes:
        return lang
    # MyMemory rejects bare "ar"; its first listed regional code is the standard one (ar-SA, en-GB).
    for code in codes:
        if code.lower().startswith(lang.lower() + "-"):
            return code
    raise BackendError(f"mymemory does not support the language '{lang}'")


def _libre_url(url: str | None) -> str:
    if not url:
        raise BackendError("the libre backend needs the URL of a LibreTranslate server (--translator-url)")
    url = url.strip()
    if url.rstrip("/").endswith("/translate"):
        url = url.rstrip("/")[: -len("translate")]
    return url if url.endswith("/") else url + "/"


def make_translator(config: TranslatorConfig) -> Any:
    """A fresh deep-translator object for one request (they keep per-request state, so are not shared)."""
    _install_timeouts()
    from deep_translator import DeeplTranslator, GoogleTranslator, LibreTranslator, MyMemoryTranslator
    from deep_translator.exceptions import BaseError

    env = os.environ
    try:
        if config.backend == "google":
            return GoogleTranslator(source=config.source, target=config.target)
        if config.backend == "libre":
            return LibreTranslator(source=config.source, target=config.target,
                                   api_key=env.get(KEY_ENV["libre"]) or _LIBRE_PLACEHOLDER_KEY,
                                   custom_url=_libre_url(config.url))
        if config.backend == "mymemory":
            return MyMemoryTranslator(source=_mymemory_code(config.source), target=_mymemory_code(config.target),
                                      email=env.get("MYMEMORY_EMAIL") or None)
        if config.backend == "deepl":
            key = env.get(KEY_ENV["deepl"])
            if not key:
                raise BackendError(f"the deepl backend needs the environment variable {KEY_ENV['deepl']}")
            # deep-translator's DeepL language list predates DeepL's Arabic; build with a listed pair, then set
            # the real codes through its public setters (the API takes them as they are).
            translator = DeeplTranslator(source="en", target="de", api_key=key, use_free_api=key.endswith(":fx"))
            translator.source, translator.target = config.source, config.target
            return translator
        if config.backend == "microsoft":
            key = env.get(KEY_ENV["microsoft"])
            if not key:
                raise BackendError(f"the microsoft backend needs the environment variable {KEY_ENV['microsoft']}")
            return _Microsoft(source=config.source, target=config.target, api_key=key,
                              region=env.get("MICROSOFT_REGION") or None)
    except BaseError as exc:  # LanguageNotSupportedException, ApiKeyException, ...
        raise BackendError(redact(str(exc))) from None
    raise BackendError(f"unknown translator '{config.backend}' (choose one of {', '.join(BACKENDS)})")


def _microsoft_class() -> type:
    from deep_translator import MicrosoftTranslator

    class Microsoft(MicrosoftTranslator):
        # The stock class downloads the language list on every construction; the codes we pass are the API's.
        def __init__(self, **kwargs: Any) -> None:
            self._codes = {kwargs["source"]: kwargs["source"], kwargs["target"]: kwargs["target"]}
            super().__init__(**kwargs)

        def _get_supported_languages(self) -> dict[str, str]:
            return self._codes

    return Microsoft


def _Microsoft(**kwargs: Any) -> Any:
    return _microsoft_class()(**kwargs)


def _secrets() -> list[str]:
    names = list(KEY_ENV.values()) + list(OTHER_ENV)
    return [v for v in (os.environ.get(n) for n in names) if v and len(v) >= 4]


_KEY_PARAM = re.compile(r"((?:api_key|auth_key|key|de|subscription-key)=)[^&\s'\"]+", re.IGNORECASE)


def redact(message: str) -> str:
    """Remove API keys (and the e-mail given to MyMemory) from a message before it is printed or stored."""
    for secret in _secrets():
        message = message.replace(secret, "***")
    return _KEY_PARAM.sub(r"\1***", message)


# --------------------------------------------------------------------------------------------------------
# One run: counters, circuit breaker, sessions.

class _Run:
    def __init__(self, config: TranslatorConfig) -> None:
        self.config = config
        self.timeout = (min(3.05, config.timeout), config.timeout)
        self.lock = threading.Lock()
        self.requests = 0
        self.chars = 0
        self.retries = 0
        self.rejected = 0
        self.failed = 0  # chunks that failed for good (not those skipped once the breaker opened)
        self.errors: dict[str, None] = {}
        self.open = threading.Event()
        self.reason: str | None = None
        self._no_answer_streak = 0
        self._failure_streak = 0
        self._sessions: list[requests.Session] = []

    def timeout_for(self, chars: int) -> tuple[float, float]:
        """(connect, read) timeout of a request of `chars` characters: a batch takes a slow engine (LibreTranslate
        on a small CPU) longer to answer, so the read timeout is `timeout` per TIMEOUT_CHARS characters."""
        connect, read = self.timeout
        return connect, read * max(1.0, chars / TIMEOUT_CHARS)

    def session(self) -> requests.Session:
        if getattr(_local, "session_run", None) is not self:
            _local.session = requests.Session()
            _local.session_run = self
            with self.lock:
                self._sessions.append(_local.session)
        return _local.session

    def close(self) -> None:
        for session in self._sessions:
            session.close()

    def count_request(self) -> None:
        with self.lock:
            self.requests += 1

    def note_error(self, message: str) -> None:
        with self.lock:
            if len(self.errors) < 10:
                self.errors[redact(message)] = None

    def trip(self, reason: str) -> None:
        with self.lock:
            if self.reason is None:
                self.reason = redact(reason)
        self.open.set()

    # The breaker: any HTTP answer proves the host is up; a translation proves the backend works.
    def answered(self) -> None:
        with self.lock:
            self._no_answer_streak = 0

    def no_answer(self, why: str) -> None:
        with self.lock:
            self._no_answer_streak += 1
            streak = self._no_answer_streak
        if streak >= self.config.breaker_unreachable:
            self.trip(f"{self.config.backend} cannot be reached ({why})")

    def succeeded(self) -> None:
        with self.lock:
            self._failure_streak = self._no_answer_streak = 0

    def request_failed(self, why: str, texts: int) -> None:
        """A request failed for good (after its retries, or its answer was rejected); `texts` lines are lost."""
        with self.lock:
            self._failure_streak += 1
            self.failed += texts
            streak = self._failure_streak
        if streak >= self.config.breaker_failures:
            self.trip(f"{self.config.backend} failed {streak} requests in a row (last: {why})")


def _classify(exc: BaseException) -> tuple[str, str, float | None]:
    """(kind, description, retry-after seconds) of a failed attempt, from the last HTTP outcome of this thread."""
    last = getattr(_local, "last_http", None)
    if isinstance(last, requests.Timeout):
        return "no-answer", "timeout", None
    if isinstance(last, requests.ConnectionError):
        return "no-answer", "connection failed", None
    if isinstance(last, requests.RequestException):
        return "error", f"request error {type(last).__name__}", None
    if isinstance(last, requests.Response):
        status = last.status_code
        retry_after = None
        try:
            retry_after = float(last.headers.get("Retry-After", ""))
        except ValueError:
            pass
        if status == 429:
            return "retry", "HTTP 429 too many requests", retry_after
        if status >= 500:
            return "retry", f"HTTP {status}", retry_after
        if status in (401, 403):
            return "fatal", f"HTTP {status}: access refused (check the API key)", None
        if status >= 400:
            return "error", f"HTTP {status}", None
        return "invalid", f"unusable answer ({type(exc).__name__})", None
    return "error", f"{type(exc).__name__}: {exc}", None


_TOO_LONG = (400, 413, 414)  # what servers answer to a URL or body over their limit
Outcome = tuple[str, dict[str, str], list[Unit], str, "float | None"]


def _attempt(batch: tuple[Unit, ...], run: _Run) -> Outcome:
    """One request for a batch of texts, one a line, on a worker thread: (kind, answers {sent text: checked
    answer}, units to ask again one per request, why, retry-after). kind is "ok" (some lines may still be asked
    again alone), "mismatch" (not one answer line per text: all asked again alone), "split" (too long for the
    server: halve it), "invalid" (garbage), "no-answer" (timeout, connection), "retry" (429, 5xx), "fatal" (auth)
    or "error". A single text whose answer is rejected is "invalid": it stays pending, it is not asked again."""
    _local.run = run
    _local.last_http = None
    config = run.config
    try:
        translator = make_translator(config)
    except BackendError as exc:
        return "fatal", {}, [], str(exc), None
    text = SEPARATOR.join(unit.sent for unit in batch)
    _local.timeout = run.timeout_for(len(text))
    with run.lock:
        run.chars += len(text)
    try:
        answer = translator.translate(text)
    except Exception as exc:  # deep-translator raises many unrelated types; classify by what HTTP did
        kind, why, retry_after = _classify(exc)
        last = getattr(_local, "last_http", None)
        if len(batch) > 1 and getattr(last, "status_code", None) in _TOO_LONG:
            return "split", {}, [], why, None
        return kind, {}, [], why, retry_after
    if config.backend == "mymemory" and isinstance(answer, str):
        answer = html.unescape(answer)  # MyMemory answers with HTML entities (&#39;)
    reason = garbage_reason(text, answer)
    if reason is not None:
        return "invalid", {}, [], reason, None
    lines = [line.strip() for line in answer.strip().split(SEPARATOR) if line.strip()]
    if len(batch) == 1:
        lines = [" ".join(lines)]  # a line break the engine added inside one text
    elif len(lines) != len(batch):
        return "mismatch", {}, list(batch), f"{len(lines)} answer lines for {len(batch)} texts", None
    good: dict[str, str] = {}
    again: list[Unit] = []
    for unit, line in zip(batch, lines):
        reason = reject_reason(unit.sent, line, config.target) or placeholder_problem(unit.sent, line)
        if reason is None:
            good[unit.sent] = line
        else:
            again.append(unit)
            why = reason
    if again and len(batch) == 1:
        return "invalid", {}, [], why, None
    return "ok", good, again, why if again else "", None


# --------------------------------------------------------------------------------------------------------
# The public entry point.

def memory_root(config: TranslatorConfig) -> Path:
    path = Path(config.memory_dir)
    return path if path.is_absolute() else PROJECT_ROOT / path


def translate_segments(segments: Sequence[str], config: TranslatorConfig, *,
                       progress: Callable[[int, int], None] | None = None,
                       dry_run: bool = False,
                       snapshot_dir: Path | None = None) -> tuple[Translations, TranslationReport]:
    """{source segment: English} for every segment found in the memory or translated now; the rest is pending.

    Never raises for network trouble. New translations are saved to the memory as they arrive (at most a second
    apart, and on the way out even when interrupted), so an interrupted run loses nothing already paid for."""
    started = time.monotonic()
    report = TranslationReport()
    result = Translations()
    from_memory: set[str] = set()
    unique = list(dict.fromkeys(s.strip() for s in segments if s and s.strip()))
    to_do = []
    for segment in unique:
        if needs_translation(segment, config.source):
            to_do.append(segment)
        else:
            result[segment] = segment
    root = memory_root(config)

    if config.backend == "none" or config.backend not in LIMITS:
        # Memory only: whatever any backend has stored for this language pair.
        memories = [TranslationMemory(root, b, config.source, config.target, snapshot_dir)
                    for b in stored_backends(root, config.source, config.target)]
        for segment in to_do:
            found = None
            for memory in memories:
                parts = [stored_english(memory, key, slots)
                         for key, _, slots in chunks_of(segment, LIMITS.get(memory.folder.parent.name, 450))]
                if all(p is not None for p in parts):
                    found = " ".join(parts)  # type: ignore[arg-type]
                    break
            if found is None:
                report.pending.add(segment)
            else:
                result[segment] = found
                from_memory.add(segment)
        if config.backend != "none":
            report.backend_down = True
            report.breaker_reason = f"unknown translator '{config.backend}' (choose one of {', '.join(BACKENDS)})"
        return _finish(result, from_memory, report, started)

    memory = TranslationMemory(root, config.backend, config.source, config.target, snapshot_dir)
    plan = RequestPlan(memory, LIMITS[config.backend], lambda text: needs_translation(text, config.source))
    for segment in to_do:
        plan.add(segment)
    jobs = batches(list(plan.units.values()), BATCH_CHARS.get(config.backend, LIMITS[config.backend]),
                   URL_BUDGET.get(config.backend))

    if dry_run:
        report.would_send = [SEPARATOR.join(unit.sent for unit in job) for job in jobs]
        report.chars_to_send = sum(len(text) for text in report.would_send)
    elif jobs:
        _request_all(jobs, config, plan, report, progress)

    for segment in to_do:
        english = plan.segment_english(segment)
        if english is None:
            report.pending.add(segment)
            continue
        result[segment] = english
        if plan.from_memory(segment):
            from_memory.add(segment)
        else:
            report.translated += 1
    return _finish(result, from_memory, report, started)


def _finish(result: Translations, from_memory: set[str], report: TranslationReport,
            started: float) -> tuple[Translations, TranslationReport]:
    result.from_memory = frozenset(from_memory)
    report.from_memory = set(from_memory)
    report.memory_hits = len(from_memory)
    report.elapsed = time.monotonic() - started
    return result, report


Job = tuple[Unit, ...]  # the texts of one request, one a line


def _request_all(jobs: list[Job], config: TranslatorConfig, plan: RequestPlan, report: TranslationReport,
                 progress: Callable[[int, int], None] | None) -> None:
    """Send the batches `jobs` with at most `concurrency` requests in flight; answers go to `plan` (and so to the
    memory) as they arrive. A request waiting for its retry does not hold a worker (others go meanwhile), but at
    most 4 x concurrency may wait at once, so a failing backend is detected after a few dozen requests. A batch
    whose answer has not one line per text is asked again one text per request (and after two such batches in a
    row, every remaining batch is: that engine does not keep line breaks); a line rejected inside a batch is asked
    again alone; a batch too long for the server (400/413/414) is halved."""
    run = _Run(config)
    try:
        make_translator(config)  # a missing key or URL is known before any request
    except BackendError as exc:
        run.trip(str(exc))
    total = sum(len(job) for job in jobs)
    slots = max(1, min(config.concurrency, len(jobs)))
    window = 4 * slots
    # Imported here: a build whose sentences are all in the memory never starts a thread pool.
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="translate")
    fresh = list(reversed(jobs))  # popped from the end: document order
    retry_at: list[tuple[float, int, Job, int]] = []  # heap of (when, seq, job, attempt)
    in_flight: dict[Future[Outcome], tuple[Job, int]] = {}
    paused_until = 0.0  # a Retry-After header pauses every request, not just one text
    finished = seq = mismatches = 0
    one_per_request = False
    last_save = time.monotonic()

    def give_up(job: Job, why: str) -> None:
        nonlocal finished
        finished += len(job)
        run.request_failed(why, len(job))

    def ask_again(units: Sequence[Unit]) -> None:  # next, one text per request
        fresh.extend((unit,) for unit in reversed(units))

    try:
        while (fresh or retry_at or in_flight) and not run.open.is_set():
            now = time.monotonic()
            while len(in_flight) < slots and now >= paused_until:
                if retry_at and retry_at[0][0] <= now:
                    _, _, job, attempt = heapq.heappop(retry_at)
                elif fresh and len(retry_at) < window:
                    job, attempt = fresh.pop(), 0
                    if one_per_request and len(job) > 1:
                        ask_again(job[1:])
                        job = job[:1]
                else:
                    break
                in_flight[pool.submit(_attempt, job, run)] = (job, attempt)
            wake = [paused_until - now] if paused_until > now else []
            if retry_at:
                wake.append(retry_at[0][0] - now)
            timeout = max(0.005, min(wake + [0.5]))
            if not in_flight:
                run.open.wait(timeout)
                continue
            completed, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in completed:
                job, attempt = in_flight.pop(future)
                kind, answers, again, why, retry_after = future.result()
                if kind in ("ok", "mismatch"):
                    run.succeeded()
                    plan.arrived(answers)
                    finished += len(answers)
                    if again:
                        run.note_error(why)
                        run.retries += len(again)
                        ask_again(again)
                    if len(job) > 1:  # a text asked alone says nothing about line breaks
                        mismatches = mismatches + 1 if kind == "mismatch" else 0
                    if mismatches >= 2 and not one_per_request:
                        one_per_request = True
                        run.note_error(f"{config.backend} does not keep one answer line per text line: "
                                       "sending one text per request")
                    continue
                run.note_error(why)
                if kind == "no-answer":
                    run.no_answer(why)
                else:
                    run.answered()
                if kind == "split":
                    run.retries += 1
                    half = len(job) // 2
                    fresh.extend([job[half:], job[:half]])
                elif kind == "fatal":
                    run.failed += len(job)
                    run.trip(f"{config.backend}: {why}")
                elif kind == "invalid":
                    run.rejected += len(job)  # asking again rarely fixes garbage, and costs quota
                    give_up(job, why)
                elif kind in ("retry", "no-answer") and attempt < config.retries:
                    run.retries += 1
                    delay = random.uniform(0, min(config.max_backoff, config.backoff * 2 ** attempt))
                    if retry_after is not None:
                        paused_until = max(paused_until, time.monotonic() + min(retry_after, config.max_backoff))
                    seq += 1
                    heapq.heappush(retry_at, (time.monotonic() + delay, seq, job, attempt + 1))
                else:
                    give_up(job, why)
            if progress is not None and completed:
                progress(finished, total)
            if time.monotonic() - last_save >= 1.0:
                plan.memory.save()
                last_save = time.monotonic()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for future in in_flight:  # answers that arrived while we were stopping
            if future.done() and not future.cancelled() and future.exception() is None:
                kind, answers, _, _, _ = future.result()
                if kind in ("ok", "mismatch"):
                    plan.arrived(answers)
        plan.memory.save()
        run.close()
        report.requests += run.requests
        report.chars_sent += run.chars
        report.retries += run.retries
        report.rejected += run.rejected
        report.failures += run.failed
        report.errors = list(run.errors)
        if run.open.is_set():
            report.backend_down = True
            report.breaker_reason = run.reason


# --------------------------------------------------------------------------------------------------------
# Articles: which segments to send, and the English made from the answers.

def _picked_sentences(article: Article, summary: Summary) -> list[str]:
    return [article.paragraphs[p][s] for p, s in summary.picks]


# A paragraph is sent as pieces: a prose paragraph's pieces are its sentences; a Markdown heading, list, quote or
# table is cut around its marks (heading and list marks, '>' and table pipes stay as written, code is not sent), so
# the English keeps the block's shape whatever a translator does with line breaks and punctuation.
Piece = tuple[str, bool]  # (text, is it sent for translation)
_LINE_MARKS = re.compile(r"\s*(?:(?:#{1,6}|>|[-*+]|\d+[.)])(?:\s+|$))*")
_TABLE_RULE = re.compile(r"\s*:?-+:?\s*")


def _text_pieces(text: str) -> list[Piece]:
    core = text.strip()
    if not core:
        return [(text, False)]
    start = text.index(core)
    return [(text[:start], False), (core, True), (text[start + len(core):], False)]


def block_pieces(block: str) -> list[Piece]:
    """A Markdown structure block as pieces: marks, pipes and code kept, the words in between sent."""
    if block.lstrip().startswith(("```", "~~~")) or block.startswith(("    ", "\t")):
        return [(block, False)]
    pieces: list[Piece] = []
    for n, line in enumerate(block.split("\n")):
        if n:
            pieces.append(("\n", False))
        if line.lstrip().startswith("|"):
            for k, cell in enumerate(line.split("|")):
                if k:
                    pieces.append(("|", False))
                pieces.extend([(cell, False)] if _TABLE_RULE.fullmatch(cell) else _text_pieces(cell))
        else:
            mark = _LINE_MARKS.match(line).group(0)  # type: ignore[union-attr]  (the pattern matches "" too)
            pieces.append((mark, False))
            pieces.extend(_text_pieces(line[len(mark):]))
    return pieces


def paragraph_pieces(paragraph: Sequence[str], markdown: bool) -> list[Piece]:
    """The pieces whose English, joined in order, is the paragraph's English."""
    if markdown and len(paragraph) == 1 and is_structure_block(paragraph[0]):
        return block_pieces(paragraph[0])
    pieces: list[Piece] = []
    for sentence in (s for s in paragraph if s.strip()):
        if pieces:
            pieces.append((" ", False))
        pieces.append((sentence, True))
    return pieces


def segments_for(article: Article, summary: Summary, human: HumanTranslation | None) -> list[str]:
    """The Arabic segments that need machine translation: those no human field covers."""
    out: list[str] = []
    if human is None or human.title is None:
        out.append(article.headline)
    if human is None or human.paragraphs is None:
        out.extend(text for para in article.paragraphs
                   for text, sent in paragraph_pieces(para, article.is_markdown) if sent)
    # A human body gives the summary; a flash's summary is its title.
    if (human is None or (human.summary is None and human.paragraphs is None)) and not article.flash:
        if not summary.picks:
            out.append(summary.text)  # an editor's summary
        else:
            out.extend(_picked_sentences(article, summary))  # body sentences: no extra request
    out.extend(meta_segments(article, human))
    return [s for s in dict.fromkeys(s.strip() for s in out) if s]


def _machine_text(pieces: Sequence[Piece], machine: Mapping[str, str]) -> tuple[str | None, str]:
    """The pieces joined, each sent piece replaced by its translation; status memory (every translation from
    memory), machine, or pending (some translation missing: no text then)."""
    from_memory = getattr(machine, "from_memory", frozenset())
    parts, fresh = [], False
    for text, sent in pieces:
        if not sent:
            parts.append(text)
            continue
        key = text.strip()
        if key not in machine:
            return None, "pending"
        parts.append(machine[key])
        fresh = fresh or key not in from_memory
    return "".join(parts), "machine" if fresh else "memory"


def _machine_field(sources: Sequence[str], machine: Mapping[str, str]) -> tuple[str | None, str]:
    """The translations of `sources` (sentences) joined with spaces."""
    return _machine_text(paragraph_pieces(sources, markdown=False), machine)


def english_for(article: Article, summary: Summary, human: HumanTranslation | None,
                machine: Mapping[str, str], *, words: int | None = None, sentences: int | None = None) -> English:
    """The English article, field by field: a human field always wins, else the machine translation. A human body
    always gives the summary (see english.human_summary; `words`/`sentences` is the site's summary budget), so it
    is never pending for the summary alone; metadata whose English is pending is left out (english.english_meta)."""
    status: dict[str, str] = {}

    if human is not None and human.title is not None:
        title, status["title"] = human.title, "human"
    else:
        title, status["title"] = _machine_field([article.headline], machine)

    paragraphs: tuple[str, ...] | None
    if human is not None and human.paragraphs is not None:
        paragraphs, status["body"] = human.paragraphs, "human"
    else:
        joined = [_machine_text(paragraph_pieces(para, article.is_markdown), machine) for para in article.paragraphs]
        if any(text is None for text, _ in joined):
            paragraphs, status["body"] = None, "pending"
        else:
            paragraphs = tuple(text for text, _ in joined)  # type: ignore[misc]
            statuses = {s for _, s in joined}
            status["body"] = "memory" if statuses <= {"memory"} and joined else "machine"

    # A summary made of Markdown (a human body is Markdown; so is a Markdown article's) is shown as plain text.
    from_human_body = human_summary(article, summary, human, words=words, sentences=sentences)
    if human is not None and human.summary is not None:
        summary_en, status["summary"] = human.summary, "human"
    elif article.flash:  # a brief's summary is its headline (summarize.summarize), in English its title
        summary_en, status["summary"] = title, status["title"]
    elif from_human_body is not None:
        summary_en, status["summary"] = from_human_body, "human"
    elif not summary.picks:
        summary_en, status["summary"] = _machine_field([summary.text], machine)
    else:
        summary_en, status["summary"] = _machine_field(_picked_sentences(article, summary), machine)
        if summary_en is not None and article.is_markdown:
            summary_en = markdown_to_text(summary_en)

    meta, meta_status = english_meta(article, human, machine)
    status.update(meta_status)
    return English(title=title, summary=summary_en, paragraphs=paragraphs, status=status, **meta)


# --------------------------------------------------------------------------------------------------------
# `generate.py translate`: pre-fill the memory, or show what it would cost.

Item = tuple[Article, Summary, "HumanTranslation | None"]


class ProgressBar:
    """A one-line bar on a terminal; a line every 10 % otherwise (CI logs stay short)."""

    def __init__(self, stream: TextIO, label: str = "translating") -> None:
        self.stream, self.label = stream, label
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last_decile = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.tty:
            filled = int(30 * done / total)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            return
        decile = 10 * done // total
        if decile != self._last_decile:
            self._last_decile = decile
            print(f"{self.label}: {done}/{total}", file=self.stream, flush=True)


def _all_segments(items: Iterable[Item]) -> list[str]:
    segments: list[str] = []
    for article, summary, human in items:
        segments.extend(segments_for(article, summary, human))
    return list(dict.fromkeys(segments))


def translate_command(items: Sequence[Item], config: TranslatorConfig, *, dry_run: bool = False,
                      out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Translate every segment of `items` into the memory and print what it cost. Exit status: 0 when nothing is
    pending (or for a dry run), 1 otherwise; partial results are kept in the memory either way."""
    out, err = out or sys.stdout, err or sys.stderr
    segments = _all_segments(items)
    progress = None if dry_run else ProgressBar(err)
    result, report = translate_segments(segments, config, progress=progress, dry_run=dry_run)
    where = f" at {config.url}" if config.backend == "libre" and config.url else ""
    print(f"translator: {config.backend}{where} ({config.source} -> {config.target}), "
          f"memory: {memory_root(config)}", file=out)
    print(f"articles: {len(items)}, segments: {len(segments)}, from memory: {report.memory_hits}", file=out)
    if dry_run:
        for text in report.would_send:
            lines = text.split(SEPARATOR)
            print(f"would send ({len(text)} chars, {len(lines)} texts):", file=out)
            for line in lines:
                print(f"  {line}", file=out)
        print(f"would send {len(report.would_send)} requests, {report.chars_to_send} characters", file=out)
        return 0
    # Segments never sent because the breaker stopped the backend are not failures: say why they were not sent.
    outcome = f"failures: {report.failures}" if report.failures or not report.backend_down else ""
    if report.backend_down:
        why = "unreachable" if "cannot be reached" in (report.breaker_reason or "") else "stopped"
        outcome += (", " if outcome else "") + f"not sent: translator {why}"
    print(f"requests made: {report.requests}, characters sent: {report.chars_sent}, "
          f"cache hits: {report.memory_hits}, translated: {report.translated}, {outcome}, "
          f"rejected answers: {report.rejected}, retries: {report.retries}, "
          f"pending: {len(report.pending)}, time: {report.elapsed:.1f} s", file=out)
    if report.backend_down:
        print(f"translator stopped: {report.breaker_reason}", file=err)
    for message in report.errors:
        print(f"  error: {message}", file=err)
    return 1 if report.pending else 0


def prune_command(items: Sequence[Item], config: TranslatorConfig, *, out: TextIO | None = None) -> int:
    """Remove memory entries (every backend, this language pair) that no current article needs any more."""
    out = out or sys.stdout
    segments = _all_segments(items)
    root = memory_root(config)
    total = 0
    for backend in stored_backends(root, config.source, config.target):
        limit = LIMITS.get(backend, 450)
        keep = [key for s in segments for key in memory_keys(s, limit)]
        memory = TranslationMemory(root, backend, config.source, config.target)
        removed = memory.prune(keep)
        memory.save()
        total += removed
        print(f"{backend}: removed {removed} stale entries, {len(memory)} kept", file=out)
    print(f"pruned {total} entries", file=out)
    return 0

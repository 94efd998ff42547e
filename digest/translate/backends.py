"""The translation backends: deep-translator's classes set up for each engine, and the HTTP layer under them.

deep-translator calls `requests` with no timeout, so each backend module's `requests` name is pointed at a small
stand-in that adds a timeout, keeps one keep-alive session per worker thread, counts requests and records the
last HTTP outcome of the thread: deep-translator raises many unrelated exception types, and that outcome is what
tells 429 from 5xx from a dead host (classify_failure). API keys come from the environment only and are redacted
from every message.
"""
from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING, Any

from digest.translate.settings import TranslatorConfig

if TYPE_CHECKING:
    from digest.translate.runstate import RunState

BACKENDS = ("google", "libre", "mymemory", "deepl", "microsoft", "none")

# API keys are read from these environment variables only (the same names deep-translator documents).
KEY_ENV = {"deepl": "DEEPL_API_KEY", "microsoft": "MICROSOFT_API_KEY", "libre": "LIBRE_API_KEY"}
OTHER_ENV = ("MICROSOFT_REGION", "MYMEMORY_EMAIL")
_LIBRE_PLACEHOLDER_KEY = "no-key"  # deep-translator insists on a key; self-hosted servers ignore it


# --------------------------------------------------------------------------------------------------------
# HTTP: a timeout on every request deep-translator makes, and a record of what happened.

# Per worker thread: the run it requests for (timeouts, sessions, request count: see RunState), this request's
# timeout, the last HTTP outcome (a Response or a RequestException), and its keep-alive session.
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
        run: RunState | None = getattr(_local, "run", None)
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


def work_for(run: RunState) -> None:
    """From now on this thread's requests are made for `run` (its timeouts, sessions and request count); nothing
    has happened over HTTP yet."""
    _local.run = run
    _local.last_http = None


def set_request_timeout(timeout: tuple[float, float]) -> None:
    """(connect, read) timeout of the requests this thread makes next."""
    _local.timeout = timeout


def last_http_outcome() -> Any:
    """The Response or RequestException of this thread's last request, or None when it made none."""
    return getattr(_local, "last_http", None)


def thread_session(run: RunState) -> tuple[requests.Session, bool]:
    """This thread's keep-alive session for `run`, and whether it was opened just now (a thread that worked for
    an earlier run opens a fresh one: that run closed its sessions)."""
    if getattr(_local, "session_run", None) is not run:
        _local.session = requests.Session()
        _local.session_run = run
        return _local.session, True
    return _local.session, False


def classify_failure(exc: BaseException) -> tuple[str, str, float | None]:
    """(kind, description, retry-after seconds) of a failed attempt, from the last HTTP outcome of this thread.
    kind: "no-answer" (timeout, connection), "retry" (429, 5xx), "fatal" (401/403), "invalid" (an HTTP success
    deep-translator could not read) or "error"."""
    last = last_http_outcome()
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

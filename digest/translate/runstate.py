"""What the worker threads of one translation run share: counters, a few error messages, their keep-alive sessions,
and the circuit breaker that stops every request once the backend is clearly unreachable or keeps failing (so an
offline build finishes in seconds instead of retrying each text)."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from digest.translate.backends import TIMEOUT_CHARS, redact, thread_session
from digest.translate.settings import TranslatorConfig

if TYPE_CHECKING:
    import requests


class RunState:
    """One run of translate_segments, shared by its worker threads (every change under `lock`)."""

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
        """The calling thread's keep-alive session (closed by close())."""
        session, opened = thread_session(self)
        if opened:
            with self.lock:
                self._sessions.append(session)
        return session

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

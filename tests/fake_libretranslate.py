"""A LibreTranslate-compatible HTTP server on 127.0.0.1 for tests (stdlib only).

It answers `POST /translate` (parameters in the query string or the form body, as deep-translator sends them)
with {"translatedText": fake_english(q)} and records every request. `behaviour(server, q, nth)` can replace the
answer: it gets the text and how many times that text was asked before, and returns (status, content type,
body), or "sleep" (answer late), or "die" (drop the connection and stop the server: later requests are refused).
A text of several lines (a batch) is answered line by line, as LibreTranslate does.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_LATIN = "abcdefghijklmnopqrstuvwxyz"


def fake_english(text: str) -> str:
    """A deterministic stand-in for a translation, line by line as real engines answer a text of several lines:
    every Arabic letter becomes a Latin one, order kept, anything else (placeholders, digits) as it is."""
    return "\n".join("EN " + "".join(_LATIN[ord(ch) % 26] if "\u0600" <= ch <= "\u06ff" else ch for ch in line)
                     for line in text.split("\n"))


Behaviour = Callable[["FakeLibreTranslate", str, int], Any]


class FakeLibreTranslate:
    def __init__(self, behaviour: Behaviour | None = None, sleep: float = 1.0) -> None:
        self.behaviour = behaviour
        self.sleep = sleep
        self.requests: list[dict[str, str]] = []
        self.asked: Counter[str] = Counter()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                params.update({k: v[0] for k, v in parse_qs(body).items()})
                if parts.path != "/translate":
                    self._send(404, "text/html", "<html><body>Not Found</body></html>")
                    return
                q = params.get("q", "")
                with fake.lock:
                    nth = fake.asked[q]
                    fake.asked[q] += 1
                    fake.requests.append(params)
                answer = fake.behaviour(fake, q, nth) if fake.behaviour else None
                if answer == "sleep":
                    time.sleep(fake.sleep)
                    answer = None
                if answer == "die":
                    self.close_connection = True
                    threading.Thread(target=fake.stop, daemon=True).start()
                    return
                if answer is None:
                    answer = (200, "application/json", json.dumps({"translatedText": fake_english(q)}))
                self._send(*answer)

            def _send(self, status: int, ctype: str, body: str) -> None:
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._stopped = False

    def __enter__(self) -> FakeLibreTranslate:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        with self.lock:
            if self._stopped:
                return
            self._stopped = True
        self.server.shutdown()
        self.server.server_close()

    @property
    def texts(self) -> list[str]:
        """The text of every request, in order."""
        with self.lock:
            return [r.get("q", "") for r in self.requests]

    @property
    def lines(self) -> list[str]:
        """Every line of every request: the texts sent, one a line."""
        return [line for text in self.texts for line in text.split("\n")]


def error_page(status: int = 200) -> tuple[int, str, str]:
    return (status, "text/html",
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
            "<body><h1>Bad Gateway</h1><p>nginx</p></body></html>")


def json_answer(text: str, status: int = 200) -> tuple[int, str, str]:
    return (status, "application/json", json.dumps({"translatedText": text}))

"""Google, MyMemory, DeepL and Microsoft look-alikes on 127.0.0.1 for tests and benchmarks (stdlib only).

deep-translator reads its endpoints from `deep_translator.constants.BASE_URLS` when a translator object is made;
`FakeEngines.pointing()` points them at this server for a while, so the real deep-translator code makes real HTTP
requests here. Each backend gets an answer of its own shape, translated line by line with fake_english:
Google's mobile page (`div.result-container`), MyMemory's and DeepL's JSON, Microsoft's JSON list.
"""
from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_libretranslate import fake_english

_PATHS = {"/m": "google", "/get": "mymemory", "/v2/translate": "deepl", "/translate": "microsoft"}
_GOOGLE_PAGE = ('<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>Google Translate</title>'
                '</head><body><div class="root-container"><form action="/m"><input type="text" name="q" value="">'
                '</form><div class="result-container">{}</div></div></body></html>')


class FakeEngines:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (backend, text sent)
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                backend = _PATHS.get(parts.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                if backend is None:
                    self._send(404, "text/html", "<html><body>Not Found</body></html>")
                    return
                text = json.loads(body)[0]["text"] if backend == "microsoft" else query.get(
                    "text" if backend == "deepl" else "q", "")
                with fake.lock:
                    fake.requests.append((backend, text))
                english = fake_english(text)
                if backend == "google":
                    self._send(200, "text/html; charset=UTF-8", _GOOGLE_PAGE.format(html.escape(english)))
                elif backend == "mymemory":
                    self._send(200, "application/json", json.dumps(
                        {"responseData": {"translatedText": english, "match": 0.85}, "responseStatus": 200,
                         "matches": []}))
                elif backend == "deepl":
                    self._send(200, "application/json", json.dumps(
                        {"translations": [{"detected_source_language": "AR", "text": english}]}))
                else:
                    self._send(200, "application/json", json.dumps([{"translations": [{"text": english,
                                                                                         "to": "en"}]}]))

            def _send(self, status: int, ctype: str, body: str) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> FakeEngines:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    @contextmanager
    def pointing(self) -> Iterator[None]:
        """deep-translator's Google, MyMemory, DeepL and Microsoft endpoints are this server's meanwhile."""
        from deep_translator.constants import BASE_URLS

        saved = dict(BASE_URLS)
        BASE_URLS.update({"GOOGLE_TRANSLATE": self.url + "/m", "MYMEMORY": self.url + "/get",
                          "DEEPL": self.url + "/{version}/", "DEEPL_FREE": self.url + "/{version}/",
                          "MICROSOFT_TRANSLATE": self.url + "/translate?api-version=3.0"})
        try:
            yield
        finally:
            BASE_URLS.clear()
            BASE_URLS.update(saved)

    def texts(self, backend: str) -> list[str]:
        with self.lock:
            return [text for name, text in self.requests if name == backend]

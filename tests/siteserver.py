"""Serve a built site on 127.0.0.1 the way GitHub Pages does: at the root or under a project sub-path,
directory URLs answered by their index.html, unknown paths (and folders without one) answered 404 with the site's
404.html."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def __init__(self, *args, directory: str, prefix: str, **kwargs):
        self.prefix = prefix
        super().__init__(*args, directory=directory, **kwargs)

    def send_head(self):
        if not unquote(urlsplit(self.path).path).startswith(self.prefix):
            self.send_error(404)  # outside the site's sub-path
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        return super().translate_path("/" + path[len(self.prefix):])

    def list_directory(self, path):  # GitHub Pages lists no folder: a folder without index.html is not found
        self.send_error(404)
        return None

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # keep test and script output clean
        pass


class SiteServer:
    """`with SiteServer(output, "/repo/") as url:` -> "http://127.0.0.1:PORT/repo/", stopped on exit."""

    def __init__(self, directory: Path, prefix: str = "/", port: int = 0):
        if not prefix.startswith("/") or not prefix.endswith("/"):
            raise ValueError("prefix must start and end with '/'")
        handler = functools.partial(_Handler, directory=str(directory), prefix=prefix)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{prefix}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

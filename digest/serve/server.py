"""The HTTP side of `generate.py serve`: output/ on 127.0.0.1, HTML with the live-reload script, the live-reload
endpoints (/__livereload long polling, its script and stylesheet), and the site's 404.html for a page that does not
exist (live reload included, so a page that comes back reloads by itself). Nothing is listed."""
from __future__ import annotations

import html
import http.server
import json
import re
from pathlib import Path

from digest.serve.builds import Site
from digest.serve.livereload import LIVERELOAD_CSS, LIVERELOAD_JS, inject


LONG_POLL = 20.0  # seconds /__livereload?since=N waits for a newer build before answering anyway


def make_handler(site: Site, root: Path, base_path: str = "/"):
    """Requests for output/: HTML gets the live-reload script, anything missing gets the site's 404.html (with
    the script, so a page that comes back reloads by itself), nothing is listed. `base_path` is the site's
    sub-path (/repo/ on GitHub Pages): 404.html links its assets there, so that prefix is served too."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format, *args):  # noqa: A002 - quiet server; builds print what matters
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):  # the page went away (reload, navigation): not news
                pass

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):  # noqa: N802
            self.do_GET()

        def do_GET(self):  # noqa: N802
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == "/__livereload.js":
                return self._send(200, LIVERELOAD_JS, "application/javascript")
            if path == "/__livereload.css":
                return self._send(200, LIVERELOAD_CSS, "text/css")
            if path == "/__livereload":
                since = re.search(r"[?&]since=(\d+)", self.path)
                state = site.state(int(since.group(1)) if since else None, LONG_POLL)
                return self._send(200, json.dumps(state).encode(), "application/json")
            fs_path = self._file(path)
            if fs_path is None and base_path != "/" and path.startswith(base_path):
                path = path[len(base_path) - 1:]
                fs_path = self._file(path)
            if fs_path is None:
                return self._send(404, inject(_not_found_page(root, site.error)), "text/html; charset=utf-8")
            if fs_path.is_dir():
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return None
            if fs_path.suffix == ".html":
                return self._send(200, inject(fs_path.read_bytes()), "text/html; charset=utf-8")
            self.path = path
            return super().do_GET()

        def _file(self, path: str) -> Path | None:
            """The file a URL path names (a folder's index.html; a folder without one when the path lacks its
            final '/', for the redirect), or None when there is nothing to serve."""
            fs_path = Path(self.translate_path(path))
            if fs_path.is_dir():
                if not path.endswith("/"):
                    return fs_path if (fs_path / "index.html").is_file() else None
                fs_path = fs_path / "index.html"
            return fs_path if fs_path.is_file() else None

    return Handler


def _not_found_page(root: Path, error: str | None) -> bytes:
    """The site's own 404.html, or (before a first good build made one) a plain page saying why."""
    try:
        return (root / "404.html").read_bytes()
    except OSError:
        pass
    reason = f"<h1>Build failed</h1><pre>{html.escape(error)}</pre>" if error else "<h1>Page not found</h1>"
    return (f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Not found</title><body>{reason}"
            "</body></html>").encode()

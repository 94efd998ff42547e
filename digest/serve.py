"""`generate.py serve` and `generate.py watch`: rebuild on every saved change, serve output/ with live reload.

The watcher (watchdog) looks at the content, templates and static folders and the config file; events are
debounced (an editor's save is several events) and temporary/swap files are ignored. Each rebuild is an
incremental build (digest.build), so one saved article reaches output/ in a fraction of a second. A failed
build is printed and shown in the browser; the watcher keeps going and the next good save recovers.

Live reload exists only in served responses: the server adds <script src="/__livereload.js"> to HTML as it
sends it; the files in output/ never contain it. The script polls /__livereload (the build generation number)
and reloads the page when it changes.
"""
from __future__ import annotations

import html
import http.server
import json
import re
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

from .config import Config, ConfigError

DEBOUNCE = 0.1  # seconds of quiet after the last event before rebuilding
_IGNORED = re.compile(r"(^\.|~$|\.sw[a-p]$|\.swpx$|\.tmp$|\.bak$|^#.*#$|^\.#|4913$|\.part$|\.crdownload$)")

LIVERELOAD_JS = b"""(function () {
  var seen = null, box = null;
  function show(error) {
    if (!error) { if (box) { box.remove(); box = null; } return; }
    if (!box) { box = document.createElement('pre'); box.id = '__build_error';
      box.style.cssText = 'position:fixed;inset:auto 0 0 0;max-height:50%;overflow:auto;margin:0;padding:1em;' +
        'background:#400;color:#fff;font:13px monospace;z-index:2147483647;direction:ltr;text-align:left';
      document.body.appendChild(box); }
    box.textContent = 'Build failed:\\n' + error;
  }
  function poll() {
    fetch('/__livereload', {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.generation !== seen) { location.reload(); return; }
      seen = s.generation; show(s.error);
    }).catch(function () {}).then(function () { setTimeout(poll, 300); });
  }
  poll();
})();
"""
_SCRIPT_TAG = b'<script src="/__livereload.js"></script>'


def ignored(path: str) -> bool:
    """Editor temp/swap/backup files and hidden files never trigger a build."""
    return bool(_IGNORED.search(Path(path).name))


class Site:
    """Build state shared by the watcher and the server."""

    def __init__(self, build_once: Callable[[], None], log: Callable[[str], None]):
        self._build_once = build_once
        self.log = log
        self.generation = 0
        self.error: str | None = None
        self._lock = threading.Lock()

    def rebuild(self) -> bool:
        with self._lock:
            started = time.perf_counter()
            try:
                self._build_once()
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure is reported, the watcher keeps going
                self.error = f"{type(exc).__name__}: {exc}"
                self.log(f"build failed: {self.error}\n{traceback.format_exc(limit=3)}"
                         "output/ was left as it was; fix the file and save again")
                self.generation += 1
                return False
            self.error = None
            self.generation += 1
            self.log(f"rebuilt in {time.perf_counter() - started:.2f}s")
            return True


class Watcher:
    """watchdog observer over the inputs; calls site.rebuild() after DEBOUNCE seconds of quiet."""

    def __init__(self, site: Site, folders: list[Path], files: list[Path], output: Path):
        self.site = site
        self.folders = [f for f in folders if f.is_dir()]
        self.files = {f.resolve() for f in files if f}
        self.output = output.resolve()
        self._event = threading.Event()
        self._last = 0.0
        self._stop = threading.Event()
        self._observer = None

    def _changed(self, path: str) -> None:
        if not path or ignored(path):
            return
        resolved = Path(path).resolve()
        if resolved == self.output or self.output in resolved.parents:
            return
        if any(part.startswith(".") for part in resolved.parts[-2:]):
            return
        self._last = time.monotonic()
        self._event.set()

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):  # noqa: N802 - watchdog API
                if event.event_type in ("opened", "closed_no_write"):
                    return
                if event.is_directory and event.event_type == "modified":
                    return
                path = getattr(event, "dest_path", "") or event.src_path
                if watcher.files and Path(path).resolve() not in watcher.files and not any(
                        Path(path).resolve().is_relative_to(f.resolve()) for f in watcher.folders):
                    return
                watcher._changed(event.src_path)
                if getattr(event, "dest_path", ""):
                    watcher._changed(event.dest_path)

        observer = Observer()
        handler = Handler()
        for folder in self.folders:
            observer.schedule(handler, str(folder), recursive=True)
        for parent in {f.parent for f in self.files}:
            if parent not in self.folders:
                observer.schedule(handler, str(parent), recursive=False)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def run(self) -> None:
        """Rebuild after each burst of changes until stop() (or Ctrl-C)."""
        while not self._stop.is_set():
            if not self._event.wait(0.2):
                continue
            while time.monotonic() - self._last < DEBOUNCE:
                time.sleep(DEBOUNCE / 4)
            self._event.clear()
            self.site.rebuild()

    def stop(self) -> None:
        self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)


def make_handler(site: Site, root: Path):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format, *args):  # noqa: A002 - quiet server; builds print what matters
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
            path = self.path.split("?", 1)[0]
            if path == "/__livereload.js":
                return self._send(200, LIVERELOAD_JS, "application/javascript")
            if path == "/__livereload":
                state = json.dumps({"generation": site.generation, "error": site.error}).encode()
                return self._send(200, state, "application/json")
            fs_path = Path(self.translate_path(path))
            if fs_path.is_dir():
                if not path.endswith("/"):
                    self.send_response(301)
                    self.send_header("Location", path + "/")
                    self.end_headers()
                    return None
                fs_path = fs_path / "index.html"
            if fs_path.suffix == ".html" and fs_path.is_file():
                return self._send(200, inject(fs_path.read_bytes(), site.error), "text/html; charset=utf-8")
            if not fs_path.exists() and site.error:
                return self._send(500, inject(_error_page(site.error), site.error), "text/html; charset=utf-8")
            return super().do_GET()

    return Handler


def inject(page: bytes, error: str | None = None) -> bytes:
    """The served copy of an HTML page: the live-reload script before </body> (or at the end)."""
    index = page.rfind(b"</body>")
    return page + _SCRIPT_TAG if index < 0 else page[:index] + _SCRIPT_TAG + page[index:]


def _error_page(error: str) -> bytes:
    return (f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Build failed</title><body>"
            f"<h1>Build failed</h1><pre>{html.escape(error)}</pre></body></html>").encode()


def _build_function(config_loader: Callable[[], Config], quiet: bool, log: Callable[[str], None]):
    from .build import build, print_report

    def once() -> None:
        try:
            config = config_loader()  # re-read: a config change takes effect at the next save
        except ConfigError as exc:
            raise RuntimeError(str(exc)) from None
        report = build(config, quiet=quiet, log=log)
        if not quiet or report.skipped:
            print_report(report, config, log, quiet=quiet)

    return once


def watch_and_serve(config_loader: Callable[[], Config], *, port: int | None, quiet: bool = False,
                    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True),
                    ready: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> int:
    """Build, then watch (and serve when `port` is not None) until Ctrl-C or `stop` is set."""
    config = config_loader()
    site = Site(_build_function(config_loader, quiet, log), log)
    server = None
    if port is not None:  # the port first: a port in use is said at once, before a build
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(site, config.output_dir))
        except OSError as exc:
            log(f"error: cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}; is another server using it? "
                "Choose another port with --port N")
            return 2
        server.daemon_threads = True
        config.output_dir.mkdir(parents=True, exist_ok=True)  # served even if the first build fails
    watcher: Watcher | None = None
    worker: threading.Thread | None = None
    serving = False
    try:
        site.rebuild()
        watcher = Watcher(site, [config.content_dir, config.templates_dir, config.static_dir],
                          [config.config_path] if config.config_path else [], config.output_dir)
        worker = threading.Thread(target=watcher.run, daemon=True)
        watcher.start()
        if server is not None:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            serving = True
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            log(f"serving {config.output_dir} at {url} (Ctrl-C to stop)")
        else:
            url = ""
            log(f"watching {config.content_dir}, templates and static (Ctrl-C to stop)")
        worker.start()
        if ready:
            ready(url)
        while worker.is_alive() and not (stop and stop.is_set()):
            worker.join(0.2)
    except KeyboardInterrupt:
        log("stopping")
    finally:
        if watcher is not None:
            watcher.stop()
        if server is not None:
            if serving:  # shutdown() waits for serve_forever(): only when it runs
                server.shutdown()
            server.server_close()
        if worker is not None and worker.is_alive():
            worker.join(timeout=5)
    return 0

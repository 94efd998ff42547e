"""`generate.py serve` and `generate.py watch`: rebuild on every saved change, serve output/ with live reload.

The watcher (watchdog) looks at the content, templates and static folders and the config file; events are
debounced (an editor's save is several events) and temporary/swap files are ignored. Each rebuild is an
incremental build (digest/build/pipeline.py), so one saved article reaches output/ in a fraction of a second. A failed
build is printed and shown in the browser; the watcher keeps going and the next good save recovers. Every error
and warning of the last build (file, line, message) is shown over the open page, as the terminal shows it; a page
that does not exist gets the site's 404.html, live reload included, so a page that comes back reloads by itself.

Live reload exists only in served responses: the server adds <script src="/__livereload.js"> to HTML as it
sends it; the files in output/ never contain it. The script polls /__livereload (the build generation number,
the last build's error and problems) and reloads the page when the generation changes.

The translator never delays a rebuild: builds here read the translation memory only (the Arabic page is up at
once), and when articles are left pending a background thread asks the translator for their segments; its
answers trigger a rebuild that adds the English (and the open page reloads).
"""
from __future__ import annotations

import html
import http.server
import json
import re
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

from .config import Config, ConfigError

DEBOUNCE = 0.1  # seconds of quiet after the last event before rebuilding
LONG_POLL = 20.0  # seconds /__livereload?since=N waits for a newer build before answering anyway
_IGNORED = re.compile(r"(^\.|~$|\.sw[a-p]$|\.swpx$|\.tmp$|\.bak$|^#.*#$|^\.#|4913$|\.part$|\.crdownload$)")

# The browser side of live reload. It polls /__livereload (build generation, error, problems of the last build),
# reloads the page when the generation changes and shows the last build's error and every problem (file, line,
# message) in an overlay. Messages are put in with textContent, never as markup: a file name or message can hold
# anything. The overlay is styled by /__livereload.css (a 'self' stylesheet), so a page whose Content-Security-
# Policy forbids inline styles and scripts shows it as well.
LIVERELOAD_JS = b"""(function () {
  var seen = null, box = null, closed = null;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function style() {
    if (document.getElementById('__livereload_css')) { return; }
    var link = el('link'); link.id = '__livereload_css'; link.rel = 'stylesheet'; link.href = '/__livereload.css';
    (document.head || document.documentElement).appendChild(link);
  }
  function show(s) {
    var problems = s.problems || [];
    var key = s.generation;
    if ((!s.error && !problems.length) || closed === key) {
      if (box) { box.remove(); box = null; }
      return;
    }
    if (box && box.dataset.generation === String(key)) { return; }
    style();
    if (box) { box.remove(); }
    box = el('section', '__lr-overlay'); box.id = '__build_problems'; box.dataset.generation = String(key);
    box.setAttribute('role', 'alert'); box.setAttribute('dir', 'ltr'); box.setAttribute('lang', 'en');
    var head = el('header', '__lr-head');
    var errors = problems.filter(function (p) { return p.severity === 'error'; }).length;
    var title = s.error ? 'Build failed' : (problems.length + ' problem' + (problems.length > 1 ? 's' : '') +
      ' in the last build (' + errors + ' error' + (errors === 1 ? '' : 's') + ', ' +
      (problems.length - errors) + ' warning' + (problems.length - errors === 1 ? '' : 's') + ')');
    head.appendChild(el('strong', '', title));
    var close = el('button', '__lr-close', '\\u00d7'); close.type = 'button';
    close.setAttribute('aria-label', 'Hide until the next build');
    close.addEventListener('click', function () { closed = key; show(s); });
    head.appendChild(close);
    box.appendChild(head);
    var list = el('ol', '__lr-list');
    if (s.error) {
      var item = el('li', '__lr-error'); item.appendChild(el('pre', '', s.error)); list.appendChild(item);
    }
    problems.forEach(function (p) {
      var item = el('li', p.severity === 'error' ? '__lr-error' : '__lr-warning');
      item.appendChild(el('code', '__lr-where', p.path + (p.line ? ':' + p.line : '')));
      item.appendChild(el('span', '__lr-severity', p.severity));
      item.appendChild(el('span', '__lr-message', p.message));
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }
  function poll() {
    var url = '/__livereload' + (seen === null ? '' : '?since=' + seen), failed = false;
    fetch(url, {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.generation !== seen) { location.reload(); return; }
      seen = s.generation; show(s);
    }).catch(function () { failed = true; }).then(function () { setTimeout(poll, failed ? 1000 : 0); });
  }
  style();  // loaded now, so an overlay is styled the moment it appears
  poll();
})();
"""
LIVERELOAD_CSS = b""".__lr-overlay { position: fixed; inset: auto 0 0 0; max-height: 50vh; overflow: auto; margin: 0;
  padding: .75em 1em; background: #3b0000; color: #fff; font: 14px/1.45 system-ui, sans-serif;
  z-index: 2147483647; direction: ltr; text-align: left; box-shadow: 0 -2px 12px rgba(0,0,0,.4); }
.__lr-head { display: flex; justify-content: space-between; align-items: center; gap: 1em; }
.__lr-close { font: inherit; font-size: 20px; line-height: 1; background: none; color: #fff; border: 1px solid #fff8;
  border-radius: 4px; padding: 0 .4em; cursor: pointer; }
.__lr-list { margin: .5em 0 0; padding: 0; list-style: none; }
.__lr-list li { padding: .3em 0; border-top: 1px solid #fff3; overflow-wrap: anywhere; }
.__lr-list pre { margin: 0; white-space: pre-wrap; font: 13px monospace; }
.__lr-where { font: 13px monospace; unicode-bidi: isolate; }
.__lr-severity { display: inline-block; margin-inline: .6em; padding: 0 .4em; border-radius: 3px; font-size: 12px;
  background: #ffd166; color: #000; }
.__lr-error .__lr-severity { background: #ff6b6b; }
.__lr-message { unicode-bidi: plaintext; }
"""
_SCRIPT_TAG = b'<script src="/__livereload.js"></script>'


def ignored(path: str) -> bool:
    """Editor temp/swap/backup files and hidden files never trigger a build."""
    return bool(_IGNORED.search(Path(path).name))


class Site:
    """Build state shared by the watcher and the server. `build_once` returns the build's report; `after` gets it
    once the rebuild is done and the lock released (the background translation's start)."""

    def __init__(self, build_once: Callable[[], object], log: Callable[[str], None],
                 after: Callable[[object], None] | None = None):
        self._build_once = build_once
        self._after = after
        self.log = log
        self.generation = 0
        self.error: str | None = None
        # Every error and warning of the last build (path, line, severity, message), for the browser overlay.
        self.problems: list[dict] = []
        self._lock = threading.Lock()
        self._built = threading.Condition()

    def state(self, since: int | None = None, wait: float = 0.0) -> dict:
        """What /__livereload answers. With `since`, waits up to `wait` seconds for a build newer than generation
        `since` (long polling: the page hears of a build the moment it ends, not at its next poll)."""
        if since is not None and wait > 0:
            with self._built:
                self._built.wait_for(lambda: self.generation != since, timeout=wait)
        return {"generation": self.generation, "error": self.error, "problems": self.problems}

    def _finished(self) -> None:
        with self._built:
            self.generation += 1
            self._built.notify_all()

    @property
    def building(self) -> bool:
        return self._lock.locked()

    def rebuild(self) -> bool:
        from digest.build import BuildCancelled

        with self._lock:
            started = time.perf_counter()
            try:
                report = self._build_once()
            except BuildCancelled:
                self.log("build stopped before its commit point; output/ and its build state were left as they were")
                return False
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure is reported, the watcher keeps going
                self.error = f"{type(exc).__name__}: {exc}"
                self.log(f"build failed: {self.error}\n{traceback.format_exc(limit=3)}"
                         "output/ was left as it was; fix the file and save again")
                self.problems = []
                self._finished()
                return False
            self.error = None
            found = list(getattr(report, "skipped", [])) + list(getattr(report, "warnings", []))
            self.problems = [{"path": p.path, "line": p.line, "severity": p.severity, "message": p.message}
                             for p in found]
            self._finished()
            self.log(f"rebuilt in {time.perf_counter() - started:.2f}s")
        if self._after is not None:  # outside the lock: a save is never kept waiting by what follows a build
            self._after(report)
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
        self._guard = threading.Lock()  # start() and stop() may race: serve/watch stops from another thread

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
        with self._guard:
            if self._stop.is_set():
                return
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
        with self._guard:
            self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)


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


def inject(page: bytes, error: str | None = None) -> bytes:
    """The served copy of an HTML page: the live-reload script before </body> (or at the end)."""
    index = page.rfind(b"</body>")
    return page + _SCRIPT_TAG if index < 0 else page[:index] + _SCRIPT_TAG + page[index:]


def _not_found_page(root: Path, error: str | None) -> bytes:
    """The site's own 404.html, or (before a first good build made one) a plain page saying why."""
    try:
        return (root / "404.html").read_bytes()
    except OSError:
        pass
    reason = f"<h1>Build failed</h1><pre>{html.escape(error)}</pre>" if error else "<h1>Page not found</h1>"
    return (f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Not found</title><body>{reason}"
            "</body></html>").encode()


class BackgroundTranslator:
    """One thread at a time asks the translator for what the last build left pending; when answers arrive, the
    site is rebuilt (memory only, so in a fraction of a second) and the English pages appear."""

    def __init__(self, config_loader: Callable[[], Config], log: Callable[[str], None]):
        self.config_loader = config_loader
        self.log = log
        self.site: Site | None = None
        self._thread: threading.Thread | None = None

    def after_build(self, report) -> None:
        """Start a background run when the build left articles pending (and none is running)."""
        if not getattr(report, "pending_records", 0) or (self._thread is not None and self._thread.is_alive()):
            return
        try:
            config = self.config_loader()
        except ConfigError:
            return  # the next build says what is wrong with the config
        self._thread = threading.Thread(target=self._run, args=(config,), name="translate", daemon=True)
        self._thread.start()

    def _run(self, config: Config) -> None:
        from digest.translate import translate_pending

        try:
            report = translate_pending(config.output_dir, config.translator)
        except Exception as exc:  # noqa: BLE001 - the server keeps going; the next build says what is pending
            self.log(f"background translation failed: {type(exc).__name__}: {exc}")
            return
        if report is None:
            return
        if report.translated:
            self.log(f"translated {report.translated} segment(s) in the background; rebuilding")
            if self.site is not None:
                self.site.rebuild()
        elif report.backend_down:
            self.log(f"translator '{config.translator.backend}' not reached ({report.breaker_reason}); "
                     "English pages wait, the Arabic pages are up")


def _build_function(config_loader: Callable[[], Config], quiet: bool, log: Callable[[str], None],
                    cancel: threading.Event):
    from digest.build import build, print_report

    def once():
        try:
            config = config_loader()  # re-read: a config change takes effect at the next save
        except ConfigError as exc:
            raise RuntimeError(str(exc)) from None
        report = build(config, quiet=quiet, log=log, translate=False, cancel=cancel)  # never waits on the network
        if not quiet or report.skipped:
            print_report(report, config, log, quiet=quiet)
        return report

    return once


def watch_and_serve(config_loader: Callable[[], Config], *, port: int | None, quiet: bool = False,
                    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True),
                    ready: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> int:
    """Build, then watch (and serve when `port` is not None) until Ctrl-C, SIGTERM or `stop` is set.

    Every build runs in one worker thread; the main thread only waits. Ctrl-C and SIGTERM just set `stop`: the
    build in progress ends at its next safe point before its commit point (BuildCancelled: output/, its state
    and the cache stay as the last complete build left them, its staging files are removed) or, past that
    point, completes; then the process exits. A second Ctrl-C quits without waiting: the state on disk is still
    consistent (it changes in one rename with the output) and the next build removes what was left behind."""
    stop = stop if stop is not None else threading.Event()
    config = config_loader()
    translator = BackgroundTranslator(config_loader, log)
    site = Site(_build_function(config_loader, quiet, log, stop), log, after=translator.after_build)
    translator.site = site
    server = None
    if port is not None:  # the port first: a port in use is said at once, before a build
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(site, config.output_dir,
                                                                                   config.base_path))
        except OSError as exc:
            log(f"error: cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}; is another server using it? "
                "Choose another port with --port N")
            return 2
        server.daemon_threads = True
        config.output_dir.mkdir(parents=True, exist_ok=True)  # served even if the first build fails
    watcher = Watcher(site, [config.content_dir, config.templates_dir, config.static_dir],
                      [config.config_path] if config.config_path else [], config.output_dir)

    def work() -> None:
        site.rebuild()
        if stop.is_set():
            return
        watcher.start()
        if server is not None:
            log(f"serving {config.output_dir} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
        else:
            log(f"watching {config.content_dir}, templates and static (Ctrl-C to stop)")
        if ready:
            ready(f"http://127.0.0.1:{server.server_address[1]}/" if server is not None else "")
        watcher.run()

    worker = threading.Thread(target=work, name="digest-builds", daemon=True)
    received: list[int] = []
    previous = _on_stop_signals(received)
    serving = None
    try:
        if server is not None:
            serving = threading.Thread(target=server.serve_forever, daemon=True)
            serving.start()
        worker.start()
        while worker.is_alive() and not stop.is_set() and not received:
            time.sleep(0.05)
        if received:
            log("stopping: the build in progress ends at its next safe point (Ctrl-C again to quit at once)"
                if site.building else "stopping")
        stop.set()
        watcher.stop()
        worker.join()  # the build in progress stops at its next safe point (a second Ctrl-C interrupts this)
    except KeyboardInterrupt:
        log("stopped without waiting for the build in progress; output/ and its build state are those of the last "
            "complete build (the next build removes what it left)")
    finally:
        watcher.stop()
        if server is not None:
            if serving is not None:  # shutdown() waits for serve_forever(): only when it runs
                server.shutdown()
            server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _on_stop_signals(received: list[int]) -> dict:
    """Ctrl-C and SIGTERM are appended to `received` (a second one raises KeyboardInterrupt in the main thread).
    The handler touches no lock: it runs in the main thread, which may hold the very lock an Event.set() would
    take. Only the main thread can handle signals, so elsewhere (tests) nothing changes. Returns the handlers
    to restore."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum, frame):
        received.append(signum)
        if len(received) > 1:
            raise KeyboardInterrupt

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    return previous

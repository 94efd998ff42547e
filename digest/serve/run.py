"""watch_and_serve: the builds in one worker thread, the server in another, the main thread waiting for Ctrl-C,
SIGTERM or a stop request, and stopping at the build's next safe point."""
from __future__ import annotations

import http.server
import signal
import sys
import threading
import time
from typing import Callable

from digest.config import Config
from digest.serve.builds import BackgroundTranslator, Site, build_function
from digest.serve.server import make_handler
from digest.serve.watcher import Watcher


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
    from digest.build import BackgroundIndex

    search = BackgroundIndex(log, hold=lambda: site.between_builds(), stop=stop)
    site = Site(build_function(config_loader, quiet, log, stop, search), log, after=translator.after_build)
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
        search.join(timeout=5)  # a Pagefind run in progress is killed (stop is set)
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

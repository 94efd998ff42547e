"""The builds of serve/watch, one at a time: each is an incremental build (digest/build), so one saved article
reaches output/ in a fraction of a second; its outcome (generation number, error, problems) is kept for the
browser. A failed build is printed and shown in the browser; the next good save recovers.

The translator never delays a rebuild: builds here read the translation memory only (the Arabic page is up at
once), and when articles are left pending a background thread asks the translator for their segments; its
answers trigger a rebuild that adds the English (and the open page reloads). Nor does the search index: it is made
in a background thread after each build (digest/build/searchindex.BackgroundIndex)."""
from __future__ import annotations

import threading
import time
import traceback
from typing import Callable

from digest.config import Config, ConfigError


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
        self.next_release: str | None = None  # when the next scheduled article becomes due (last build's report)
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

    def release_due(self) -> bool:
        """A scheduled article's moment has passed since the last build: rebuild without waiting for a save."""
        from digest.build import release_due

        return release_due(self.next_release)

    @property
    def building(self) -> bool:
        return self._lock.locked()

    def between_builds(self) -> threading.Lock:
        """Held: no build runs (the background search index is swapped in under it)."""
        return self._lock

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
                self.next_release = None  # no rebuild by the clock until a save fixes the build
                self._finished()
                return False
            self.error = None
            self.next_release = getattr(report, "next_release", None)
            found = list(getattr(report, "skipped", [])) + list(getattr(report, "warnings", []))
            self.problems = [{"path": p.path, "line": p.line, "severity": p.severity, "message": p.message}
                             for p in found]
            self._finished()
            self.log(f"rebuilt in {time.perf_counter() - started:.2f}s")
        if self._after is not None:  # outside the lock: a save is never kept waiting by what follows a build
            self._after(report)
        return True


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


def build_function(config_loader: Callable[[], Config], quiet: bool, log: Callable[[str], None],
                    cancel: threading.Event, search_later=None):
    from digest.build import build, print_report

    def once():
        try:
            config = config_loader()  # re-read: a config change takes effect at the next save
        except ConfigError as exc:
            raise RuntimeError(str(exc)) from None
        # Never waits on the network, nor on the search index (made in the background, search_later).
        report = build(config, quiet=quiet, log=log, translate=False, cancel=cancel, search_later=search_later)
        if not quiet or report.skipped:
            print_report(report, config, log, quiet=quiet)
        return report

    return once

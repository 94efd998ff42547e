"""Watching the inputs: watchdog over the content, templates and static folders and the config file; events are
debounced (an editor's save is several events), and temporary, swap, backup and hidden files are ignored."""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from digest.serve.builds import Site


DEBOUNCE = 0.1  # seconds of quiet after the last event before rebuilding
_IGNORED = re.compile(r"(^\.|~$|\.sw[a-p]$|\.swpx$|\.tmp$|\.bak$|^#.*#$|^\.#|4913$|\.part$|\.crdownload$)")


def ignored(path: str) -> bool:
    """Editor temp/swap/backup files and hidden files never trigger a build."""
    return bool(_IGNORED.search(Path(path).name))


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
        """Rebuild after each burst of changes, and when a scheduled article becomes due, until stop()."""
        while not self._stop.is_set():
            if not self._event.wait(0.2):
                if self.site.release_due():
                    self.site.rebuild()  # a scheduled article became due: publish it as a save would
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

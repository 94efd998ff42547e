"""What a build tells its user: the report (counts, problems, exit code), one progress line per stage, and the
closing lines printed after it."""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from digest.build.schedule import held_back_line
from digest.build.store import cache_dir
from digest.config import Config
from digest.model import Problem, one_line

# Exit codes of `generate.py build` (documented in the README and in `generate.py build --help`):
# 0 all published; 1 the build failed (nothing changed in output/); 2 bad command line or config;
# 3 some files were skipped, the rest published; 4 --strict and warnings or untranslated articles;
# 5 another build is writing the same output folder (nothing done); 130 interrupted (output/ left as it was).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SKIPPED, EXIT_STRICT, EXIT_BUSY = 0, 1, 2, 3, 4, 5


@dataclass
class BuildReport:
    published: int = 0
    english: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)  # source paths of articles with no English page
    human: int = 0  # articles with a human translation file (content/<stem>.en.md)
    translation: object | None = None  # translate.TranslationReport
    translator_note: str | None = None  # why the translator was not asked (it was found unreachable lately)
    pending_records: int = 0  # articles whose English (a page or some field of it) waits for a translation
    pages: int = 0
    seconds: float = 0.0
    held_drafts: int = 0  # drafts not published (build --drafts publishes them)
    held_scheduled: int = 0  # articles dated in the future, not published yet (build --future publishes them)
    next_release: str | None = None  # ISO moment the next scheduled article becomes due

    def timed(self, started: float) -> "BuildReport":
        self.seconds = time.perf_counter() - started
        return self

    def exit_code(self, strict: bool) -> int:
        if self.skipped:
            return EXIT_SKIPPED
        if strict and (self.warnings or self.untranslated):
            return EXIT_STRICT
        return EXIT_OK


# What a no-change build replays from the last build's report (saved with the state).
REPLAYED = ("published", "english", "skipped", "warnings", "untranslated", "pages", "human", "pending_records",
            "held_drafts", "held_scheduled", "next_release")

Log = Callable[[str], None]


def log_to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


class BuildCancelled(KeyboardInterrupt):
    """`cancel` was set (serve/watch stopping on Ctrl-C or SIGTERM): raised only before the commit point, so the
    output folder and its build state are those of the previous build, and nothing temporary is left."""


class Clock:
    """One progress line per stage: what was done, and how long it took."""

    def __init__(self, say: Log, cancel: threading.Event | None = None):
        self.say = say
        self.started_ns = time.time_ns()
        self.last = time.perf_counter()
        self.cancel = cancel

    def check(self) -> None:
        """Between stages and render batches: stop here if the build was cancelled."""
        if self.cancel is not None and self.cancel.is_set():
            raise BuildCancelled()

    def done(self, stage: str, what: str) -> None:
        now = time.perf_counter()
        self.say(f"{stage:>10}: {what} in {now - self.last:.2f}s")
        self.last = now


UNTRANSLATED_SHOWN = 5  # untranslated articles named on the terminal; the whole list goes to a file


def untranslated_list(config: Config) -> Path:
    """The file listing every article that has no English page after the last build, one source path a line."""
    return cache_dir(config.output_dir) / "untranslated.txt"


def _write_untranslated(report: BuildReport, config: Config) -> Path | None:
    """Keep the list file in step with the report (removed when every article has its English)."""
    from digest.build.output import write_atomic

    path = untranslated_list(config)
    try:
        if not report.untranslated:
            path.unlink(missing_ok=True)
            return None
        # one line per file whatever its name: controls escaped as in messages, bytes that were not UTF-8 in the
        # name (surrogate escapes) written as \udcff rather than failing the build at its last step
        data = "".join(f"{one_line(p)}\n" for p in report.untranslated).encode("utf-8", "backslashreplace")
        if not path.is_file() or path.read_bytes() != data:  # a no-change build rewrites nothing
            write_atomic(path, data)
    except OSError:  # a cache folder we cannot write: the count and the first names are still printed
        return None
    return path


def print_report(report: BuildReport, config: Config, log: Log = log_to_stderr, *, quiet: bool = False) -> None:
    """The closing lines of a build: what was skipped and why (every problem, one line each), then a few lines
    whatever the size of the site: articles without English are counted, the first few named, and all of them
    listed in a file. `quiet`: the problems and the summary line only."""
    for problem in report.skipped + report.warnings:
        log(str(problem))
    tr = report.translation
    listed = _write_untranslated(report, config)
    # Unreachable in this build, or found so lately and left alone (translator_note says until when).
    down = bool(tr is not None and getattr(tr, "backend_down", False) or report.translator_note)
    if not quiet:
        status = [f"{report.english - report.human} machine", f"{report.human} human",
                  f"{len(report.untranslated)} pending"]
        if tr is not None:
            status.append(f"this build: {tr.translated} sentence(s) translated in {tr.requests} request(s) "
                          f"({tr.chars_sent} characters), {tr.memory_hits} from memory")
        log("translation: articles " + ", ".join(status))
    if report.untranslated and not quiet:
        why = (f"translator '{config.translator.backend}' could not be reached" if down
               else "no English page or feed item")
        where = f"; all listed in {listed}" if listed else ""
        log(f"{len(report.untranslated)} article(s) have no English translation yet ({why}){where}:")
        for path in report.untranslated[:UNTRANSLATED_SHOWN]:
            log(f"  untranslated: {one_line(path)}")
        if len(report.untranslated) > UNTRANSLATED_SHOWN:
            log(f"  … and {len(report.untranslated) - UNTRANSLATED_SHOWN:,} more")
    elif down and not quiet:
        log(f"translator '{config.translator.backend}' could not be reached")
    if report.translator_note and not quiet:
        log(report.translator_note)  # when the translator is asked again
    untranslated = ""
    if report.untranslated:
        untranslated = f", {len(report.untranslated)} untranslated"
        if quiet:
            untranslated += (f", translator '{config.translator.backend}' unreachable" if down else "") + (
                f": see {listed}" if listed else "")
    log(f"published {report.published} articles ({report.english} in English{untranslated}), "
        f"skipped {len(report.skipped)}, "
        f"warnings {len(report.warnings)}; {report.pages} files in {config.output_dir} in {report.seconds:.2f}s")
    held = held_back_line(report)
    if held:
        log(held)
    if not report.published and not report.skipped:
        log(f"note: no articles in {config.content_dir}: add wire files (.txt) or Markdown files (.md); "
            "README.md, 'Content format', shows both")

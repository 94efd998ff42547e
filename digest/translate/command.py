"""`generate.py translate`: fill the translation memory for every article (with a progress bar), show what it
would send (--dry-run), or drop the entries no article needs any more (--prune)."""
from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from digest.model import Article, HumanTranslation, Summary
from digest.translate.assembly import segments_for
from digest.translate.engine import translate_segments
from digest.translate.memory import TranslationMemory, stored_backends
from digest.translate.requestplan import LIMITS, SEPARATOR, memory_keys
from digest.translate.settings import TranslatorConfig, memory_root

Item = tuple[Article, Summary, HumanTranslation | None]  # an article, its summary, its human translation


class ProgressBar:
    """A one-line bar on a terminal; a line every 10 % otherwise (CI logs stay short)."""

    def __init__(self, stream: TextIO, label: str = "translating") -> None:
        self.stream, self.label = stream, label
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last_decile = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.tty:
            filled = int(30 * done / total)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            return
        decile = 10 * done // total
        if decile != self._last_decile:
            self._last_decile = decile
            print(f"{self.label}: {done}/{total}", file=self.stream, flush=True)


def _all_segments(items: Iterable[Item]) -> list[str]:
    segments: list[str] = []
    for article, summary, human in items:
        segments.extend(segments_for(article, summary, human))
    return list(dict.fromkeys(segments))


def translate_command(items: Sequence[Item], config: TranslatorConfig, *, dry_run: bool = False,
                      out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Translate every segment of `items` into the memory and print what it cost. Exit status: 0 when nothing is
    pending (or for a dry run), 1 otherwise; partial results are kept in the memory either way."""
    out, err = out or sys.stdout, err or sys.stderr
    segments = _all_segments(items)
    progress = None if dry_run else ProgressBar(err)
    result, report = translate_segments(segments, config, progress=progress, dry_run=dry_run)
    where = f" at {config.url}" if config.backend == "libre" and config.url else ""
    print(f"translator: {config.backend}{where} ({config.source} -> {config.target}), "
          f"memory: {memory_root(config)}", file=out)
    print(f"articles: {len(items)}, segments: {len(segments)}, from memory: {report.memory_hits}", file=out)
    if dry_run:
        for text in report.would_send:
            lines = text.split(SEPARATOR)
            print(f"would send ({len(text)} chars, {len(lines)} texts):", file=out)
            for line in lines:
                print(f"  {line}", file=out)
        print(f"would send {len(report.would_send)} requests, {report.chars_to_send} characters", file=out)
        return 0
    # Segments never sent because the breaker stopped the backend are not failures: say why they were not sent.
    outcome = f"failures: {report.failures}" if report.failures or not report.backend_down else ""
    if report.backend_down:
        why = "unreachable" if "cannot be reached" in (report.breaker_reason or "") else "stopped"
        outcome += (", " if outcome else "") + f"not sent: translator {why}"
    print(f"requests made: {report.requests}, characters sent: {report.chars_sent}, "
          f"cache hits: {report.memory_hits}, translated: {report.translated}, {outcome}, "
          f"rejected answers: {report.rejected}, retries: {report.retries}, "
          f"pending: {len(report.pending)}, time: {report.elapsed:.1f} s", file=out)
    if report.backend_down:
        print(f"translator stopped: {report.breaker_reason}", file=err)
    for message in report.errors:
        print(f"  error: {message}", file=err)
    return 1 if report.pending else 0


def prune_command(items: Sequence[Item], config: TranslatorConfig, *, out: TextIO | None = None) -> int:
    """Remove memory entries (every backend, this language pair) that no current article needs any more."""
    out = out or sys.stdout
    segments = _all_segments(items)
    root = memory_root(config)
    total = 0
    for backend in stored_backends(root, config.source, config.target):
        limit = LIMITS.get(backend, 450)
        keep = [key for s in segments for key in memory_keys(s, limit)]
        memory = TranslationMemory(root, backend, config.source, config.target)
        removed = memory.prune(keep)
        memory.save()
        total += removed
        print(f"{backend}: removed {removed} stale entries, {len(memory)} kept", file=out)
    print(f"pruned {total} entries", file=out)
    return 0

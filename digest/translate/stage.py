"""Translation as a stage with its own state: when a build may ask the translator, and what it remembers.

The pages are a pure function of content, templates, config and the translation memory. An article whose English
is pending is an ordinary cached record (Arabic page published, English absent); what a build remembers about
translation is kept apart from the pages:

- the translator's status (cache/translator.json): when a run could not reach it (or got no usable answer),
  builds use the memory alone for RETRY_AFTER seconds instead of paying for the HTTP stack and a failed
  connection each time;
- per record, the machine segments it needs and a digest of what the memory answered for them (see build.py):
  when the memory changes (an answer arrived), only the records whose answers changed are made again.

Requests happen in one place: `generate.py translate`, the translate step of `build` (the pending segments only,
one failed connection enough to stop) and, in `serve`/`watch`, a background run after each rebuild.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from digest.translate.settings import TranslatorConfig

# digest.build imports this package (the pipeline runs the translate step), so the build's store and output helpers
# are imported where they are used: `import digest.translate` stays free of the build, and neither package's
# __init__ can make an import cycle.
if TYPE_CHECKING:
    from digest.build import Store
    from digest.translate.engine import TranslationReport

RETRY_AFTER = 300.0  # seconds a build leaves an unreachable translator alone


@dataclass
class TranslatorStatus:
    """What the last run found out about one translator (backend + URL)."""

    path: Path
    key: str
    down_until: float = 0.0  # epoch seconds; 0 when the translator was not found down
    reason: str = ""

    def may_request(self, config: TranslatorConfig, now: float | None = None) -> bool:
        from digest.translate.settings import LIMITS  # (not the request engine: a no-change build asks this)

        if config.backend == "none" or config.backend not in LIMITS:
            return False
        return (time.time() if now is None else now) >= self.down_until

    def note(self, report: TranslationReport, now: float | None = None) -> None:
        """Remember the outcome of a run that tried the translator (nothing to say when it sent nothing)."""
        now = time.time() if now is None else now
        if report.backend_down:
            self.down_until, self.reason = now + RETRY_AFTER, report.breaker_reason or "unreachable"
        elif report.requests and report.pending and not report.translated:
            # It answered, but nothing usable (rejected answers): asking again at every build would only cost.
            self.down_until, self.reason = now + RETRY_AFTER, f"no usable answer for {len(report.pending)} sentence(s)"
        elif report.requests:
            self.down_until, self.reason = 0.0, ""
        else:
            return
        from digest.build import write_atomic

        try:
            write_atomic(self.path, json.dumps({"key": self.key, "down_until": self.down_until,
                                                "reason": self.reason}).encode())
        except OSError:
            pass  # a cache we cannot write costs a retry, nothing else

    def describe(self) -> str | None:
        """One line for the build report while the translator is left alone."""
        if self.down_until <= time.time():
            return None
        when = time.strftime("%H:%M", time.localtime(self.down_until))
        return (f"translator not asked until {when} (last try: {self.reason}); builds use the translation memory "
                "alone until then, `generate.py translate` asks at once")


def load_status(cache: Path, config: TranslatorConfig) -> TranslatorStatus:
    from digest.build import digest_of

    key = digest_of(config.backend, config.url or "", config.source, config.target)
    status = TranslatorStatus(cache / "translator.json", key)
    try:
        saved = json.loads(status.path.read_text(encoding="utf-8"))
        if saved.get("key") == key:
            status.down_until, status.reason = float(saved["down_until"]), str(saved["reason"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # missing or foreign: nothing known, so the translator may be asked
    return status


def for_build(config: TranslatorConfig) -> TranslatorConfig:
    """A build stops at the first request that gets no answer: the pending pages wait for a later run."""
    return replace(config, breaker_unreachable=1)


def pending_segments(store: Store, records: dict[str, tuple]) -> list[str]:
    """The machine segments of the pending records among `records` (record key -> packed record, see
    incremental.pack_record), in order, each once; the store keeps them as "T:<record key>"."""
    found = store.get_many(f"T:{k}" for k, packed in records.items() if packed[3])
    return list(dict.fromkeys(s for made in found.values() for s in made[0]))  # (segments, answers, pending)


def translate_pending(output_dir: Path, config: TranslatorConfig) -> TranslationReport | None:
    """Ask the translator for the segments the last build of `output_dir` left pending (serve and watch run this
    in the background); answers go to the memory, and the next build adds the English they complete. None when
    there was nothing to ask or the translator is being left alone."""
    from digest.build import Store, cache_dir, load_state, state_path
    from digest.translate.engine import translate_segments

    cache = cache_dir(output_dir)
    status = load_status(cache, config)
    if not status.may_request(config):
        return None
    state = load_state(state_path(cache, output_dir), output_dir)
    if not any(packed[3] for packed in state.records.values()):
        return None
    store = Store(cache / "store.sqlite")
    try:
        segments = pending_segments(store, state.records)
    finally:
        store.close()
    if not segments:
        return None
    _, report = translate_segments(segments, for_build(config), snapshot_dir=cache)
    status.note(report)
    return report

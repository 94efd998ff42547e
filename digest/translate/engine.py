"""The request engine: the English of a list of Arabic segments, from the translation memory and the translator.

The unit of translation and of the memory is the segment, mostly a sentence (Article.paragraphs holds sentences):
the English summary is then exactly the translation of the chosen Arabic sentences, and editing a paragraph
re-translates only its changed sentences. A segment longer than the backend accepts is cut at clause or word
boundaries into chunks, the unit of requests and of the memory (requestplan.py), joined back with spaces.

translate_segments() is the one place requests are made. It takes what the memory already holds, plans the rest
into batched requests (requestplan.py: protected text, chunks, batches), and sends them on a bounded thread pool:
retried with exponential backoff and full jitter on 429, 5xx and network trouble, a batch whose answer does not
keep one line per text asked again one text per request, a batch too long for the server halved. The circuit
breaker (runstate.py) stops all calls once the backend is clearly unreachable or keeps failing. Answers are
checked (answers.py; protect.py for placeholders); a rejected answer is never cached or returned. Answers go to
the memory as they arrive, so an interrupted run loses nothing already paid for.
"""
from __future__ import annotations

import heapq
import html
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future

from digest.translate.answers import garbage_reason, needs_translation, reject_reason
from digest.translate.backends import (BACKENDS, BackendError, classify_failure, last_http_outcome, make_translator,
                                       set_request_timeout, work_for)
from digest.translate.memory import TranslationMemory, stored_backends
from digest.translate.protect import placeholder_problem
from digest.translate.requestplan import (BATCH_CHARS, LIMITS, SEPARATOR, URL_BUDGET, RequestPlan, Unit, batches,
                                          chunks_of, stored_english)
from digest.translate.runstate import RunState
from digest.translate.settings import TranslatorConfig, memory_root


@dataclass
class TranslationReport:
    """What one run of translate_segments did: `generate.py translate` prints it, a build reports what is pending."""

    requests: int = 0  # HTTP requests made (retries included)
    chars_sent: int = 0  # characters of source text sent (retries included)
    memory_hits: int = 0  # segments found whole in the memory
    failures: int = 0  # texts (request lines) that failed for good (after retries, or rejected answers)
    pending: set[str] = field(default_factory=set)  # source segments with no translation
    backend_down: bool = False  # circuit breaker opened (or the backend could not even be set up)
    translated: int = 0  # segments newly machine-translated in this run
    retries: int = 0
    rejected: int = 0  # answers refused by validation (never cached nor published)
    from_memory: set[str] = field(default_factory=set)
    breaker_reason: str | None = None
    would_send: list[str] = field(default_factory=list)  # dry run: the requests that would be made (one text a line)
    chars_to_send: int = 0  # dry run: their total characters
    errors: list[str] = field(default_factory=list)  # a few distinct failure reasons, keys redacted
    elapsed: float = 0.0


class Translations(dict):
    """{source segment: English}; `from_memory` tells which entries came from the memory alone."""

    from_memory: frozenset[str] = frozenset()


# --------------------------------------------------------------------------------------------------------
# The entry point.

def translate_segments(segments: Sequence[str], config: TranslatorConfig, *,
                       progress: Callable[[int, int], None] | None = None,
                       dry_run: bool = False,
                       snapshot_dir: Path | None = None) -> tuple[Translations, TranslationReport]:
    """{source segment: English} for every segment found in the memory or translated now; the rest is pending.

    Never raises for network trouble. New translations are saved to the memory as they arrive (at most a second
    apart, and on the way out even when interrupted), so an interrupted run loses nothing already paid for."""
    started = time.monotonic()
    report = TranslationReport()
    result = Translations()
    from_memory: set[str] = set()
    unique = list(dict.fromkeys(s.strip() for s in segments if s and s.strip()))
    to_do = []
    for segment in unique:
        if needs_translation(segment, config.source):
            to_do.append(segment)
        else:
            result[segment] = segment
    root = memory_root(config)

    if config.backend == "none" or config.backend not in LIMITS:
        # Memory only: whatever any backend has stored for this language pair.
        memories = [TranslationMemory(root, b, config.source, config.target, snapshot_dir)
                    for b in stored_backends(root, config.source, config.target) if b in BACKENDS]
        for segment in to_do:
            found = None
            for memory in memories:
                parts = [stored_english(memory, key, slots)
                         for key, _, slots in chunks_of(segment, LIMITS.get(memory.folder.parent.name, 450))]
                if all(p is not None for p in parts):
                    found = " ".join(parts)  # type: ignore[arg-type]
                    break
            if found is None:
                report.pending.add(segment)
            else:
                result[segment] = found
                from_memory.add(segment)
        if config.backend != "none":
            report.backend_down = True
            report.breaker_reason = f"unknown translator '{config.backend}' (choose one of {', '.join(BACKENDS)})"
        return _finish(result, from_memory, report, started)

    memory = TranslationMemory(root, config.backend, config.source, config.target, snapshot_dir)
    plan = RequestPlan(memory, LIMITS[config.backend], lambda text: needs_translation(text, config.source))
    for segment in to_do:
        plan.add(segment)
    jobs = batches(list(plan.units.values()), BATCH_CHARS.get(config.backend, LIMITS[config.backend]),
                   URL_BUDGET.get(config.backend))

    if dry_run:
        report.would_send = [SEPARATOR.join(unit.sent for unit in job) for job in jobs]
        report.chars_to_send = sum(len(text) for text in report.would_send)
    elif jobs:
        _request_all(jobs, config, plan, report, progress)

    for segment in to_do:
        english = plan.segment_english(segment)
        if english is None:
            report.pending.add(segment)
            continue
        result[segment] = english
        if plan.from_memory(segment):
            from_memory.add(segment)
        else:
            report.translated += 1
    return _finish(result, from_memory, report, started)


def _finish(result: Translations, from_memory: set[str], report: TranslationReport,
            started: float) -> tuple[Translations, TranslationReport]:
    result.from_memory = frozenset(from_memory)
    report.from_memory = set(from_memory)
    report.memory_hits = len(from_memory)
    report.elapsed = time.monotonic() - started
    return result, report


# --------------------------------------------------------------------------------------------------------
# Requests: the pool, retries and the breaker; one attempt on a worker thread.

Job = tuple[Unit, ...]  # the texts of one request, one a line


def _request_all(jobs: list[Job], config: TranslatorConfig, plan: RequestPlan, report: TranslationReport,
                 progress: Callable[[int, int], None] | None) -> None:
    """Send the batches `jobs` with at most `concurrency` requests in flight; answers go to `plan` (and so to the
    memory) as they arrive. A request waiting for its retry does not hold a worker (others go meanwhile), but at
    most 4 x concurrency may wait at once, so a failing backend is detected after a few dozen requests. A batch
    whose answer has not one line per text is asked again one text per request (and after two such batches in a
    row, every remaining batch is: that engine does not keep line breaks); a line rejected inside a batch is asked
    again alone; a batch too long for the server (400/413/414) is halved."""
    run = RunState(config)
    try:
        make_translator(config)  # a missing key or URL is known before any request
    except BackendError as exc:
        run.trip(str(exc))
    total = sum(len(job) for job in jobs)
    slots = max(1, min(config.concurrency, len(jobs)))
    window = 4 * slots
    # Imported here: a build whose sentences are all in the memory never starts a thread pool.
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="translate")
    fresh = list(reversed(jobs))  # popped from the end: document order
    retry_at: list[tuple[float, int, Job, int]] = []  # heap of (when, seq, job, attempt)
    in_flight: dict[Future[Outcome], tuple[Job, int]] = {}
    paused_until = 0.0  # a Retry-After header pauses every request, not just one text
    finished = seq = mismatches = 0
    one_per_request = False
    last_save = time.monotonic()

    def give_up(job: Job, why: str) -> None:
        nonlocal finished
        finished += len(job)
        run.request_failed(why, len(job))

    def ask_again(units: Sequence[Unit]) -> None:  # next, one text per request
        fresh.extend((unit,) for unit in reversed(units))

    try:
        while (fresh or retry_at or in_flight) and not run.open.is_set():
            now = time.monotonic()
            while len(in_flight) < slots and now >= paused_until:
                if retry_at and retry_at[0][0] <= now:
                    _, _, job, attempt = heapq.heappop(retry_at)
                elif fresh and len(retry_at) < window:
                    job, attempt = fresh.pop(), 0
                    if one_per_request and len(job) > 1:
                        ask_again(job[1:])
                        job = job[:1]
                else:
                    break
                in_flight[pool.submit(_attempt, job, run)] = (job, attempt)
            wake = [paused_until - now] if paused_until > now else []
            if retry_at:
                wake.append(retry_at[0][0] - now)
            timeout = max(0.005, min(wake + [0.5]))
            if not in_flight:
                run.open.wait(timeout)
                continue
            completed, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in completed:
                job, attempt = in_flight.pop(future)
                kind, answers, again, why, retry_after = future.result()
                if kind in ("ok", "mismatch"):
                    run.succeeded()
                    plan.arrived(answers)
                    finished += len(answers)
                    if again:
                        run.note_error(why)
                        run.retries += len(again)
                        ask_again(again)
                    if len(job) > 1:  # a text asked alone says nothing about line breaks
                        mismatches = mismatches + 1 if kind == "mismatch" else 0
                    if mismatches >= 2 and not one_per_request:
                        one_per_request = True
                        run.note_error(f"{config.backend} does not keep one answer line per text line: "
                                       "sending one text per request")
                    continue
                run.note_error(why)
                if kind == "no-answer":
                    run.no_answer(why)
                else:
                    run.answered()
                if kind == "split":
                    run.retries += 1
                    half = len(job) // 2
                    fresh.extend([job[half:], job[:half]])
                elif kind == "fatal":
                    run.failed += len(job)
                    run.trip(f"{config.backend}: {why}")
                elif kind == "invalid":
                    run.rejected += len(job)  # asking again rarely fixes garbage, and costs quota
                    give_up(job, why)
                elif kind in ("retry", "no-answer") and attempt < config.retries:
                    run.retries += 1
                    delay = random.uniform(0, min(config.max_backoff, config.backoff * 2 ** attempt))
                    if retry_after is not None:
                        paused_until = max(paused_until, time.monotonic() + min(retry_after, config.max_backoff))
                    seq += 1
                    heapq.heappush(retry_at, (time.monotonic() + delay, seq, job, attempt + 1))
                else:
                    give_up(job, why)
            if progress is not None and completed:
                progress(finished, total)
            if time.monotonic() - last_save >= 1.0:
                plan.memory.save()
                last_save = time.monotonic()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for future in in_flight:  # answers that arrived while we were stopping
            if future.done() and not future.cancelled() and future.exception() is None:
                kind, answers, _, _, _ = future.result()
                if kind in ("ok", "mismatch"):
                    plan.arrived(answers)
        plan.memory.save()
        run.close()
        report.requests += run.requests
        report.chars_sent += run.chars
        report.retries += run.retries
        report.rejected += run.rejected
        report.failures += run.failed
        report.errors = list(run.errors)
        if run.open.is_set():
            report.backend_down = True
            report.breaker_reason = run.reason


_TOO_LONG = (400, 413, 414)  # what servers answer to a URL or body over their limit
Outcome = tuple[str, dict[str, str], list[Unit], str, "float | None"]


def _attempt(batch: tuple[Unit, ...], run: RunState) -> Outcome:
    """One request for a batch of texts, one a line, on a worker thread: (kind, answers {sent text: checked
    answer}, units to ask again one per request, why, retry-after). kind is "ok" (some lines may still be asked
    again alone), "mismatch" (not one answer line per text: all asked again alone), "split" (too long for the
    server: halve it), "invalid" (garbage), "no-answer" (timeout, connection), "retry" (429, 5xx), "fatal" (auth)
    or "error". A single text whose answer is rejected is "invalid": it stays pending, it is not asked again."""
    work_for(run)
    config = run.config
    try:
        translator = make_translator(config)
    except BackendError as exc:
        return "fatal", {}, [], str(exc), None
    text = SEPARATOR.join(unit.sent for unit in batch)
    set_request_timeout(run.timeout_for(len(text)))
    with run.lock:
        run.chars += len(text)
    try:
        answer = translator.translate(text)
    except Exception as exc:  # deep-translator raises many unrelated types; classify by what HTTP did
        kind, why, retry_after = classify_failure(exc)
        last = last_http_outcome()
        if len(batch) > 1 and getattr(last, "status_code", None) in _TOO_LONG:
            return "split", {}, [], why, None
        return kind, {}, [], why, retry_after
    if config.backend == "mymemory" and isinstance(answer, str):
        answer = html.unescape(answer)  # MyMemory answers with HTML entities (&#39;)
    reason = garbage_reason(text, answer)
    if reason is not None:
        return "invalid", {}, [], reason, None
    lines = [line.strip() for line in answer.strip().split(SEPARATOR) if line.strip()]
    if len(batch) == 1:
        lines = [" ".join(lines)]  # a line break the engine added inside one text
    elif len(lines) != len(batch):
        return "mismatch", {}, list(batch), f"{len(lines)} answer lines for {len(batch)} texts", None
    good: dict[str, str] = {}
    again: list[Unit] = []
    for unit, line in zip(batch, lines):
        reason = reject_reason(unit.sent, line, config.target) or placeholder_problem(unit.sent, line)
        if reason is None:
            good[unit.sent] = line
        else:
            again.append(unit)
            why = reason
    if again and len(batch) == 1:
        return "invalid", {}, [], why, None
    return "ok", good, again, why if again else "", None

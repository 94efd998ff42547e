"""The pipeline, in one place: load -> summarize -> translate -> render -> feeds -> write."""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, NamedTuple

from digest.read import (Notes, git_first_commit_times, load_article, load_content, load_human_translation, relative_to,
                         scan_content)
from digest.build.cache import (BuildState, IncrementalOutput, Store, apply_journal, cache_dir, digest_of, file_digests,
                    load_heavy, load_state, promote_state, recover_state, remove_leftovers, save_quick, stage_state,
                    state_path)
from digest.config import Config
from digest.site.feeds import rss_feed, sitemap
from digest.build.incremental import (TeaserLookup, TeaserRef, Teasers, article_stubs, dates_from_outside, fingerprints,
                          new_record, pack_record, plan_pages, quick_hash, reshard, teaser_shards,
                          unpack_article, unpack_record, unshard)
from digest.model import Article, English, Problem, Summary, one_line
from digest.build.output import OutputLock, StagedOutput, check_output_dir
from digest.site.render import (KNOWN_DATES, OTHER, ArticleView, PageRenderer, article_path, article_views, feed_path,
                     home_page_count, home_path, sort_key)
from digest.build.renderpool import dedupe_home_jobs, parallel, render_pages
from digest.translate import (TranslatorStatus, english_for, for_build, load_status, pending_segments, segments_for,
                              take_problems, translate_segments)

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

    def exit_code(self, strict: bool) -> int:
        if self.skipped:
            return EXIT_SKIPPED
        if strict and (self.warnings or self.untranslated):
            return EXIT_STRICT
        return EXIT_OK


# What a no-change build replays from the last build's report (saved with the state).
_REPLAYED = ("published", "english", "skipped", "warnings", "untranslated", "pages", "human", "pending_records")

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def summarize_all(config: Config, articles: list[Article]) -> dict[str, Summary]:
    return dict(_summarize_one(a, config.summary_sentences, config.summary_words) for a in articles)


def translate_all(config: Config, articles: list[Article], summaries: dict[str, Summary], humans: dict,
                  log: Log, status: TranslatorStatus | None = None
                  ) -> tuple[dict[str, English], object, dict[str, tuple[str, ...]], dict[str, str]]:
    """English of `articles`; the translator is asked for segments not in the memory only when `status` allows it
    (else memory alone). Also per slug: its machine segments, and the digest of the answers they got."""
    needed: dict[str, None] = {}  # ordered set: first-seen order keeps requests in document order
    segments: dict[str, tuple[str, ...]] = {}
    for a in articles:
        segments[a.slug] = tuple(segments_for(a, summaries[a.slug], humans.get(a.slug)))
        for segment in segments[a.slug]:
            needed.setdefault(segment)
    # The parsed memory is kept beside the build cache while its files are unchanged.
    ask = status is not None and status.may_request(config.translator)
    tr = for_build(config.translator) if ask else config.translator
    machine, report = translate_segments(list(needed), tr, snapshot_dir=cache_dir(config.output_dir), dry_run=not ask)
    if ask and needed:
        status.note(report)
    budget = {"sentences": config.summary_sentences, "words": None if config.summary_sentences else config.summary_words}
    english = {a.slug: english_for(a, summaries[a.slug], humans.get(a.slug), machine, **budget) for a in articles}
    answers = {slug: answers_digest(segs, machine) for slug, segs in segments.items()}
    return english, report, segments, answers


def answers_digest(segments: tuple[str, ...], machine) -> str:
    """What the memory answered for a record's segments: when it changes, the record is made again."""
    return digest_of([(s, machine.get(s)) for s in segments]) if segments else ""


class BuildCancelled(KeyboardInterrupt):
    """`cancel` was set (serve/watch stopping on Ctrl-C or SIGTERM): raised only before the commit point, so the
    output folder and its build state are those of the previous build, and nothing temporary is left."""


def build(config: Config, *, log: Log = _stderr, quiet: bool = False, full: bool = False,
          translate: bool = True, cancel: threading.Event | None = None) -> BuildReport:
    """Build the site into config.output_dir. Bad articles are reported, not fatal.

    Incremental: per-article work comes from the cache (digest/build/cache.py) when its inputs are unchanged, and only
    output files whose recipe changed are rendered. A full build (`full=True`, no previous state, static files
    changed, or most pages changed) renders everything into a fresh folder that is swapped in whole; an
    incremental one writes the changed files through a journal. Either way the result is byte-identical to a
    clean full build, and a killed build leaves the previous site. `full=True` ignores the previous build's plan
    (every page is rendered and written) but still uses the per-article caches, which are keyed by content.
    `cancel` set: BuildCancelled at the next stage or render batch before the commit point; after it, the build
    completes (a few renames and one state rename).

    Translation is a stage: an article whose English is pending is cached like any other (Arabic page only). With
    `translate`, the build asks the translator for the pending segments (those of new records, and those of cached
    pending records), unless a recent run found it unreachable (digest/translate/stage.py); without it (serve and watch, which
    translate in the background) the build reads the memory only and never waits on the network."""
    started = time.perf_counter()
    # A folder the build would refuse to replace is refused before anything is read or written (no lock, no cache).
    check_output_dir(config.output_dir, protected=(config.content_dir, config.root))
    report = BuildReport()
    say = (lambda m: None) if quiet else log
    clock = _Clock(say, cancel)
    cdir = cache_dir(config.output_dir)
    lock = _lock_output(config)
    for repair in lock.recovered:
        say(f"note: {repair}")
    store = None
    status = load_status(cdir, config.translator) if translate else None
    try:
        spath = state_path(cdir, config.output_dir)
        state = load_state(spath, config.output_dir, heavy=False)
        if full:
            state.files = {}  # --full trusts no stat signature: every input file is hashed again
        inputs = _scan_inputs(config, state)
        retry = status is not None and bool(state.summary.get("pending_records")) and status.may_request(
            config.translator)
        if not (full or retry) and _nothing_changed(config, state, spath, inputs, report, clock):
            report.translator_note = status.describe() if status and report.pending_records else None
            report.seconds = time.perf_counter() - started
            return report
        if not load_heavy(spath, state) or full:
            state.manifest = {}
        stub_shards, state.stubs = state.stubs, unshard(state.stubs)
        store = Store(cdir / "store.sqlite")
        clock.check()
        loaded = _load_stage(config, state, store, inputs, report, clock)
        clock.check()
        if retry and _translate_stage(config, state, store, inputs.fp, loaded, status, report, clock):
            inputs = _scan_inputs(config, state)  # the memory changed: so did the fingerprint of all inputs
        records = _records_stage(config, state, store, inputs.fp, loaded, say, report, clock, status)
        clock.check()
        listing = _listing(loaded.articles, records, loaded.humans, report)
        plan, jobs = plan_pages(config, inputs.fp, listing)
        small = _small_files(config, inputs.fp, loaded.articles, listing, records, store, plan)
        clock.done("plan", f"{len(plan)} files")
        new_state = _next_state(config, state, inputs, plan, loaded, records, stub_shards, clock)
        teasers = {lang: Teasers(refs, TeaserLookup(state.teasers, records.new_teasers))
                   for lang, refs in listing.teasers.items()}
        new_state.summary = {"memory": inputs.fp["memory"]}  # the memory the records were checked against
        _write_stage(config, spath, state.manifest, plan, jobs, small, teasers, listing, records, store, new_state,
                     report, clock)
    finally:
        if store is not None:
            store.close()
        lock.release()
    if status is not None and report.pending_records:
        report.translator_note = status.describe()
    report.seconds = time.perf_counter() - started
    return report


# --- the steps of build(), in pipeline order -----------------------------------------------------------------------
class _Inputs(NamedTuple):
    fp: dict[str, str]  # fingerprints (incremental.fingerprints)
    scanned: tuple  # scan_content: article paths, human translation paths, ...
    files: dict  # rel path -> stat signature and content hash
    git_times: dict[str, int]
    whens: dict  # rel path -> date it gets if it has none of its own
    key: str  # hash of all of the above: equal to the last build's, nothing changed


class _Loaded(NamedTuple):
    articles: list[Article]  # newest first
    humans: dict  # slug -> cache key of its human translation (the parsed file is read from the store when needed)
    akeys: dict[str, str]  # source path -> article cache key
    fresh: dict  # article key -> Article (or the exception) read or parsed by this build
    human_notes: dict  # human translation key -> its reading notes, for the next build (BuildState.humans)
    human_paths: dict[str, Path]  # human translation key -> its file


class _Records(NamedTuple):
    rkeys: dict[str, str]  # slug -> record key
    records: dict[str, dict]  # slug -> record (incremental.new_record or its packed form)
    new_teasers: dict[str, dict[str, ArticleView]]  # record key -> teaser views, for records not in the state
    fresh_views: dict[str, dict[str, ArticleView]]  # slug -> views computed by this build
    dates: dict


class _Listing(NamedTuple):
    """Per language, newest first: stand-ins for the teasers (the views are read only for the home pages being
    rendered) and the digests of the full and teaser views."""
    teasers: dict[str, list[TeaserRef]]
    digests: dict[str, list[str]]
    tdigests: dict[str, list[str]]
    rkey_of_path: dict[str, str]


def _lock_output(config: Config) -> OutputLock:
    lock = OutputLock(config.output_dir).acquire()  # one build per output folder (OutputBusy otherwise)
    try:
        apply_journal(config.output_dir)  # a build killed after its commit point is finished first
        remove_leftovers(config.output_dir)
        recover_state(state_path(cache_dir(config.output_dir), config.output_dir), config.output_dir)
    except BaseException:
        lock.release()
        raise
    return lock


def _scan_inputs(config: Config, state: BuildState) -> _Inputs:
    fp = fingerprints(config, state)
    scanned = scan_content(config.content_dir)
    inputs_paths = list(scanned[0]) + sorted(scanned[1].values())
    files = file_digests(inputs_paths, config.content_dir, state.files, state.scanned_ns, config.max_file_bytes)
    git_times = git_first_commit_times(config.content_dir)
    whens = dates_from_outside(config, scanned[0], files, git_times)
    key = quick_hash(repr(sorted(fp.items())), repr(scanned[2]), str(config.output_dir.resolve()),
                     *(f"{rel}|{sig[4]}|{whens.get(rel)!r}" for rel, sig in sorted(files.items())),
                     *(str(p) for p in inputs_paths))
    return _Inputs(fp, scanned, files, git_times, whens, key)


def _nothing_changed(config: Config, state: BuildState, spath: Path, inputs: _Inputs, report: BuildReport,
                     clock: _Clock) -> bool:
    """Nothing changed since the last build: its report stands, nothing is read, rendered or written."""
    if not (state.inputs == inputs.key and state.summary and config.output_dir.is_dir()):
        return False
    for name in _REPLAYED:
        setattr(report, name, state.summary.get(name, getattr(report, name)))
    if inputs.files != state.files:  # touched but identical files: remember their new stat signatures
        state.files, state.scanned_ns = inputs.files, clock.started_ns
        save_quick(spath, state)
    clock.done("load", f"{report.published} articles, no input changed; nothing to do")
    return True


def _load_stage(config: Config, state: BuildState, store: Store, inputs: _Inputs, report: BuildReport,
                clock: _Clock) -> _Loaded:
    articles, humans, problems, akeys, parsed, fresh, human_notes, human_paths = _load(
        config, state, store, inputs.fp, inputs.scanned, inputs.files, inputs.git_times, inputs.whens)
    report.skipped = [p for p in problems if p.severity == "error"]
    report.warnings = [p for p in problems if p.severity != "error"]
    articles.sort(key=sort_key, reverse=True)
    clock.done("load", f"{len(articles)} articles from {config.content_dir}"
               + (f", {len(report.skipped)} skipped" if report.skipped else "")
               + f" ({parsed} parsed, {len(articles) - min(parsed, len(articles))} cached)")
    return _Loaded(articles, humans, akeys, fresh, human_notes, human_paths)


def _record_keys(fp: dict[str, str], loaded: _Loaded) -> dict[str, str]:
    """slug -> record key: the article, its slug, its human translation and the settings (not the memory)."""
    akeys, humans = loaded.akeys, loaded.humans
    return {a.slug: quick_hash(fp["record"], akeys[a.source_path], a.slug, humans.get(a.slug) or "")
            for a in loaded.articles}


def _translate_stage(config: Config, state: BuildState, store: Store, fp: dict[str, str], loaded: _Loaded,
                     status: TranslatorStatus, report: BuildReport, clock: _Clock) -> bool:
    """Ask the translator for the pending segments of cached records (new records ask for theirs when they are
    made). True when some answer arrived, i.e. the memory changed."""
    records = {k: state.records[k] for k in _record_keys(fp, loaded).values() if k in state.records}
    needed = pending_segments(store, records)
    if not needed:
        return False
    _, report.translation = translate_segments(needed, for_build(config.translator),
                                               snapshot_dir=cache_dir(config.output_dir))
    status.note(report.translation)
    clock.done("translate", f"{len(needed)} pending segments: {report.translation.translated} translated")
    return report.translation.translated > 0


def _answers_changed(config: Config, store: Store, rkeys: list[str], records: dict[str, dict]) -> set[str]:
    """Record keys (of `rkeys`) whose segments get other answers from the memory than when they were made."""
    found = store.get_many(f"T:{k}" for k in rkeys)
    segments = {k: found[f"T:{k}"][0] if f"T:{k}" in found else None for k in rkeys}
    machine = _memory_answers(config, (s for segs in segments.values() if segs for s in segs))
    return {k for k in rkeys if segments[k] is None or answers_digest(segments[k], machine) != records[k]["answers"]}


def _memory_answers(config: Config, segments) -> dict[str, str]:
    """What the memory alone answers for `segments` (the memory is not even read when there are none)."""
    needed = list(dict.fromkeys(segments))
    if not needed:
        return {}
    machine, _ = translate_segments(needed, config.translator, snapshot_dir=cache_dir(config.output_dir),
                                    dry_run=True)
    return machine


def _records_stage(config: Config, state: BuildState, store: Store, fp: dict[str, str], loaded: _Loaded, say: Log,
                   report: BuildReport, clock: _Clock, status: TranslatorStatus | None) -> _Records:
    """Summarize + translate + page models: only for articles whose record (views) is not cached, or whose segments
    got new answers from the memory since it was made."""
    articles, humans, akeys = loaded.articles, loaded.humans, loaded.akeys
    rkeys = _record_keys(fp, loaded)
    records: dict[str, dict] = {}
    for a in articles:
        packed = state.records.get(rkeys[a.slug])
        if packed is not None:
            records[a.slug] = unpack_record(packed)
    if fp["memory"] != state.summary.get("memory"):
        # The memory changed since the last build: drop the records whose segments it now answers otherwise.
        by_key = {rkeys[slug]: rec for slug, rec in records.items() if rec["answers"]}
        stale = _answers_changed(config, store, list(by_key), by_key)
        records = {slug: rec for slug, rec in records.items() if rkeys[slug] not in stale}
    missing = [a for a in articles if a.slug not in records]
    new_teasers: dict[str, dict[str, ArticleView]] = {}  # record key -> teaser views, for records not in the state
    if missing:
        # Records made by an earlier build (an edit undone, a lost state): used when the memory answers as then.
        found = store.get_many(f"R:{rkeys[a.slug]}" for a in missing)
        found_t = store.get_many(f"T:{rkeys[a.slug]}" for a in missing if f"R:{rkeys[a.slug]}" in found)
        machine = _memory_answers(config, (s for v in found_t.values() for s in v[0]))
        for a in missing:
            views, made = found.get(f"R:{rkeys[a.slug]}"), found_t.get(f"T:{rkeys[a.slug]}")
            if views is not None and made is not None and answers_digest(made[0], machine) == made[1]:
                records[a.slug] = new_record(views, complete="en" in views, pending=made[2], answers=made[1])
                new_teasers[rkeys[a.slug]] = records[a.slug]["teasers"]
        missing = [a for a in missing if a.slug not in records]
    fresh_views: dict[str, dict[str, ArticleView]] = {}
    dates = dict(state.dates[1]) if state.dates and state.dates[0] == fp["code"] else {}
    if missing:
        KNOWN_DATES.clear()
        KNOWN_DATES.update(dates)
        fresh_views, pending, segments, answers = _compute_records(config, missing, humans, store, akeys, fp, say,
                                                                   report, clock, loaded.fresh, loaded.human_paths,
                                                                   status)
        for a in missing:
            views, rkey = fresh_views[a.slug], rkeys[a.slug]
            # A pending translation is an ordinary record: its page waits for the memory to answer (an English
            # page whose place or byline is pending is complete, but waits for that field too).
            rec = new_record(views, complete="en" in views, pending=a.slug in pending, answers=answers[a.slug])
            store.put(f"R:{rkey}", views)
            store.put(f"T:{rkey}", (segments[a.slug], answers[a.slug], rec["pending"]))
            records[a.slug] = rec
            new_teasers[rkey] = rec["teasers"]
    else:
        clock.done("summarize", "0 articles (all cached)")
    store.flush()
    report.pending_records = sum(1 for rec in records.values() if rec["pending"])
    return _Records(rkeys, records, new_teasers, fresh_views, dates)


def _listing(articles: list[Article], records: _Records, humans: dict, report: BuildReport) -> _Listing:
    """What each language publishes, newest first; the report's counts follow from it."""
    teasers: dict[str, list[TeaserRef]] = {"ar": [], "en": []}
    digests: dict[str, list[str]] = {"ar": [], "en": []}
    tdigests: dict[str, list[str]] = {"ar": [], "en": []}
    rkey_of_path: dict[str, str] = {}
    for a in articles:
        rec = records.records[a.slug]
        rkey = records.rkeys[a.slug]
        has_en = "en" in rec["digests"]
        for lang in ("ar", "en"):
            if lang in rec["digests"]:
                # Stand-ins: the teaser views themselves are read only for the home pages being rendered.
                path = article_path(lang, a.slug)
                other = article_path(OTHER[lang], a.slug) if lang == "en" or has_en else None
                teasers[lang].append(TeaserRef(a.slug, lang, path, other, rkey))
                digests[lang].append(rec["digests"][lang])
                tdigests[lang].append(rec["tdigests"][lang])
                rkey_of_path[path] = rkey
    report.untranslated = [a.source_path for a in articles if not records.records[a.slug]["complete"]]
    report.published, report.english = len(teasers["ar"]), len(teasers["en"])
    # English pages that rest on a human translation file (wholly or field by field).
    report.human = sum(1 for slug in humans if slug in records.records and records.records[slug]["complete"])
    return _Listing(teasers, digests, tdigests, rkey_of_path)


def _small_files(config: Config, fp: dict[str, str], articles: list[Article], listing: _Listing, records: _Records,
                 store: Store, plan: dict[str, str]) -> dict[str, bytes]:
    """Feeds, robots.txt, .nojekyll and their plan entries; the sitemap's entry is its recipe (made in writing)."""
    teasers = listing.teasers
    # Small aggregates are cheap: made every time, compared by their bytes.
    published = {a.slug: a.published for a in articles}
    small: dict[str, bytes] = {}
    for lang in ("ar", "en"):
        top = teasers[lang][: config.feed_items]
        full_top = _full_views(top, listing.rkey_of_path, records.fresh_views, store)
        small[feed_path(lang)] = rss_feed(config, lang, full_top, published)
    # The sitemap lists every page (10,000 URLs at 5,000 articles): made only when the pages it lists or the
    # settings change, so its plan entry is that recipe rather than a hash of its bytes.
    sitemap_recipe = quick_hash(fp["site"], *(v.path + "|" + str(v.other_path) for v in teasers["ar"]),
                                *(v.path for v in teasers["en"]))
    small["robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode()
    small[".nojekyll"] = b""
    for rel, data in small.items():
        plan[rel] = digest_of(data)
    plan["sitemap.xml"] = sitemap_recipe
    return small


def _next_state(config: Config, state: BuildState, inputs: _Inputs, plan: dict[str, str], loaded: _Loaded,
                records: _Records, stub_shards: dict[str, bytes], clock: _Clock) -> BuildState:
    """The state this build leaves for the next one (saved only once the output is committed)."""
    articles, recs = loaded.articles, records.records
    new_state = BuildState(output=str(config.output_dir.resolve()), manifest=dict(plan), files=inputs.files,
                           scanned_ns=clock.started_ns, inputs=inputs.key, templates=state.templates)
    new_state.manifest["\x00static"] = inputs.fp["static"]
    new_state.manifest["\x00404.html"] = inputs.fp["404.html"]
    dates = records.dates
    for views in records.fresh_views.values():
        for v in views.values():
            dates[(v.date_iso[:10], v.lang)] = v.date_display
    new_state.dates = (inputs.fp["code"], dates)
    rkeys = records.rkeys
    # A record made by this build replaces the state's under the same key (the memory answered otherwise).
    new_state.records = {rkeys[a.slug]: pack_record(recs[a.slug]) if rkeys[a.slug] in records.new_teasers
                         else state.records[rkeys[a.slug]] for a in articles}
    new_state.humans = loaded.human_notes
    new_state.teasers = teaser_shards(new_state.records, state, records.new_teasers)
    new_state.stubs = reshard(article_stubs(articles, loaded.akeys, state, loaded.fresh), stub_shards, state.stubs)
    return new_state


def _write_stage(config: Config, spath: Path, previous: dict[str, str], plan: dict[str, str], jobs: dict[str, tuple],
                 small: dict[str, bytes], teasers: dict[str, Teasers], listing: _Listing, records: _Records,
                 store: Store, new_state: BuildState, report: BuildReport, clock: _Clock) -> None:
    """Render and write what changed (through a journal), or everything into a fresh folder swapped in whole."""
    output_ok = config.output_dir.is_dir() and bool(previous)
    changed = [rel for rel, recipe in plan.items() if previous.get(rel) != recipe]
    incremental = (output_ok and previous.get("\x00static") == new_state.manifest["\x00static"]
                   and previous.get("\x00404.html") == new_state.manifest["\x00404.html"]
                   and len(changed) <= max(64, len(plan) // 2))
    page_jobs = [jobs[rel] for rel in (changed if incremental else plan) if rel in jobs]
    if not incremental or "sitemap.xml" in changed:
        small["sitemap.xml"] = sitemap(config, _sitemap_groups(config, teasers))
    page_jobs = dedupe_home_jobs(page_jobs)

    def render(root: Path) -> int:
        return render_pages(config, root, page_jobs, teasers, listing.rkey_of_path, records.fresh_views, store,
                            check=clock.check)

    if incremental:
        out = IncrementalOutput(config.output_dir)
        try:
            rendered = render(out.stage)
            for rel in changed:
                if rel in small:
                    out.write(rel, small[rel])
            deletions = [rel for rel in previous if rel not in plan and not rel.startswith("\x00")
                         and not rel.startswith("static/")]
            report.pages = len(plan) + 1 + sum(1 for rel in previous if rel.startswith("static/"))  # + 404.html
            for rel in previous:
                if rel.startswith("static/"):
                    new_state.manifest[rel] = previous[rel]
            clock.check()  # the last moment a cancelled build leaves no trace
            _stage_state(spath, new_state, report, records, None)
            out.commit(deletions, state=spath)  # the journal makes the new state current with the files
        except BaseException:
            out.discard()
            raise
        clock.done("write", f"{len(changed)} changed files ({rendered} pages rendered), "
                            f"{len(deletions)} removed, {len(plan) - len(changed)} unchanged; incremental")
    else:
        stage = StagedOutput(config.output_dir, protected=(config.content_dir, config.root))
        try:
            rendered = render(stage.stage)
            for rel, data in small.items():
                stage.write(rel, data)
            stage.write("404.html", PageRenderer(config).not_found_page())
            before = len(stage.written)
            stage.copy_tree(config.static_dir, "static")
            for rel in stage.written[before:]:
                new_state.manifest[rel] = "static"
            report.pages = len(plan) + 1 + len(stage.written) - before
            clock.check()
            folder = os.stat(stage.stage)
            _stage_state(spath, new_state, report, records, (folder.st_dev, folder.st_ino))
            stage.commit()
        except BaseException:
            stage.discard()
            raise
        promote_state(spath)  # killed just before: the next build finds this folder in place and promotes it
        clock.done("write", f"{report.pages} files ({rendered} pages rendered); full build, swapped in")


# --- helpers of build() ------------------------------------------------------------------------------------------
def _stage_state(spath: Path, new_state: BuildState, report: BuildReport, records: _Records,
                 output_id: tuple[int, int] | None) -> None:
    """The state of this build, with the report a no-change build replays, written before the commit point."""
    new_state.summary.update({name: getattr(report, name) for name in _REPLAYED})
    stage_state(spath, new_state, output_id)


class _Clock:
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


def _load(config: Config, state: BuildState, store: Store, fp: dict[str, str], scanned: tuple, files: dict,
          git_times: dict[str, int], whens: dict):
    """load_content with a cached load_article: unchanged files give back their cached Article."""
    paths = scanned[0]
    _GIT_TIMES.clear()
    _GIT_TIMES.update(git_times)  # read by _parse_one, in this process or in forked workers
    akeys: dict[str, str] = {rel: quick_hash(fp["article"], rel, files[rel][4], repr(when))
                             for rel, when in whens.items()}
    known = {k: unpack_article(state.stubs[k]) for k in akeys.values() if k in state.stubs}
    rel_of = relative_to(config.content_dir)
    key_of = {p: akeys.get(rel_of(p)) for p in paths}  # path -> cache key (None: not scanned)
    misses = [p for p in paths if key_of[p] not in known]
    from_store = store.get_many(f"A:{key_of[p]}" for p in misses if key_of[p] is not None)
    fresh: dict[str, object] = {}
    need_parse = []
    for p in misses:
        k = key_of[p]
        if k is not None and f"A:{k}" in from_store:
            fresh[k] = from_store[f"A:{k}"]
        else:
            need_parse.append(p)
    for path, result in parallel(_parse_one, [(str(p), str(config.content_dir), config.max_file_bytes)
                                               for p in need_parse]):
        k = akeys.get(rel_of(path))
        if k is not None:
            fresh[k] = result
            if not isinstance(result, BaseException):
                store.put(f"A:{k}", result)

    def cached_load(path: Path, content_dir: Path, *args, **kwargs):
        k = key_of.get(path)  # load_content passes the same scanned paths
        if k in known:
            return known[k]
        value = fresh.get(k) if k is not None else None
        if value is None:
            return load_article(path, content_dir, *args, **kwargs)
        if isinstance(value, BaseException):
            raise value
        return value

    human_notes: dict[str, tuple] = {}
    human_paths: dict[str, Path] = {}

    def cached_human(path: Path, content_dir: Path, notes: Notes, *, max_bytes: int) -> str:
        """The cache key of a human translation file (parsed, and put in the store, only when it changed); its
        reading notes are replayed, as parsing would give them."""
        rel = rel_of(path)
        k = quick_hash(fp["article"], "human", rel, files[rel][4]) if rel in files else None
        if k is None or k not in state.humans:
            mine = Notes()
            human = load_human_translation(path, content_dir, mine, max_bytes=max_bytes)
            if k is None:  # not scanned (vanished meanwhile): no key to keep it under
                k = quick_hash("unscanned", rel, repr(human))
            fresh[f"H:{k}"] = human
            store.put(f"H:{k}", human)
            state.humans[k] = tuple(mine.items)
        for line, message in state.humans[k]:
            notes.add(message, line)
        human_notes[k], human_paths[k] = state.humans[k], path
        return k

    articles, humans, problems = load_content(config.content_dir, max_bytes=config.max_file_bytes, load=cached_load,
                                              scanned=scanned, git_times=git_times, load_human=cached_human)
    return articles, humans, problems, akeys, len(need_parse), fresh, human_notes, human_paths


_GIT_TIMES: dict[str, int] = {}


def _parse_one(path: str, content_dir: str, max_bytes: int):
    try:
        return path, load_article(Path(path), Path(content_dir), _GIT_TIMES, max_bytes=max_bytes)
    except Exception as exc:  # re-raised by cached_load inside load_content, which reports it
        return path, exc


def _compute_records(config: Config, missing: list[Article], human_keys: dict, store: Store, akeys: dict[str, str],
                     fp: dict[str, str], say: Log, report: BuildReport, clock: _Clock, fresh: dict,
                     human_paths: dict[str, Path], status: TranslatorStatus | None
                     ) -> tuple[dict[str, dict], set[str], dict, dict]:
    """Summary, English and page models of the articles not in the cache (in parallel when many), the slugs
    whose English still waits for a translation of some field, and per slug its machine segments and the digest
    of their answers (translate_all)."""
    wanted = {a.slug: human_keys[a.slug] for a in missing if a.slug in human_keys}
    stored = store.get_many(f"H:{k}" for k in wanted.values() if f"H:{k}" not in fresh)
    humans = {slug: fresh.get(f"H:{k}") or stored.get(f"H:{k}") for slug, k in wanted.items()}
    for slug, human in humans.items():
        if human is None:  # the store lost it (a cleared cache beside a kept state): read the file again
            humans[slug] = load_human_translation(human_paths[wanted[slug]], config.content_dir,
                                                  max_bytes=config.max_file_bytes)
    full: list[Article] = []
    need_body = [a for a in missing if not a.paragraphs]
    bodies = store.get_many(f"A:{akeys[a.source_path]}" for a in need_body)
    for a in missing:
        if a.paragraphs:
            full.append(a)
            continue
        k = akeys[a.source_path]
        body = fresh.get(k) or bodies.get(f"A:{k}")
        if body is None or isinstance(body, BaseException):
            body = load_article(config.content_dir / a.source_path, config.content_dir, _GIT_TIMES,
                                max_bytes=config.max_file_bytes)
        full.append(replace(a, paragraphs=body.paragraphs))
    skeys = {a.slug: f"S:{digest_of(fp['summary'], akeys[a.source_path])}" for a in full}
    summaries: dict[str, Summary] = {}
    cached = store.get_many(skeys.values())
    for a in full:
        if skeys[a.slug] in cached:
            summaries[a.slug] = cached[skeys[a.slug]]
    todo = [a for a in full if a.slug not in summaries]
    for slug, summary in parallel(_summarize_one, [(a, config.summary_sentences, config.summary_words)
                                                    for a in todo]):
        summaries[slug] = summary
        store.put(skeys[slug], summary)
    clock.done("summarize", f"{len(todo)} articles ({len(full) - len(todo)} cached)")
    english, report.translation, segments, answers = translate_all(config, full, summaries, humans, say, status)
    report.warnings += take_problems()  # broken translation memory files: their good lines were used
    clock.done("translate", f"{len(full)} articles looked up")
    views = {slug: v for slug, v in parallel(_views_one, [(config, a, summaries[a.slug], english[a.slug])
                                                           for a in full])}
    clock.done("models", f"{len(full)} articles")
    return views, {slug for slug, en in english.items() if en.pending}, segments, answers


def _summarize_one(article: Article, sentences: int | None, words: int | None) -> tuple[str, Summary]:
    """The site's budget rule: a sentence budget, when configured, replaces the word budget."""
    from digest.language import summarize

    return article.slug, summarize(article, sentences=sentences, words=None if sentences else words)


def _views_one(config: Config, article: Article, summary: Summary, english: English):
    return article.slug, article_views(config, article, summary, english)


def _full_views(teasers: list[ArticleView], rkey_of_path: dict[str, str], fresh: dict, store: Store) -> list:
    out = []
    wanted = [t for t in teasers if t.slug not in fresh]
    found = store.get_many(f"R:{rkey_of_path[t.path]}" for t in wanted)
    for t in teasers:
        views = fresh.get(t.slug) or found.get(f"R:{rkey_of_path[t.path]}")
        out.append(views[t.lang])
    return out


def _sitemap_groups(config: Config, views: dict[str, list[ArticleView]]) -> list[dict[str, str]]:
    per_page = config.per_page
    groups: list[dict[str, str]] = [{"ar": home_path("ar"), "en": home_path("en")}]
    for lang in ("ar", "en"):
        groups += [{lang: home_path(lang, n)} for n in range(2, home_page_count(len(views[lang]), per_page) + 1)]
    english_slugs = {v.slug for v in views["en"]}
    for view in views["ar"]:
        group = {"ar": view.path}
        if view.slug in english_slugs:
            group["en"] = view.other_path
        groups.append(group)
    return groups


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
        data = "".join(f"{p}\n" for p in report.untranslated).encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:  # a no-change build rewrites nothing
            write_atomic(path, data)
    except OSError:  # a cache folder we cannot write: the count and the first names are still printed
        return None
    return path


def print_report(report: BuildReport, config: Config, log: Log = _stderr, *, quiet: bool = False) -> None:
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
    if not report.published and not report.skipped:
        log(f"note: no articles in {config.content_dir}: add wire files (.txt) or Markdown files (.md); "
            "README.md, 'Content format', shows both")

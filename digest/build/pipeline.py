"""The pipeline, in one place: read -> summarize -> translate -> page models -> pages and feeds -> write.

build() and stages() are the whole of it; each stage is a function of its own module (reading.py, records.py, and
the page kinds of digest/site/pages.py). The incremental layer (incremental.py) is the `with` around the stages and
the final `write`: the stages memoise their work through it by content, and it writes only the files whose recorded
dependencies changed.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from digest.build import incremental
from digest.build.report import (EXIT_BUSY, EXIT_FAILED, EXIT_OK, EXIT_SKIPPED, EXIT_STRICT, EXIT_USAGE,
                                 BuildCancelled, BuildReport, Clock, Log, log_to_stderr, print_report,
                                 untranslated_list)
from digest.build.output import check_output_dir
from digest.build.searchindex import BackgroundIndex, search_index
from digest.build.state import StateDamaged
from digest.config import Config

if TYPE_CHECKING:
    from digest.build.reading import Source
    from digest.site.pages import Site


def build(config: Config, *, log: Log = log_to_stderr, quiet: bool = False, full: bool = False,
          translate: bool = True, cancel: threading.Event | None = None,
          search_later: BackgroundIndex | None = None) -> BuildReport:
    """Build the site into config.output_dir. Bad articles are reported, not fatal.

    Incremental: every stage reuses what the cache has for unchanged inputs (keyed by content), and only output
    files whose recipe changed are written; the result is byte-identical to a clean full build, and a killed build
    leaves the previous site (digest/build/incremental.py). `full=True` re-renders and writes every page but still
    uses the caches keyed by content. `cancel` set: BuildCancelled at the next stage or render batch before the
    commit point; after it the build completes.

    Translation is a stage: an article whose English is pending is cached like any other (Arabic page only). With
    `translate`, the build asks the translator for the pending segments (unless a recent run found it
    unreachable, digest/translate/stage.py); without it (serve and watch translate in the background) the build
    reads the memory only and never waits on the network.

    The search index (Pagefind) is made after the pages are written, when any changed; `search_later` (serve and
    watch) makes it in that background thread instead, so a save never waits for it."""
    started = time.perf_counter()
    # A folder the build would refuse to replace is refused before anything is read or written (no lock, no cache).
    check_output_dir(config.output_dir, protected=(config.content_dir, config.root))
    clock = Clock((lambda m: None) if quiet else log, cancel)
    try:
        report = _build(config, clock, log, full, translate, search_later)
    except StateDamaged as damage:  # a piece of the build state gone or altered (by hand, by the disk)
        log(f"note: the build state is damaged ({damage}); building the whole site from the caches")
        report = _build(config, clock, log, full, translate, search_later, forget_state=True)
    return report.timed(started)


def _build(config: Config, clock: Clock, log: Log, full: bool, translate: bool,
           search_later: BackgroundIndex | None, forget_state: bool = False) -> BuildReport:
    report = BuildReport()
    with incremental.session(config, report, clock, full=full, translate=translate, forget_state=forget_state) as memo:
        if not memo.unchanged:  # no input changed since the last build: its report stands, nothing is written
            stages(config, memo, report, clock)                                           # read ... write
        search_index(config, clock, log, memo.search_pages(), later=search_later)        # search index (Pagefind)
    return report


def stages(config: Config, memo: incremental.Session, report: BuildReport, clock: Clock) -> None:
    """The stages, in order. Their modules load here, when the build has something to do: a no-change build
    (most of them) never loads the readers, the summarizer, the translation engine or the page kinds. When only a
    few articles' texts changed (memo.edit), only those go through the stages, and the last build's site is
    patched with them (edits.py); if that edit moved them in its lists, the whole pipeline runs."""
    if memo.edit is None or not _stages(config, memo, report, clock, memo.edit):
        memo.edit = None
        _stages(config, memo, report, clock)


def _stages(config: Config, memo: incremental.Session, report: BuildReport, clock: Clock,
            edit: tuple | None = None) -> bool:
    from digest.build.edits import patched_site
    from digest.build.reading import read
    from digest.build.records import page_models, reuse_records, summarize, translate_articles, translate_pending
    from digest.build.schedule import hold_back
    from digest.site.pages import plan_site, with_indexes

    source = read(config, memo, report, clock, edit)                              # read (the edited files alone)
    source = hold_back(config, memo, source, report, clock)                       # drafts, scheduled wait
    translate_pending(config, memo, source, report, clock)                        # (answers for cached records)
    records, todo = reuse_records(config, memo, source)                           # cached records
    summaries = summarize(config, memo, todo, clock)                              # summarize
    english = translate_articles(config, memo, todo, summaries, report, clock)    # translate
    records = page_models(config, memo, todo, summaries, english, records, clock)  # page models
    clock.check()
    if edit is not None:
        patched = patched_site(config, memo, source, records, report, clock)      # the last site, patched
        if patched is None:
            return False
        pages = plan_site(patched.site, patched.places)                           # the pages showing the edits
        memo.write(pages, patched.site, patched)                                  # write
        return True
    site = with_indexes(publish(config, memo, source, records, report))           # what each language lists
    pages = plan_site(site)                                                       # pages and feeds
    memo.write(pages, site)                                                       # write
    return True


def publish(config: Config, memo, source: Source, records: dict[str, dict], report: BuildReport) -> Site:
    """What each language publishes, newest first (stand-ins for the teasers: their views are read only for the
    pages being rendered), with the digests of the full and teaser views; the report's counts follow from it."""
    from digest.build.reading import copies_dir
    from digest.read import ImageFile
    from digest.site.pages import LANGS, Site, TeaserRef
    from digest.site.render import OTHER, article_path

    teasers: dict[str, list[TeaserRef]] = {"ar": [], "en": []}
    digests: dict[str, list[str]] = {"ar": [], "en": []}
    tdigests: dict[str, list[str]] = {"ar": [], "en": []}
    rkey_of_path: dict[str, str] = {}
    for a in source.articles:
        rec, rkey = records[a.slug], memo.rkeys[a.slug]
        has_en = "en" in rec["digests"]
        for lang in LANGS:
            if lang in rec["digests"]:
                path = article_path(lang, a.slug)
                other = article_path(OTHER[lang], a.slug) if lang == "en" or has_en else None
                teasers[lang].append(TeaserRef(a.slug, lang, path, other, rkey, a.section))
                digests[lang].append(rec["digests"][lang])
                tdigests[lang].append(rec["tdigests"][lang])
                rkey_of_path[path] = rkey
    report.untranslated = [a.source_path for a in source.articles if not records[a.slug]["complete"]]
    report.published, report.english = len(teasers["ar"]), len(teasers["en"])
    # English pages that rest on a human translation file (wholly or field by field).
    report.human = sum(1 for slug in source.humans if slug in records and records[slug]["complete"])
    report.pending_records = sum(1 for rec in records.values() if rec["pending"])
    published = {a.slug: a.published for a in source.articles}
    images = {rel: source.images[rel] for a in source.articles for rel in a.images
              if isinstance(source.images[rel], ImageFile)}
    return Site(config, memo.inputs.fp, teasers, digests, tdigests, published,
                memo.page_views(teasers, rkey_of_path), images, copies_dir=copies_dir(config))


__all__ = ["EXIT_BUSY", "EXIT_FAILED", "EXIT_OK", "EXIT_SKIPPED", "EXIT_STRICT", "EXIT_USAGE", "BuildCancelled",
           "BuildReport", "build", "print_report", "untranslated_list"]

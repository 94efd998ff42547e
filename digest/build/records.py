"""Per-article stages: summarize -> translate -> page models, for the articles whose record is not cached.

A record is what the site needs of an article: its page models (views) per language and their digests, whether its
English is complete or pending, and the digest of the memory's answers for its machine segments. It is keyed by the
article's content, its human translation and the settings (not the memory): an answer arriving makes again only
the records whose segments it answers (answers_digest). A pending translation is an ordinary cached record.
"""
from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from digest.build.fingerprints import quick_hash
from digest.build.reading import Source, full_article
from digest.build.renderpool import parallel
from digest.build.shards import new_record, unpack_record
from digest.build.store import cache_dir, digest_of
from digest.config import Config
from digest.model import Article, English, Summary
from digest.read import ImageFile, load_human_translation
from digest.site.render import KNOWN_DATES, ArticleView, article_views
from digest.translate import (TranslatorStatus, english_for, for_build, pending_segments, segments_for, take_problems,
                              translate_segments)


class Todo(NamedTuple):
    """The articles whose record is not cached, with their bodies, and what they are made from."""
    articles: list[Article]
    humans: dict  # slug -> parsed human translation (or None)


def record_keys(fp: dict[str, str], source: Source) -> dict[str, str]:
    """slug -> record key: the article, its slug, its human translation, the settings (not the memory) and the
    size of the images it uses."""
    akeys, humans = source.akeys, source.humans
    return {a.slug: quick_hash(fp["record"], akeys[a.source_path], a.slug, humans.get(a.slug) or "",
                               *(image_key(rel, source.images[rel]) for rel in a.images))
            for a in source.articles}


def image_key(rel: str, image) -> str:
    """What of an image its article's page models show: its size in pixels and the widths of its resized copies
    (srcset), or that it cannot be shown (a change of its bytes alone only copies it again)."""
    if not isinstance(image, ImageFile):
        return f"{rel}|-"
    return f"{rel}|{image.width}x{image.height}|{','.join(str(c[0]) for c in image.copies)}"


# --- translate what cached records wait for ------------------------------------------------------------------------
def translate_pending(config: Config, memo, source: Source, report, clock) -> None:
    """Ask the translator for the pending segments of cached records (new records ask for theirs when they are
    made), when the last build left some and the translator may be asked; answers change the memory."""
    if not memo.retry:
        return
    records = {k: memo.state.records[k] for k in record_keys(memo.inputs.fp, source).values()
               if k in memo.state.records}
    needed = pending_segments(memo.store, records)
    if not needed:
        return
    _, report.translation = translate_segments(needed, for_build(config.translator),
                                               snapshot_dir=cache_dir(config.output_dir))
    memo.status.note(report.translation)
    clock.done("translate", f"{len(needed)} pending segments: {report.translation.translated} translated")
    if report.translation.translated > 0:
        memo.rescan()  # the memory changed: so did the fingerprint of all inputs


# --- records the cache already has ---------------------------------------------------------------------------------
def reuse_records(config: Config, memo, source: Source) -> tuple[dict[str, dict], Todo]:
    """slug -> record for the articles whose record is cached and whose segments the memory answers as when it
    was made; the rest, with their bodies and human translations, to be made."""
    fp, state, store = memo.inputs.fp, memo.state, memo.store
    rkeys = record_keys(fp, source)
    records: dict[str, dict] = {}
    for a in source.articles:
        packed = state.records.get(rkeys[a.slug])
        if packed is not None:
            records[a.slug] = unpack_record(packed)
    if fp["memory"] != state.summary.get("memory"):
        # The memory changed since the last build: drop the records whose segments it now answers otherwise.
        by_key = {rkeys[slug]: rec for slug, rec in records.items() if rec["answers"]}
        stale = _answers_changed(config, store, list(by_key), by_key)
        records = {slug: rec for slug, rec in records.items() if rkeys[slug] not in stale}
    missing = [a for a in source.articles if a.slug not in records]
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
    dates = dict(state.dates[1]) if state.dates and state.dates[0] == fp["code"] else {}
    memo.keep_records(rkeys, records, new_teasers, {}, dates)
    return records, _with_bodies(config, memo, source, missing)


def _with_bodies(config: Config, memo, source: Source, missing: list[Article]) -> Todo:
    store, fresh = memo.store, source.fresh
    wanted = {a.slug: source.humans[a.slug] for a in missing if a.slug in source.humans}
    stored = store.get_many(f"H:{k}" for k in wanted.values() if f"H:{k}" not in fresh)
    humans = {slug: fresh.get(f"H:{k}") or stored.get(f"H:{k}") for slug, k in wanted.items()}
    for slug, human in humans.items():
        if human is None:  # the store lost it (a cleared cache beside a kept state): read the file again
            humans[slug] = load_human_translation(source.human_paths[wanted[slug]], config.content_dir,
                                                  max_bytes=config.max_file_bytes)
    full: list[Article] = []
    akeys = source.akeys
    bodies = store.get_many(f"A:{akeys[a.source_path]}" for a in missing if not a.paragraphs)
    for a in missing:
        if a.paragraphs:
            full.append(a)
            continue
        k = akeys[a.source_path]
        body = fresh.get(k) or bodies.get(f"A:{k}")
        if body is None or isinstance(body, BaseException):
            body = full_article(config, a)
        full.append(replace(a, paragraphs=body.paragraphs))
    return Todo(full, humans)


def _answers_changed(config: Config, store, rkeys: list[str], records: dict[str, dict]) -> set[str]:
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


def answers_digest(segments: tuple[str, ...], machine) -> str:
    """What the memory answered for a record's segments: when it changes, the record is made again."""
    return digest_of([(s, machine.get(s)) for s in segments]) if segments else ""


# --- summarize -----------------------------------------------------------------------------------------------------
def summarize(config: Config, memo, todo: Todo, clock) -> dict[str, Summary]:
    """slug -> extractive summary of each article to make (cached by the article's content and the budget)."""
    if not todo.articles:
        clock.done("summarize", "0 articles (all cached)")
        return {}
    akeys, store = memo.source.akeys, memo.store
    skeys = {a.slug: f"S:{digest_of(memo.inputs.fp['summary'], akeys[a.source_path])}" for a in todo.articles}
    cached = store.get_many(skeys.values())
    summaries = {a.slug: cached[skeys[a.slug]] for a in todo.articles if skeys[a.slug] in cached}
    work = [a for a in todo.articles if a.slug not in summaries]
    for slug, summary in parallel(_summarize_one, [(a, config.summary_sentences, config.summary_words)
                                                    for a in work]):
        summaries[slug] = summary
        store.put(skeys[slug], summary)
    clock.done("summarize", f"{len(work)} articles ({len(todo.articles) - len(work)} cached)")
    return summaries


def summarize_all(config: Config, articles: list[Article]) -> dict[str, Summary]:
    return dict(_summarize_one(a, config.summary_sentences, config.summary_words) for a in articles)


def _summarize_one(article: Article, sentences: int | None, words: int | None) -> tuple[str, Summary]:
    """The site's budget rule: a sentence budget, when configured, replaces the word budget."""
    from digest.language import summarize

    return article.slug, summarize(article, sentences=sentences, words=None if sentences else words)


# --- translate -----------------------------------------------------------------------------------------------------
def translate_articles(config: Config, memo, todo: Todo, summaries: dict[str, Summary], report, clock) -> dict[str, English]:
    """slug -> English of each article to make: from its human translation file and the memory, the translator
    asked for the segments the memory lacks when the build may ask it (else the English waits: pending)."""
    if not todo.articles:
        return {}
    english, report.translation, segments, answers = translate_all(config, todo.articles, summaries, todo.humans,
                                                                   memo.status)
    report.warnings += take_problems()  # broken translation memory files: their good lines were used
    memo.translated = (segments, answers)
    clock.done("translate", f"{len(todo.articles)} articles looked up")
    return english


def translate_all(config: Config, articles: list[Article], summaries: dict[str, Summary], humans: dict,
                  status: TranslatorStatus | None = None
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


# --- page models ---------------------------------------------------------------------------------------------------
def page_models(config: Config, memo, todo: Todo, summaries: dict[str, Summary], english: dict[str, English],
                records: dict[str, dict], clock) -> dict[str, dict]:
    """The page models (views) of each article made, in both languages; with the cached ones, every record."""
    memo.store.flush()
    if not todo.articles:
        return records
    KNOWN_DATES.clear()
    KNOWN_DATES.update(memo.dates)  # display dates seen before: made once per day and language
    images = memo.source.images
    fresh_views = {slug: v for slug, v in parallel(_views_one, [(config, a, summaries[a.slug], english[a.slug],
                                                                  {rel: images[rel] for rel in a.images})
                                                                 for a in todo.articles])}
    clock.done("models", f"{len(todo.articles)} articles")
    segments, answers = memo.translated
    new_teasers: dict[str, dict[str, ArticleView]] = {}
    for a in todo.articles:
        views, rkey = fresh_views[a.slug], memo.rkeys[a.slug]
        # A pending translation is an ordinary record: its page waits for the memory to answer (an English
        # page whose place or byline is pending is complete, but waits for that field too).
        rec = new_record(views, complete="en" in views, pending=english[a.slug].pending, answers=answers[a.slug])
        memo.store.put(f"R:{rkey}", views)
        memo.store.put(f"T:{rkey}", (segments[a.slug], answers[a.slug], rec["pending"]))
        records[a.slug] = rec
        new_teasers[rkey] = rec["teasers"]
    memo.keep_records(memo.rkeys, records, new_teasers, fresh_views, memo.dates)
    memo.store.flush()
    return records


def _views_one(config: Config, article: Article, summary: Summary, english: English, images: dict):
    return article.slug, article_views(config, article, summary, english, images)

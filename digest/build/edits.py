"""The edit path: a build after a few articles were edited and nothing else changed, made from the last build's site.

Most builds of a working newsroom follow one saved article. The whole pipeline is O(articles) even when each stage
reuses its cache (5,000 article stubs unpacked, 5,000 records looked up, 10,000 teaser references listed: ~35 µs per
article). A build whose inputs differ from the last one's only by the text of a few article files (or of their
human translations) instead reads, summarizes and translates just those, and patches the Site the last build kept
(its lists of teasers and their digests, its sections and days): when every edited article keeps its place in
those lists (same slug, date, section, languages, images, completeness, no reading problem), the pages planned
from the patched Site are exactly those the whole pipeline would plan, and so is the report. Otherwise
`patched_site` says None and the build runs the whole pipeline (nothing of the attempt is kept but the cache).
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import NamedTuple

from digest.build.fingerprints import quick_hash
from digest.read import relative_to

MAX_EDITED = 16  # more edited files than this: the whole pipeline (a pull of many changes, a search-and-replace)


class LastSite:
    """What a build keeps of its Site for the next build's edit path: each part pickled on its own, unpickled on
    first use, and the parts an edit cannot change kept as bytes by the edit build that follows."""

    PARTS = {
        "teasers": "lang -> the columns of its TeaserRefs, newest first (tuples of strings pickle 10x faster)",
        "digests": "lang -> digests of the full page models, in the same order",
        "tdigests": "lang -> digests of the teaser page models",
        "akeys": "source path -> article key, of every article file scanned",
        "humans": "slug -> key of its human translation",
        "published": "slug -> publication moment",
        "images": "path below content/ -> ImageFile, of the published articles' images",
        "sections": "sections.SectionIndex",
        "days": "lang -> days.day_index",
        "slug_of": "source path -> slug, of the published articles",
    }
    SAME_AFTER_AN_EDIT = ("published", "images", "sections", "days", "slug_of")  # patched_site made sure

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts
        self._values: dict[str, object] = {}

    def __getattr__(self, name: str):
        if name not in self.PARTS:
            raise AttributeError(name)
        if name not in self._values:
            self._values[name] = pickle.loads(self.parts[name])
        return self._values[name]


def frame_key(fp: dict[str, str], scanned: tuple, images: dict, output_dir: str, flags: str) -> str:
    """A hash of every input of a build but the text of its articles and human translations: the fingerprints,
    the file list, the images' contents and what the scan refused. Equal to the last build's: if anything
    changed, it is only article texts."""
    return quick_hash(repr(sorted(fp.items())), repr(scanned[2]), output_dir, flags, *scanned[0],
                      *sorted(scanned[1].values()), *(f"{rel}|{sig[4]}" for rel, sig in sorted(images.items())))


def edited_files(content_dir: Path, scanned: tuple, files: dict, previous: dict) -> tuple | None:
    """The scan restricted to the edited articles (with their human translations), or None when more than
    MAX_EDITED files changed, or something else than an article or a translation did. A file counts as edited
    when its content or its modification time changed (an undated article takes its date from it)."""
    edited = [rel for rel, sig in files.items()
              if (old := previous.get(rel)) is None or old[4] != sig[4] or old[1] != sig[1]]
    if not edited or len(edited) > MAX_EDITED:
        return None
    from digest.read.content import file_stem  # the readers load only when there is something to build

    base = str(content_dir) + os.sep  # scan_content's paths: the content folder joined with the path below it
    articles = set(scanned[0])
    wanted: set[str] = set()
    stems: set[str] = set()
    for rel in edited:
        path = base + rel.replace("/", os.sep)
        if path in articles:
            wanted.add(path)
            stems.add(file_stem(rel))
        elif scanned[1].get(rel[: -len(".en.md")]) == path:  # a translation: its article has the same stem
            stem = rel[: -len(".en.md")]
            found = [p for p in scanned[0] if p.startswith(base + stem) and file_stem(p[len(base):]) == stem]
            if not found:
                return None
            wanted.add(found[0])  # the one load_content pairs it with
            stems.add(stem)
        else:
            return None  # an image touched, or another input
    return ([p for p in scanned[0] if p in wanted], {s: p for s, p in scanned[1].items() if s in stems}, [], [])


def keep_site(site, source, last: LastSite | None = None):
    """The Site of this build (with its sections and days), for the next build's edit path. After an edit build,
    `last` is the site it patched: the other articles' keys come from it, and the parts no edit changes are
    kept as they were."""
    akeys, humans = source.akeys, source.humans
    if last is not None:
        akeys, humans = {**last.akeys, **akeys}, {**last.humans, **humans}
    values = {"teasers": {lang: tuple(zip(*refs)) for lang, refs in site.teasers.items()},
              "digests": site.digests, "tdigests": site.tdigests, "akeys": akeys, "humans": humans}
    if last is None:
        values.update(published=site.published, images=site.images, sections=site.sections, days=site.days,
                      slug_of={a.source_path: a.slug for a in source.articles})
    parts = last.parts.copy() if last is not None else {}  # (kept in the state's blobs: not read again)
    parts.update((name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for name, value in values.items())
    return parts


class Patched(NamedTuple):
    """An edit build's site: the last build's, with the edited articles' new page models."""
    site: object  # pages.Site
    places: dict[str, list[int]]  # lang -> list positions of the edited articles (what the page kinds plan again)
    new_digests: set[str]  # the digests of their new page models (recipes)
    old_records: set[str]  # the record keys they had in the last build (their entries in the state are replaced)


def patched_site(config, memo, source, records: dict[str, dict], report, clock) -> Patched | None:
    """The last build's Site with the edited articles' new page models, or None when an edit moved an article in
    the lists (or changed anything else the lists and the report show): then the whole pipeline runs."""
    from digest.build.reading import copies_dir
    from digest.build.report import REPLAYED
    from digest.site.pages import LANGS, Site, TeaserRef

    last = memo.last_site()
    # Each edited article's position in each language's list (None: not in it), and the key of the record it
    # had (the Arabic list holds every published article), found once.
    where = {a.slug: {lang: _place(last.teasers[lang], a.slug) for lang in LANGS} for a in source.articles} \
        if last is not None else {}
    column = TeaserRef._fields.index("rkey")  # (LastSite.teasers holds TeaserRef's fields as columns)
    old_rkeys = {slug: last.teasers["ar"][column][places["ar"]] if places["ar"] is not None else None
                 for slug, places in where.items()}
    why = _moved(config, memo, source, records, report, last, where, old_rkeys)
    if why:
        clock.done("edit", f"{why}: every article is read")
        return None
    teasers = {lang: list(map(TeaserRef._make, zip(*last.teasers[lang]))) for lang in LANGS}
    digests = {lang: list(last.digests[lang]) for lang in LANGS}
    tdigests = {lang: list(last.tdigests[lang]) for lang in LANGS}
    old_records = set(old_rkeys.values())
    places: dict[str, list[int]] = {lang: [] for lang in LANGS}
    for a in source.articles:
        rec = records[a.slug]
        for lang in rec["digests"]:
            i = where[a.slug][lang]
            teasers[lang][i] = teasers[lang][i]._replace(rkey=memo.rkeys[a.slug])
            digests[lang][i], tdigests[lang][i] = rec["digests"][lang], rec["tdigests"][lang]
            places[lang].append(i)
    for name in REPLAYED:  # none of the report's lists and counts changed
        setattr(report, name, memo.state.summary.get(name, getattr(report, name)))
    rkey_of_path = {ref.path: ref.rkey for lang in LANGS for ref in teasers[lang]}
    clock.done("edit", f"{len(source.articles)} of {len(teasers['ar'])} articles made again; the others' pages "
                       "as they were")
    site = Site(config, memo.inputs.fp, teasers, digests, tdigests, last.published,
                memo.page_views(teasers, rkey_of_path), last.images, last.sections, last.days,
                copies_dir=copies_dir(config))
    new_digests = {d for a in source.articles for kind in ("digests", "tdigests")
                   for d in records[a.slug][kind].values()}
    return Patched(site, places, new_digests, old_records)


def _moved(config, memo, source, records: dict[str, dict], report, last: LastSite | None,
           where: dict[str, dict[str, int | None]], old_rkeys: dict[str, str | None]) -> str | None:
    """Why the edited articles do not keep their places in the last build's lists and report (`where`: their
    positions in them; `old_rkeys`: the keys of the records they had), or None."""
    from digest.build.shards import TeaserLookup, unpack_article
    from digest.site.pages import LANGS

    state = memo.state
    if last is None or not state.summary:
        return "no site kept by the last build"
    if report.skipped or report.warnings or memo.held:
        return "an edited article has a problem or is held back"
    named = {p.path for p in (*state.summary.get("skipped", ()), *state.summary.get("warnings", ()))}
    rel_of = relative_to(config.content_dir)
    old_teasers = TeaserLookup(state.teasers, {})
    for a in source.articles:
        old_key = last.akeys.get(a.source_path)
        old = unpack_article(state.stubs[old_key]) if old_key in state.stubs else None
        if old is None or last.slug_of.get(a.source_path) != a.slug:
            return f"{a.source_path} was not published under this name"
        if named & _files_of(a, source, rel_of):
            return f"{a.source_path} had a problem"
        if (last.published[a.slug], old.section, old.images) != (a.published, a.section, a.images):
            return f"{a.source_path} changed its date, section or images"
        if any(source.images[rel] != last.images.get(rel) for rel in a.images):
            return f"{a.source_path} shows an image otherwise"
        if (a.slug in source.humans) != (a.slug in last.humans):
            return f"{a.source_path} gained or lost its translation file"
        rec, places, old_rkey = records[a.slug], where[a.slug], old_rkeys[a.slug]
        old_record = state.records.get(old_rkey)
        if old_record is None or (old_record[0], old_record[3]) != (rec["complete"], rec["pending"]):
            return f"{a.source_path} gained or lost (part of) its English"
        for lang in LANGS:
            if (places[lang] is None) != (lang not in rec["digests"]):
                return f"{a.source_path} gained or lost its English page"
            # The section label a teaser shows (its English one, from a translation) names its section's page.
            if places[lang] is not None and old_teasers.view(old_rkey, lang).section != rec["teasers"][lang].section:
                return f"{a.source_path} shows its section otherwise"
    return None


def recipes(pages: list, previous: dict[str, str], new_digests: set[str] | None) -> dict[str, str]:
    """Each page's recipe: the hash of its deps. In an edit build (`new_digests`: the edited articles' new
    digests), the Site differs from the last build's only by those digests (patched_site made sure of it), so a
    page whose deps hold none of them has the deps it had then: its recorded recipe stands, without hashing
    10,000 pages again. A page carrying its own bytes (a feed: its deps are their hash) is hashed every time."""
    if new_digests is None:
        return {page.path: quick_hash(*page.deps) for page in pages}
    out = {}
    for page in pages:
        recipe = previous.get(page.path)
        if recipe is None or isinstance(page.data, bytes) or not new_digests.isdisjoint(page.deps):
            recipe = quick_hash(*page.deps)
        out[page.path] = recipe
    return out


def _place(columns: tuple, slug: str) -> int | None:
    """Where an article is in one language's list (the column of slugs searched in C, not 5,000 references)."""
    try:
        return columns[0].index(slug)
    except (IndexError, ValueError):
        return None


def _files_of(article, source, rel_of) -> set[str]:
    """The files below content/ an article is read from: its own, and its human translation."""
    files = {article.source_path}
    human = source.humans.get(article.slug)
    if human is not None and human in source.human_paths:
        files.add(rel_of(source.human_paths[human]))
    return files

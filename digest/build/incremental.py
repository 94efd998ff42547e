"""The incremental layer: what a build reuses from the last one, and which output files it writes.

The pipeline uses it through two calls (digest/build/pipeline.py):

- `session(...)` opens a build of one output folder: it takes the folder's lock (finishing a build killed after
  its commit point), scans the inputs and compares them with the last build's. Nothing changed: `unchanged` is
  set and the last build's report stands. Otherwise the session is the stages' memo: the build cache (`store`,
  values keyed by a hash of their content and settings), what the last build kept (`state`), the inputs' hashes
  (`inputs`), and `keep_*` methods through which the stages record what they made for the next build.
- `write(pages)` records each output file's recipe (the hash of the dependencies its page kind declared,
  digest/site/pages.py) and compares it with the recipe the last build recorded: only the files whose recipe
  changed are rendered and written, through a journal, unless a site-wide file changed or most files did: then
  the whole site is rendered into a fresh folder swapped in whole. Either way the output is byte-identical to a
  clean full build, and the new build state becomes current in the same step as the output (kill-safe).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

from digest.build.edits import LastSite, Patched, edited_files, frame_key, keep_site, recipes
from digest.build.fingerprints import dates_from_outside, file_digests, files_key, fingerprints, quick_hash
from digest.build.journal import IncrementalOutput, apply_journal, remove_leftovers
from digest.build.output import OutputLock, StagedOutput, wait_for_removals
from digest.build.schedule import release_due
from digest.build.report import REPLAYED, BuildReport, Clock
from digest.build.state import (Blobs, BuildState, ShardedDict, load_heavy, load_state, promote_state, prune_blobs,
                                recover_state, save_quick, stage_state, state_path)
from digest.build.store import Store, cache_dir
from digest.config import Config
from digest.read import MAX_IMAGE_BYTES, git_first_commit_times, git_head, scan_content
from digest.translate import TranslatorStatus, load_status

if TYPE_CHECKING:  # the write stage's modules (page kinds, renderer, page cache) load when something is built
    from digest.build.shards import Views
    from digest.site.pages import Page, Site


class Inputs(NamedTuple):
    fp: dict[str, str]  # fingerprints (fingerprints.fingerprints)
    scanned: tuple  # scan_content: article paths, human translation paths, ...
    files: dict  # rel path -> stat signature and content hash
    git_times: dict[str, int]
    whens: dict  # rel path -> date it gets if it has none of its own
    key: str  # hash of all of the above: equal to the last build's, nothing changed
    frame: str  # hash of all of the above but the article texts (edits.frame_key)


@contextmanager
def session(config: Config, report: BuildReport, clock: Clock, *, full: bool = False,
            translate: bool = True, forget_state: bool = False) -> Iterator["Session"]:
    """One build of config.output_dir, under its lock. `full`: trust no stat signature and no recorded recipe
    (the caches keyed by content are still used). `translate`: the build may ask the translator (when its status
    allows); without it the memory alone answers. `forget_state`: build as if no build had been before (the
    state was found damaged)."""
    lock = _lock_output(config)
    for repair in lock.recovered:
        clock.say(f"note: {repair}")
    memo = None
    try:
        status = load_status(cache_dir(config.output_dir), config.translator) if translate else None
        memo = Session(config, report, clock, full, status, forget_state)
        yield memo
        if status is not None and report.pending_records:
            report.translator_note = status.describe()
    finally:
        if memo is not None and memo.store is not None:
            memo.store.close()
        wait_for_removals()
        lock.release()


class Session:
    """The stages' memo for one build (see the module's docstring)."""

    def __init__(self, config: Config, report: BuildReport, clock: Clock, full: bool,
                 status: TranslatorStatus | None, forget_state: bool = False):
        self.config, self.report, self.clock, self.status = config, report, clock, status
        self.spath = state_path(cache_dir(config.output_dir), config.output_dir)
        self.state = state = load_state(self.spath, config.output_dir, heavy=False)
        if forget_state:
            Blobs(self.spath).clear()
            self.state = state = BuildState(output=state.output)
        self.store: Store | None = None
        self.written: BuildState | None = None  # the state of the output this build committed (write)
        if full:
            state.files = {}  # --full trusts no stat signature: every input file is hashed again
        self.git_asked = False  # git log ran (HEAD moved): the state's times are new
        self.inputs = self._scan()
        # The last build left pending translations and the translator may be asked: not a no-change build.
        self.retry = status is not None and bool(state.summary.get("pending_records")) and status.may_request(
            config.translator)
        self.unchanged = not (full or self.retry) and self._nothing_changed()
        if self.unchanged:
            return
        if not load_heavy(self.spath, state) or full:
            state.manifest = {}
        # Per-article parts, each shard unpickled on first use (an edit build reads the few it changes).
        state.stubs, state.records = _sharded(state.stubs), _sharded(state.records)
        # Only a few articles' texts changed since the last build: the scan of just those (edits.py), else None.
        # Not an edit when a new commit may date other articles differently, or a held article became due.
        self.edit = None if (full or self.retry or self.git_asked or self.inputs.frame != state.frame
                             or not state.site or release_due(state.summary.get("next_release"))
                             or not config.output_dir.is_dir()) \
            else edited_files(config.content_dir, self.inputs.scanned, self.inputs.files, state.files)
        self._last_site = None
        self.store = Store(cache_dir(config.output_dir) / "store.sqlite")
        # What the stages made, kept for the next build (keep_articles, keep_records).
        self.source = None
        self.held: list = []  # articles read but held back (drafts, scheduled): their stubs are kept all the same
        self.human_notes: dict[str, tuple] = {}
        self.rkeys: dict[str, str] = {}
        self.records: dict[str, dict] = {}
        self.new_teasers: dict[str, dict] = {}  # record key -> teaser views, for records not in the state
        self.fresh_views: dict[str, dict] = {}  # slug -> views made by this build
        self.dates: dict = {}
        self.translated: tuple = ({}, {})  # per slug: machine segments, digest of the memory's answers
        self.views: Views | None = None
        clock.check()

    # --- inputs ------------------------------------------------------------------------------------------------
    def _scan(self) -> Inputs:
        config, state = self.config, self.state
        fp = fingerprints(config, state)
        scanned = scan_content(config.content_dir)
        paths = scanned[0] + sorted(scanned[1].values())
        files = file_digests(paths, config.content_dir, state.files, state.scanned_ns, config.max_file_bytes)
        # Image files are inputs too (a changed image is copied again, and its pages remade if its size changed).
        images = file_digests(scanned[3], config.content_dir, state.files, state.scanned_ns, MAX_IMAGE_BYTES)
        files.update(images)
        git_times = self._git_times(config.content_dir)
        whens = dates_from_outside(config, scanned[0], files, git_times)
        # flags: which articles are listed; the key is the frame (every input but the texts) and the texts
        frame = frame_key(fp, scanned, images, str(config.output_dir.resolve()),
                          f"drafts={config.drafts} future={config.future}")
        key = quick_hash(frame, *files_key(files, whens))
        return Inputs(fp, scanned, files, git_times, whens, key, frame)

    def _git_times(self, folder) -> dict[str, int]:
        """First-commit times of the content files: those of the last build while HEAD is the same commit (the
        history is the same), else asked of git again. `git log` over the whole history took 0.05-0.09 s for a
        20-commit repository of 9,500 files here, and grows with the history; `git rev-parse HEAD` does not."""
        head = git_head(folder)
        if head is None:
            return {}
        key = f"{folder.resolve()}|{head}"
        if self.state.git and self.state.git[0] == key:
            return self.state.git[1]
        times = git_first_commit_times(folder)
        self.state.git, self.git_asked = (key, times), True
        return times

    def rescan(self) -> None:
        """The translation memory changed during this build (answers arrived): so did the inputs' fingerprint."""
        self.inputs = self._scan()

    def _nothing_changed(self) -> bool:
        """Nothing changed since the last build: its report stands, nothing is read, rendered or written."""
        state, report = self.state, self.report
        if not (state.inputs == self.inputs.key and state.summary and self.config.output_dir.is_dir()):
            return False
        if release_due(state.summary.get("next_release")):  # the clock passed a scheduled article's moment
            return False
        for name in REPLAYED:
            setattr(report, name, state.summary.get(name, getattr(report, name)))
        # Touched but identical files (remember their new stat signatures), or a new commit that dates nothing
        # differently (remember its times, so the next build does not ask git again).
        if self.inputs.files != state.files or self.git_asked:
            state.files, state.scanned_ns = self.inputs.files, self.clock.started_ns
            save_quick(self.spath, state)
        self.clock.done("load", f"{report.published} articles, no input changed; nothing to do")
        return True

    # --- what the stages made --------------------------------------------------------------------------------
    def keep_articles(self, source, human_notes: dict[str, tuple]) -> None:
        self.source, self.human_notes = source, human_notes

    def hold(self, source, held: list) -> None:
        """The articles published (`source`) and those held back (schedule.hold_back)."""
        self.source, self.held = source, held

    def keep_records(self, rkeys: dict[str, str], records: dict[str, dict], new_teasers: dict, fresh_views: dict,
                     dates: dict) -> None:
        self.rkeys, self.records, self.dates = rkeys, records, dates
        self.new_teasers.update(new_teasers)
        self.fresh_views.update(fresh_views)

    def last_site(self) -> LastSite | None:
        """The Site the last build kept (edits.LastSite), for an edit build; None if it kept none."""
        if self._last_site is None and self.state.site:
            self._last_site = LastSite(self.state.site)
        return self._last_site

    def page_views(self, refs: dict, rkey_of_path: dict[str, str]) -> Views:
        """The page models of the published articles, for the page kinds (from this build, the store, the state)."""
        from digest.build.shards import TeaserLookup, Views

        self.views = Views(self.store, rkey_of_path, self.fresh_views, refs,
                           TeaserLookup(self.state.teasers, self.new_teasers))
        return self.views

    def search_pages(self) -> tuple[str, Callable[[], dict[str, str] | None]]:
        """For the search index: the token of the committed output's build state (new with every committed
        build) and a function giving its searchable pages with their recipes (None if the state cannot say)."""
        if self.written is not None:
            state = self.written
            return state.token, lambda: {path: state.manifest[path] for path in state.searchable}
        state, spath = self.state, self.spath

        def from_saved_state() -> dict[str, str] | None:  # a no-change build: read only when the index is behind
            if not state.token or not load_heavy(spath, state):
                return None
            return {path: state.manifest[path] for path in state.searchable if path in state.manifest}

        return state.token, from_saved_state

    # --- the write stage -----------------------------------------------------------------------------------------
    def write(self, pages: list[Page], site: Site, edit: Patched | None = None) -> None:
        """Render and write the pages whose recipe changed (through a journal), or all of them into a fresh
        folder swapped in whole; the new build state becomes current with them. After an edit (`edit`), `pages`
        are only those showing the edited articles (and of the kinds that cannot tell): the others stand as the
        last build recorded them."""
        from digest.build.pagecache import PageCache, compress, page_key
        from digest.build.renderpool import render_pages

        config, clock, report = self.config, self.clock, self.report
        previous = self.state.manifest
        if edit is not None and not (config.output_dir.is_dir() and previous):  # the folder went meanwhile
            from digest.site.pages import plan_site

            pages, edit = plan_site(site), None
        plan = recipes(pages, previous, edit.new_digests if edit is not None else None)
        ordinary = [page for page in pages if not page.site_wide]
        changed = [page for page in ordinary if previous.get(page.path) != plan[page.path]]
        trees = tuple(page.path + "/" for page in pages if page.tree is not None)
        if edit is not None:  # the pages not planned again, with the recipes they had
            plan = {**{rel: recipe for rel, recipe in previous.items() if not rel.startswith(trees)}, **plan}
        files = len(ordinary) + len(plan) - len(pages)  # (those not planned again are all ordinary files)
        clock.done("plan", f"{files} files" + (f" ({len(pages)} planned again)" if edit is not None else ""))
        new_state = self._next_state(plan, site, edit)
        new_state.searchable = (self.state.searchable if edit is not None
                                else frozenset(page.path for page in pages if page.searchable))
        incremental = (config.output_dir.is_dir() and bool(previous)
                       and all(previous.get(p.path) == plan[p.path] for p in pages if p.site_wide)
                       and (edit is not None or len(changed) <= max(64, len(ordinary) // 2)))
        jobs = list(dict.fromkeys(page.job for page in (changed if incremental else pages) if page.job))

        # The files each job makes, by page key: jobs whose files the page cache has are written from it.
        keys: dict[tuple, list[tuple[str, str]]] = {job: [] for job in jobs}
        for page in pages:
            if page.job in keys:
                keys[page.job].append((page.path, page_key(page.path, plan[page.path])))
        page_cache = PageCache(cache_dir(config.output_dir) / "pages.sqlite")

        def site_keys() -> set[str]:  # every rendered file's key, when the page cache is pruned
            if edit is not None:  # (not every page was planned: every file's key, a few more than needed)
                return {page_key(path, recipe) for path, recipe in plan.items()}
            return {page_key(page.path, plan[page.path]) for page in pages if page.job or page.keep}

        def made(page: Page) -> bytes:
            """A page's own bytes; those of a costly function (the sitemap, the 404 page) kept by recipe too."""
            if not page.keep:
                return page.data() if callable(page.data) else page.data
            key = page_key(page.path, plan[page.path])
            data = page_cache.get_many([key]).get(key)
            if data is None:
                data = page.data()
                page_cache.put_many([(key, compress(data))])
            return data

        def render(root) -> int:
            return render_pages(config, root, jobs, self.views, cache_dir(config.output_dir), check=clock.check,
                                pages=page_cache, keys=keys)

        if incremental:
            out = IncrementalOutput(config.output_dir)
            try:
                rendered = render(out.stage)
                for page in changed:
                    if page.job is None and page.tree is None:
                        out.write(page.path, made(page))
                deletions = [rel for rel in previous if rel not in plan and not rel.startswith(trees)]
                kept = [rel for rel in previous if rel.startswith(trees)]  # copied files of unchanged folders
                new_state.manifest.update((rel, previous[rel]) for rel in kept)
                report.pages = len(plan) - len(trees) + len(kept)
                clock.check()  # the last moment a cancelled build leaves no trace
                self._stage_state(new_state, None)
                out.commit(deletions, state=self.spath)  # the journal makes the new state current with the files
            except BaseException:
                out.discard()
                raise
            else:
                page_cache.prune(site_keys, len(plan))
                prune_blobs(self.spath, new_state)
            finally:
                page_cache.close()
            self.written = new_state
            clock.done("write", f"{len(changed)} changed files ({rendered} pages made), "
                                f"{len(deletions)} removed, {files - len(changed)} unchanged; incremental")
            return
        stage = StagedOutput(config.output_dir, protected=(config.content_dir, config.root))
        try:
            rendered = render(stage.stage)
            copied = 0
            for page in pages:
                if page.tree is not None:
                    before = len(stage.written)
                    stage.copy_tree(page.tree, page.path)
                    new_state.manifest.update((rel, page.path) for rel in stage.written[before:])
                    copied += len(stage.written) - before
                elif page.job is None:
                    stage.write(page.path, made(page))
            report.pages = len(plan) - len(trees) + copied
            clock.check()
            folder = os.stat(stage.stage)
            self._stage_state(new_state, (folder.st_dev, folder.st_ino))
            stage.commit()
        except BaseException:
            stage.discard()
            page_cache.close()
            raise
        promote_state(self.spath)  # killed just before: the next build finds this folder in place and promotes it
        prune_blobs(self.spath, new_state)
        page_cache.prune(site_keys, len(plan))
        page_cache.close()
        self.written = new_state
        clock.done("write", f"{report.pages} files ({rendered} pages made); full build, swapped in")

    def _next_state(self, plan: dict[str, str], site: Site, edit: Patched | None) -> BuildState:
        """The state this build leaves for the next one (made current only with the output)."""
        state, fp = self.state, self.inputs.fp
        new_state = BuildState(output=str(self.config.output_dir.resolve()), manifest=dict(plan),
                               files=self.inputs.files, scanned_ns=self.clock.started_ns, inputs=self.inputs.key,
                               templates=state.templates, git=state.git, frame=self.inputs.frame)
        dates = self.dates
        for views in self.fresh_views.values():
            for v in views.values():
                dates[(v.date_iso[:10], v.lang)] = v.date_display
        new_state.dates = (fp["code"], dates)
        last = self.last_site() if edit is not None else None
        new_state.records, new_state.teasers, new_state.stubs, new_state.humans = self._article_parts(last, edit)
        new_state.summary = {"memory": fp["memory"]}  # the memory the records were checked against
        new_state.site = keep_site(site, self.source, last)
        return new_state

    def _article_parts(self, last: LastSite | None, edit: Patched | None) -> tuple:
        """The state's per-article parts (records, teaser views, article stubs: shards by key; human translation
        notes). After an edit build (`last`: the site it patched), the last build's with the edited articles'
        entries replaced: only their shards are pickled again."""
        from digest.build.shards import (article_stubs, pack_record, pack_teasers, patch_shards,
                                         reshard, teaser_shards)

        state, source, rkeys, records = self.state, self.source, self.rkeys, self.records
        # A record made by this build replaces the state's under the same key (the memory answered otherwise).
        made = {rkeys[a.slug]: pack_record(records[a.slug]) if rkeys[a.slug] in self.new_teasers
                else state.records[rkeys[a.slug]] for a in source.articles}
        stubs = article_stubs(source.articles + self.held, source.akeys, state, source.fresh)
        if edit is None:
            return (reshard(made, state.records.shards, state.records), teaser_shards(made, state, self.new_teasers),
                    reshard(stubs, state.stubs.shards, state.stubs), self.human_notes)
        edited, old_records = {a.slug for a in source.articles}, edit.old_records
        old_stubs = {last.akeys[a.source_path] for a in source.articles if a.source_path in last.akeys}
        old_humans = {last.humans[slug] for slug in edited if slug in last.humans}
        teasers = ShardedDict(state.teasers)
        made_teasers = {k: pack_teasers(self.new_teasers[k]) if k in self.new_teasers else teasers[k] for k in made}
        return (patch_shards(state.records, old_records, made), patch_shards(teasers, old_records, made_teasers),
                patch_shards(state.stubs, old_stubs, stubs),
                {**{k: v for k, v in state.humans.items() if k not in old_humans}, **self.human_notes})

    def _stage_state(self, new_state: BuildState, output_id: tuple[int, int] | None) -> None:
        """The state of this build, with the report a no-change build replays, written before the commit point."""
        new_state.summary.update({name: getattr(self.report, name) for name in REPLAYED})
        stage_state(self.spath, new_state, output_id)


def _sharded(value) -> ShardedDict:
    """A state's records or stubs as a ShardedDict (an empty state has plain dicts)."""
    return value if isinstance(value, ShardedDict) else ShardedDict(value)


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

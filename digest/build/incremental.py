"""Incremental-build bookkeeping: what the build state remembers between builds, and how it is keyed.

Why a module of its own: build() only needs "has this input changed?" and "give me what the last build
made of it"; the hashing (fingerprints, quick_hash), the compact record and stub forms and their pickled
shards are details that make an edit build fast (it unpickles and rewrites a shard or two, not 5,000
records) and would otherwise bury the pipeline order.
"""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

from digest.read import relative_to
from digest.build.cache import BuildState, code_version, digest_of, stat_digest, tree_digest
from digest.config import Config
from digest.model import Article
from digest.site.render import ArticleView, home_page_count, home_path
from digest.translate import memory_root


# --- fingerprints: hashes of the inputs shared by many outputs ------------------------------------------------------
def fingerprints(config: Config, state: BuildState) -> dict[str, str]:
    """Hashes of the inputs shared by many outputs; each output's recipe includes those it depends on."""
    code = code_version()
    per_site = {f.name: repr(getattr(config, f.name)) for f in fields(config)
                if f.name not in ("content_dir", "output_dir", "config_path", "translator", "root", "templates_dir",
                                  "static_dir")}  # folders: their contents are fingerprinted instead
    site = digest_of(code, per_site)
    static = tree_digest(config.static_dir)
    templates = _template_digests(config.templates_dir, state)
    tr = config.translator
    fp = {
        "code": code, "site": site, "static": static,
        "article": digest_of(code, config.max_file_bytes),
        "summary": digest_of(code, config.summary_sentences, config.summary_words),
        # Not the memory: a record remembers the answers its own segments got (build._answers_changed), so an
        # answer arriving makes again only the records that use it.
        "record": digest_of(site, repr(tr)),
        "memory": memory_digest(tr),
    }
    for name in ("article.html", "index.html", "404.html"):
        fp[name] = digest_of(site, static, templates.get(name, ""))
    return fp


def memory_digest(tr) -> str:
    """Cheap fingerprint of the translation memory's files (rewritten only by atomic replace)."""
    return stat_digest(memory_root(tr), "*.jsonl")


def _template_digests(folder: Path, state: BuildState) -> dict[str, str]:
    """Per template: hash of its source and of every template it extends/includes/imports, recursively.
    Remembered in the state by the hash of all sources, so an unchanged folder costs only reading it."""
    sources: dict[str, str] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                sources[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    key = digest_of(sorted(sources.items()))
    if state.templates and state.templates[0] == key:
        return state.templates[1]
    import jinja2
    from jinja2 import meta

    env = jinja2.Environment()
    refs: dict[str, set[str]] = {}
    for name in sources:
        try:
            refs[name] = {r for r in meta.find_referenced_templates(env.parse(sources[name])) if r}
        except jinja2.TemplateSyntaxError:
            refs[name] = set(sources)  # broken: depend on everything (the render will report it)
        except TypeError:
            refs[name] = set(sources)
    out = {}
    for name in sources:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(refs.get(current, set()) | ({*sources} if None in refs.get(current, set()) else set()))
        out[name] = digest_of(sorted((n, sources.get(n, "")) for n in seen))
    state.templates = (key, out)
    return out


def dates_from_outside(config: Config, paths: list[Path], files: dict, git_times: dict[str, int]) -> dict:
    """Per article file, the date it gets if it has none of its own (first commit, else mtime): part of its key."""
    out = {}
    rel_of = relative_to(config.content_dir)
    for path in paths:
        rel = rel_of(path)
        if rel not in files:
            continue
        when = git_times.get(rel)
        out[rel] = when if when is not None else ("mtime", int(files[rel][1] // 1_000_000_000))
    return out


def quick_hash(*parts: str) -> str:
    """digest_of for a flat list of strings (the plan hashes thousands of them per build)."""
    return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# --- state records and shards --------------------------------------------------------------------------------------
# Compact forms kept in the build state: plain tuples pickle and load several times faster than dataclasses.
_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
_VIEW_FIELDS = tuple(f.name for f in fields(ArticleView))


def _make(cls, names: tuple[str, ...], values: tuple):
    # Frozen dataclasses without __post_init__: filling __dict__ is what __init__ does, minus its per-field cost.
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values))
    return obj


def unpack_article(values: tuple) -> Article:
    return _make(Article, _ARTICLE_FIELDS, values)


def article_stubs(articles: list[Article], akeys: dict[str, str], state: BuildState, fresh: dict) -> dict:
    """Articles without their body, as load_article returned them (before load_content renamed a colliding
    slug): all load_content needs to be given back for an unchanged file."""
    out = {}
    for a in articles:
        k = akeys.get(a.source_path)
        if k is None:
            continue
        if k in state.stubs:
            out[k] = state.stubs[k]
        elif isinstance(fresh.get(k), Article):
            stub = fresh[k]
            out[k] = tuple(() if name == "paragraphs" else getattr(stub, name) for name in _ARTICLE_FIELDS)
    return out


class TeaserRef(NamedTuple):
    slug: str
    lang: str
    path: str
    other_path: str | None
    rkey: str


def _shard(rkey: str) -> str:
    return rkey[:2]


def _by_shard(keys) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for k in keys:
        groups.setdefault(_shard(k), set()).add(k)
    return groups


class TeaserLookup:
    """Teaser views by record key: this build's new ones, else the state's shards (each unpickled on first use,
    so an edit build reads the few shards its changed home pages need, not 5,000 records)."""

    def __init__(self, shards: dict[str, bytes], new: dict[str, dict[str, ArticleView]]):
        self.shards, self.new = shards, new
        self.decoded: dict[str, dict] = {}

    def packed(self, rkey: str) -> dict[str, tuple] | None:
        shard = _shard(rkey)
        if shard not in self.decoded:
            data = self.shards.get(shard)
            self.decoded[shard] = pickle.loads(data) if data is not None else {}
        return self.decoded[shard].get(rkey)

    def view(self, rkey: str, lang: str) -> ArticleView:
        views = self.new.get(rkey)
        if views is not None:
            return views[lang]
        view = _make(ArticleView, _VIEW_FIELDS, self.packed(rkey)[lang])
        view.__dict__["body_html"] = Markup("")
        return view


class Teasers:
    """The teasers of one language, newest first; slicing gives real views (what home_pages reads)."""

    def __init__(self, refs: list[TeaserRef], lookup: TeaserLookup):
        self.refs, self.lookup = refs, lookup

    def __len__(self) -> int:
        return len(self.refs)

    def __iter__(self):
        return iter(self.refs)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.lookup.view(r.rkey, r.lang) for r in self.refs[index]]
        ref = self.refs[index]
        return self.lookup.view(ref.rkey, ref.lang)


def teaser_shards(records: dict[str, tuple], state: BuildState, new: dict[str, dict[str, ArticleView]]) -> dict:
    """The state's teaser views, pickled in shards by record key; a shard whose records are unchanged keeps its
    bytes (an edit build re-pickles one or two shards, not every record)."""
    old_groups = _by_shard(state.records)
    lookup = TeaserLookup(state.teasers, {})
    out = {}
    for shard, keys in _by_shard(records).items():
        if shard in state.teasers and old_groups.get(shard) == keys and not any(k in new for k in keys):
            out[shard] = state.teasers[shard]
            continue
        packed = {}
        for k in sorted(keys):
            views = new.get(k)
            if views is not None:
                packed[k] = {lang: tuple("" if name == "body_html" else getattr(v, name) for name in _VIEW_FIELDS)
                             for lang, v in views.items()}
            else:
                packed[k] = lookup.packed(k)
        out[shard] = pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def unshard(shards: dict[str, bytes]) -> dict:
    out: dict = {}
    for data in shards.values():
        out.update(pickle.loads(data))
    return out


def reshard(values: dict[str, Any], old_shards: dict[str, bytes], old_values: dict[str, Any]) -> dict[str, bytes]:
    """`values` pickled in shards by key; a shard holding exactly the same objects as before keeps its bytes, so
    saving the state after a one-article edit re-pickles one or two shards, not every article."""
    old_groups = _by_shard(old_values)
    out = {}
    for shard, keys in _by_shard(values).items():
        if (shard in old_shards and old_groups.get(shard) == keys
                and all(values[k] is old_values[k] for k in keys)):
            out[shard] = old_shards[shard]
        else:
            out[shard] = pickle.dumps({k: values[k] for k in sorted(keys)}, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def new_record(views: dict[str, ArticleView], complete: bool, pending: bool = False, answers: str = "") -> dict:
    """`pending`: some field waits for a translation; `answers`: digest of the memory's answers for the record's
    machine segments ("" when it has none)."""
    teasers = {lang: replace(v, body_html=Markup("")) for lang, v in views.items()}
    return {"teasers": teasers,
            "digests": {lang: digest_of(repr(v)) for lang, v in views.items()},
            "tdigests": {lang: digest_of(repr(v)) for lang, v in teasers.items()},
            "complete": complete, "pending": pending, "answers": answers}


def pack_record(record: dict) -> tuple:
    return (record["complete"], record["digests"], record["tdigests"], record["pending"], record["answers"])


def unpack_record(packed: tuple) -> dict:
    return {"complete": packed[0], "digests": packed[1], "tdigests": packed[2], "pending": packed[3],
            "answers": packed[4]}


# --- plan: every page and the recipe (hash of all its inputs) it is made from --------------------------------------
def plan_pages(config: Config, fp: dict[str, str], listing) -> tuple[dict[str, str], dict[str, tuple]]:
    """Recipe and render job of every article and home page; `listing` holds per language the teaser stand-ins
    (with .path) and the digests of the full and teaser views, newest first."""
    teasers, digests, tdigests = listing.teasers, listing.digests, listing.tdigests
    plan: dict[str, str] = {}
    jobs: dict[str, tuple] = {}
    for lang in ("ar", "en"):
        article_fp = fp["article.html"]
        for view, d in zip(teasers[lang], digests[lang]):
            plan[view.path] = quick_hash(article_fp, d)
            jobs[view.path] = ("article", view.path)
        per_page = config.per_page
        count = home_page_count(len(teasers[lang]), per_page)
        for number in range(1, count + 1):
            # A home page shows teasers only: its recipe holds their digests (a body edit leaves it alone).
            chunk = tdigests[lang][(number - 1) * per_page: number * per_page]
            recipe = quick_hash(fp["index.html"], lang, str(number), str(count), *chunk)
            plan[home_path(lang, number)] = recipe
            jobs[home_path(lang, number)] = ("home", lang, number)
            if lang == "ar" and number == 1:
                plan["index.html"] = digest_of(recipe, "root")
                jobs["index.html"] = ("home", lang, number)
    return plan, jobs

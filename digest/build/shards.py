"""Compact forms of what the build state keeps per article, pickled in shards so that an edit build unpickles and
rewrites a shard or two, not 5,000 records: article stubs (an article without its body), records (digests of its
page models, complete/pending, the memory's answers) and teaser views (what home pages show)."""
from __future__ import annotations

import os
import pickle
from dataclasses import fields, replace
from typing import Any

from markupsafe import Markup

from digest.build.state import BuildState, ShardedDict, shard_of
from digest.build.store import Store, digest_of
from digest.model import Article
from digest.site.pages import TeaserRef
from digest.site.render import ArticleView

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


_shard = shard_of


def _by_shard(keys) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for k in keys:
        groups.setdefault(_shard(k), set()).add(k)
    return groups


class TeaserLookup:
    """Teaser views by record key: this build's new ones, else the state's shards (each unpickled on first use,
    so an edit build reads the few shards its changed home pages need, not 5,000 records)."""

    def __init__(self, shards: dict[str, bytes], new: dict[str, dict[str, ArticleView]]):
        self.stored, self.new = ShardedDict(shards), new

    def packed(self, rkey: str) -> dict[str, tuple] | None:
        return self.stored.get(rkey)

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
    stale = _stale_shards(records, state.records, state.teasers, new)
    lookup = TeaserLookup(state.teasers, {})
    out = _kept(state.teasers, stale)
    for shard, keys in _by_shard(k for k in records if _shard(k) in stale).items():
        packed = {}
        for k in sorted(keys):
            views = new.get(k)
            packed[k] = pack_teasers(views) if views is not None else lookup.packed(k)
        out[shard] = pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def pack_teasers(views: dict[str, ArticleView]) -> dict[str, tuple]:
    """An article's teaser views as the state keeps them (tuples, without the body)."""
    return {lang: tuple("" if name == "body_html" else getattr(v, name) for name in _VIEW_FIELDS)
            for lang, v in views.items()}


def _stale_shards(values: dict, old_values: dict, old_shards: dict[str, bytes], changed) -> set[str]:
    """The shards to pickle again: those of keys added or removed, of keys in `changed`, and any shard that has
    keys but no saved bytes. Set operations over the keys, not a grouping of every key: an edit build keeps 254 of
    256 shards as they were."""
    keys, old_keys = values.keys(), old_values.keys()
    stale = {_shard(k) for k in (keys ^ old_keys)} | {_shard(k) for k in changed if k in keys}
    return stale | {_shard(k) for k in keys if _shard(k) not in old_shards}


def patch_shards(shards: ShardedDict, removed: set[str], added: dict[str, Any]) -> dict[str, bytes]:
    """The shards of `shards` without the keys `removed`, with `added`: only the shards they fall in are pickled
    again (an edit build's state)."""
    out = shards.shards.copy()
    for shard in {_shard(k) for k in removed} | {_shard(k) for k in added}:
        part = {k: v for k, v in shards.part(shard).items() if k not in removed}
        part.update((k, v) for k, v in added.items() if _shard(k) == shard)
        if part:
            out[shard] = pickle.dumps({k: part[k] for k in sorted(part)}, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            out.pop(shard, None)
    return out


def _kept(shards, stale: set[str]):
    """The shards not in `stale`, as they are (kept in the state's blobs: none is read, digest/build/state.py)."""
    out = shards.copy()
    for shard in stale:
        out.pop(shard, None)
    return out


def reshard(values: dict[str, Any], old_shards: dict[str, bytes], old_values: dict[str, Any]) -> dict[str, bytes]:
    """`values` pickled in shards by key; a shard holding exactly the same objects as before keeps its bytes, so
    saving the state after a one-article edit re-pickles one or two shards, not every article."""
    changed = [k for k, v in values.items() if old_values.get(k) is not v]
    stale = _stale_shards(values, old_values, old_shards, changed)
    out = _kept(old_shards, stale)
    for shard, keys in _by_shard(k for k in values if _shard(k) in stale).items():
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


class Views:
    """The page models the page kinds read, by output path: full views (made by this build, else from the store by
    record key) and teaser views (TeaserLookup). Usable in forked render workers: each process opens its own
    connection to the store."""

    def __init__(self, store: Store, rkey_of_path: dict[str, str], fresh: dict[str, dict[str, ArticleView]],
                 refs: dict[str, list[TeaserRef]], lookup: TeaserLookup):
        self.store_path, self.rkey_of_path, self.fresh = store.path, rkey_of_path, fresh
        self.refs, self.lookup = refs, lookup
        self._stores = {os.getpid(): store}
        self._teasers: dict[str, Teasers] = {}

    def _store(self) -> Store:
        store = self._stores.get(os.getpid())
        if store is None:
            store = self._stores[os.getpid()] = Store(self.store_path)
        return store

    def full(self, paths: list[str]) -> list[ArticleView]:
        """The full view (body included) of each page of `paths` ("<lang>/<slug>/index.html")."""
        fresh, rkeys = self.fresh, self.rkey_of_path
        wanted = [f"R:{rkeys[p]}" for p in paths if p.split("/")[1] not in fresh]
        found = self._store().get_many(wanted) if wanted else {}
        out = []
        for path in paths:
            lang, slug = path.split("/")[:2]
            views = fresh.get(slug) or found.get(f"R:{rkeys[path]}")
            out.append(views[lang])
        return out

    def teasers(self, lang: str) -> Teasers:
        if lang not in self._teasers:
            self._teasers[lang] = Teasers(self.refs[lang], self.lookup)
        return self._teasers[lang]

"""What every page kind plans and renders with (digest/site/pages.py declares the kinds): the Site it plans from,
the Page it yields per output file, the RenderContext its render gets. A module of its own so that a kind in its
own module (sections.py, days.py) and pages.py, which lists them all, import it without importing each other."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from digest.config import Config
from digest.site.render import PageRenderer

LANGS = ("ar", "en")


class Page(NamedTuple):
    path: str  # relative to the output folder
    deps: tuple  # strings it is made from (fingerprints, content digests): its recipe is their hash
    job: tuple | None = None  # (kind name, *arguments): rendered by that kind's render()
    data: bytes | Callable[[], bytes] | None = None  # its bytes, or what makes them when it has to be written
    site_wide: bool = False  # a change of it re-renders the whole site (the 404 page, static files)
    tree: Path | None = None  # a folder copied as it is under `path` (static files)
    searchable: bool = False  # in the search index (its template marks the text with data-pagefind-body)
    keep: bool = False  # `data` is a costly function (the sitemap): its bytes are kept by recipe, like rendered pages


class TeaserRef(NamedTuple):
    """A published article in one language, as lists and plans need it (the views are read only when rendered)."""
    slug: str
    lang: str
    path: str
    other_path: str | None
    rkey: str  # key of its record: its page models in the build cache
    section: str | None = None  # the article's Arabic section (both languages): sections.py plans from it


class Site(NamedTuple):
    """What the page kinds plan from: per language, the published articles newest first, with the digests of
    their full and teaser page models; `views` gives the models themselves (digest/build/shards.Views)."""
    config: Config
    fp: dict[str, str]  # fingerprints (digest/build/fingerprints.py), one per template by its file name
    teasers: dict[str, list[TeaserRef]]
    digests: dict[str, list[str]]
    tdigests: dict[str, list[str]]
    published: dict[str, object]  # slug -> publication datetime (feeds, days)
    views: object
    images: dict = {}  # path below content/ -> ImageFile: every image a published article uses (media.py)
    # Worked out once from the above by plan_site for the kinds that use them: the sections (sections.SectionIndex:
    # which section an article is in, for the labels' links) and the days (days.day_index per language).
    sections: object = None
    days: dict | None = None
    copies_dir: Path | None = None  # where the images' resized copies are kept (digest/read/resize.py)


class RenderContext(NamedTuple):
    renderer: PageRenderer
    views: object  # .full(paths) -> [ArticleView], .teasers(lang) -> newest-first teaser views


class PageKind(NamedTuple):
    name: str
    plan: Callable[[Site], Iterable[Page]]
    render: Callable[[RenderContext, list[tuple]], Iterator[tuple[str, bytes]]] | None = None
    # The kind's URLs for sitemap.xml: one dict per page, language -> output path (hreflang pairs when both).
    sitemap: Callable[[Site], list[dict[str, str]]] | None = None
    # The kind's pages that show the articles at these list positions (lang -> indices), exactly as `plan` gives
    # them: an edit build plans only those (digest/build/edits.py). Without it, an edit build plans all its pages.
    showing: Callable[[Site, dict[str, list[int]]], Iterable[Page]] | None = None


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()

"""Every kind of page the site has, declared in one place: KINDS, at the bottom of this module.

A page kind is two small functions:
- `plan(site)` yields a Page per output file: its path and its dependencies (the fingerprints of the template and
  settings it is made with, and the digests of the content it shows). The writer hashes them into the page's
  recipe and compares it with the recipe recorded by the last build: equal, the file is left alone.
- `searchable=True` on its pages puts them in the search index (digest/build/searchindex.py), and its template
  marks their text with `data-pagefind-body`; other pages are not indexed.
- `render(ctx, jobs)` makes the bytes of the pages whose `job` names this kind (in worker processes when there are
  many); a page may instead carry its bytes (`data`), or a function making them when it has to be written.

Adding a kind: write its plan/render pair (and, for sitemap.xml, a function giving its URLs) in a module of its own,
as sections.py and days.py do, importing the types from kinds.py; add a template under templates/, and append it
to KINDS. Nothing in digest/build/ needs to know about it.
"""
from __future__ import annotations

from typing import Iterator

from digest.site.feeds import rss_feed, sitemap
from digest.site.days import day_index, days_showing, plan_days, render_days, sitemap_days
from digest.site.kinds import LANGS, Page, PageKind, RenderContext, Site, TeaserRef, content_hash as _hash
from digest.site.media import plan_media
from digest.site.render import ArticleView, PageRenderer, feed_path, home_page_count, home_path, search_path
from digest.site.sections import plan_sections, render_sections, section_index, sections_showing, sitemap_sections

# --- article pages: one per article and language --------------------------------------------------------------------
def plan_articles(site: Site) -> Iterator[Page]:
    for lang in LANGS:
        for index in range(len(site.teasers[lang])):
            yield _article_page(site, lang, index)


def articles_showing(site: Site, places: dict[str, list[int]]) -> Iterator[Page]:
    for lang, indexes in places.items():
        for index in indexes:
            yield _article_page(site, lang, index)


def _article_page(site: Site, lang: str, index: int) -> Page:
    ref, digest = site.teasers[lang][index], site.digests[lang][index]
    section = site.sections.link(lang, ref.slug)  # where its section label leads (sections.py)
    return Page(ref.path, (site.fp["article.html"], digest, str(section)), ("article", ref.path, section),
                searchable=True)


def render_articles(ctx: RenderContext, jobs: list[tuple]) -> Iterator[tuple[str, bytes]]:
    paths = [job[0] for job in jobs]
    for (_, section), view in zip(jobs, ctx.views.full(paths)):
        yield view.path, ctx.renderer.article_page(view, section)


# --- home pages: the digest by day, paginated; the site root is the first Arabic page -------------------------------
def plan_homes(site: Site) -> Iterator[Page]:
    for lang in LANGS:
        count = home_page_count(len(site.tdigests[lang]), site.config.per_page)
        for number in range(1, count + 1):
            yield from _home_pages(site, lang, number, count)


def homes_showing(site: Site, places: dict[str, list[int]]) -> Iterator[Page]:
    per_page = site.config.per_page
    for lang, indexes in places.items():
        count = home_page_count(len(site.tdigests[lang]), per_page)
        for number in sorted({index // per_page + 1 for index in indexes}):
            yield from _home_pages(site, lang, number, count)


def _home_pages(site: Site, lang: str, number: int, count: int) -> Iterator[Page]:
    per_page, tdigests = site.config.per_page, site.tdigests[lang]
    # Teasers only: a home page's recipe holds their digests (a body edit leaves it alone).
    shown = site.teasers[lang][(number - 1) * per_page: number * per_page]
    # The pages of the sections its teasers' labels lead to (sections.py), with the page's job.
    links = tuple((ref.slug, link) for ref in shown if (link := site.sections.link(lang, ref.slug)))
    deps = (site.fp["index.html"], lang, str(number), str(count), repr(links),
            *tdigests[(number - 1) * per_page: number * per_page])
    yield Page(home_path(lang, number), deps, ("home", lang, number, links))
    if lang == "ar" and number == 1:
        yield Page("index.html", (*deps, "root"), ("home", lang, number, links))  # the same render job


def render_homes(ctx: RenderContext, jobs: list[tuple]) -> Iterator[tuple[str, bytes]]:
    numbers: dict[str, set[int]] = {}
    sections: dict[str, dict[str, str]] = {}
    for lang, number, links in jobs:
        numbers.setdefault(lang, set()).add(number)
        sections.setdefault(lang, {}).update(links)
    for lang, only in numbers.items():
        yield from ctx.renderer.home_pages(lang, ctx.views.teasers(lang), only=only, sections=sections[lang])


# --- feeds: small, made every time and compared by their bytes -------------------------------------------------------
def plan_feeds(site: Site) -> Iterator[Page]:
    for lang in LANGS:
        top = [ref.path for ref in site.teasers[lang][: site.config.feed_items]]
        data = rss_feed(site.config, lang, site.views.full(top), site.published, site.images)
        yield Page(feed_path(lang), (_hash(data),), data=data)


# --- sitemap: every page (10,000 URLs at 5,000 articles), made only when the pages it lists or the settings change --
def plan_sitemap(site: Site) -> Iterator[Page]:
    # The other kinds' URLs (sections, days: a few hundred) are listed now; the articles' (10,000) only when written.
    kinds = _kinds_sitemap_groups(site)
    deps = (site.fp["site"], *(r.path + "|" + str(r.other_path) for r in site.teasers["ar"]),
            *(r.path for r in site.teasers["en"]), repr(kinds))
    yield Page("sitemap.xml", deps, data=lambda: sitemap(site.config, _own_sitemap_groups(site) + kinds), keep=True)


def sitemap_groups(site: Site) -> list[dict[str, str]]:
    """The sitemap's URLs, each with its language alternates (hreflang pairs): those of the home, search and
    article pages, then those each other kind gives (its `sitemap`)."""
    site = with_indexes(site)
    return _own_sitemap_groups(site) + _kinds_sitemap_groups(site)


def _kinds_sitemap_groups(site: Site) -> list[dict[str, str]]:
    groups: list[dict[str, str]] = []
    for kind in KINDS:
        if kind.sitemap is not None:
            groups += kind.sitemap(site)
    return groups


def _own_sitemap_groups(site: Site) -> list[dict[str, str]]:
    per_page, teasers = site.config.per_page, site.teasers
    groups: list[dict[str, str]] = [{"ar": home_path("ar"), "en": home_path("en")},
                                    {"ar": search_path("ar"), "en": search_path("en")}]
    for lang in LANGS:
        groups += [{lang: home_path(lang, n)} for n in range(2, home_page_count(len(teasers[lang]), per_page) + 1)]
    english_slugs = {ref.slug for ref in teasers["en"]}
    for ref in teasers["ar"]:
        group = {"ar": ref.path}
        if ref.slug in english_slugs:
            group["en"] = ref.other_path
        groups.append(group)
    return groups


# --- search pages: one per edition, the same for any content (the index beside them is made after writing) --------
def plan_search(site: Site) -> Iterator[Page]:
    for lang in LANGS:
        yield Page(search_path(lang), (site.fp["search.html"], lang), ("search", lang))


def render_search(ctx: RenderContext, jobs: list[tuple]) -> Iterator[tuple[str, bytes]]:
    for (lang,) in jobs:
        yield search_path(lang), ctx.renderer.search_page(lang)


# --- files of the site itself ------------------------------------------------------------------------------------------
def plan_files(site: Site) -> Iterator[Page]:
    config = site.config
    robots = f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode()
    yield Page("robots.txt", (_hash(robots),), data=robots)
    yield Page(".nojekyll", (_hash(b""),), data=b"")  # GitHub Pages: serve the site as it is
    yield Page("404.html", (site.fp["404.html"],), data=lambda: PageRenderer(config).not_found_page(),
               site_wide=True, keep=True)
    yield Page("static", (site.fp["static"],), tree=config.static_dir, site_wide=True)


KINDS: list[PageKind] = [
    PageKind("article", plan_articles, render_articles, showing=articles_showing),
    PageKind("home", plan_homes, render_homes, showing=homes_showing),
    PageKind("feed", plan_feeds),
    PageKind("search", plan_search, render_search),
    PageKind("sitemap", plan_sitemap),
    PageKind("files", plan_files),
    PageKind("media", plan_media),
    PageKind("section", plan_sections, render_sections, sitemap_sections, sections_showing),  # sections.py
    PageKind("day", plan_days, render_days, sitemap_days, days_showing),  # days.py: day pages and the archive
]
_BY_NAME = {kind.name: kind for kind in KINDS}


def plan_site(site: Site, places: dict[str, list[int]] | None = None) -> list[Page]:
    """Every output file of the site, kind by kind (the sections worked out once, for the kinds that link to them).
    `places` (an edit build: lang -> the list positions of the edited articles): of the kinds that can tell
    (`showing`), only the pages that show those articles; the other kinds' pages all."""
    site = with_indexes(site)
    if places is None:
        return [page for kind in KINDS for page in kind.plan(site)]
    return [page for kind in KINDS for page in (kind.showing(site, places) if kind.showing else kind.plan(site))]


def with_indexes(site: Site) -> Site:
    """The site with what several kinds use worked out once: its sections and its days (kept with the build state
    for an edit build, digest/build/edits.py)."""
    if site.sections is None:
        site = site._replace(sections=section_index(site))
    if site.days is None:
        site = site._replace(days={lang: day_index(site, lang) for lang in LANGS})
    return site


def render_jobs(ctx: RenderContext, jobs: list[tuple]) -> Iterator[tuple[str, bytes]]:
    """The bytes of the pages of `jobs` ((kind name, *arguments), each once), kind by kind."""
    by_kind: dict[str, list[tuple]] = {}
    for job in jobs:
        by_kind.setdefault(job[0], []).append(job[1:])
    for name, kind_jobs in by_kind.items():
        yield from _BY_NAME[name].render(ctx, kind_jobs)


__all__ = ["KINDS", "LANGS", "Page", "PageKind", "RenderContext", "Site", "TeaserRef", "ArticleView", "plan_site",
           "render_jobs", "sitemap_groups", "with_indexes"]

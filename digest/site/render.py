"""Render stage: page models and HTML pages from Jinja2 templates, Markdown through `markdown` + nh3."""
from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote
from typing import TYPE_CHECKING, Callable, Container, Iterator

from markupsafe import Markup

from digest.config import Config
from digest.translate import META_FIELDS
from digest.site.frontend import article_head, home_head, isolate, isolate_html, teaser_text
from digest.model import Article, English, Summary
from digest.read import ImageFile
from digest.site import SEARCH_BUNDLE, safety
from digest.site.media import (Lead, absolute_media_url, column_sizes, lead_image, place_images, relative_src,
                               srcset)
from digest.site.safety import strip_unsafe_chars

if TYPE_CHECKING:  # annotations only: jinja2 is imported where templates are loaded
    import jinja2

DIRECTION = {"ar": "rtl", "en": "ltr"}
OTHER = {"ar": "en", "en": "ar"}

# Content-Security-Policy of every page: nothing inline, nothing from elsewhere. script-src and connect-src 'self'
# serve `generate.py serve`'s live reload only (published pages hold no script). The search pages add exactly
# what Pagefind needs: compiling its WebAssembly ('wasm-unsafe-eval'); its script, style, worker and index
# fragments are files of the site ('self').
_CSP = ("default-src 'none'; script-src 'self'{wasm}; style-src 'self'; font-src 'self'; img-src 'self' https:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'")
PAGE_CSP = Markup(_CSP.format(wasm=""))  # Markup: the quotes are written as they are
SEARCH_CSP = Markup(_CSP.format(wasm=" 'wasm-unsafe-eval'"))

def paragraphs_html(paragraphs: tuple[str, ...] | list[str], as_markdown: bool) -> Markup:
    """Body HTML: Markdown through the sanitiser, plain paragraphs escaped (never interpreted as HTML)."""
    if as_markdown:
        return Markup(safety.markdown_to_html("\n\n".join(paragraphs)))
    return Markup("\n").join(Markup("<p>{}</p>").format(strip_unsafe_chars(p)) for p in paragraphs)


# No bidi controls or XML-invalid characters can reach a page, whatever field they came in (machine translations
# included): PageRenderer.render strips them from the whole rendered page, once. That is the same as stripping
# every {{ value }} (escaping and the isolate filters neither make nor remove such characters, and the templates'
# own text has none), at one regex pass per page instead of one per expression.


# --- URLs -------------------------------------------------------------------------------------------------
def home_page_count(articles: int, per_page: int) -> int:
    """Pages of the digest for `articles` teasers: the first page exists even when empty."""
    return max(1, -(-articles // per_page))


def home_path(lang: str, page: int = 1) -> str:
    return f"{lang}/index.html" if page == 1 else f"{lang}/page/{page}/index.html"


def article_path(lang: str, slug: str) -> str:
    return f"{lang}/{slug}/index.html"


def feed_path(lang: str) -> str:
    return f"{lang}/feed.xml"


def search_path(lang: str) -> str:
    return f"{lang}/search/index.html"


def section_path(lang: str, slug: str, page: int = 1) -> str:
    """A section's pages (digest/site/sections.py): ar/section/economy/, then ar/section/economy/page/2/."""
    return f"{lang}/section/{slug}/index.html" if page == 1 else f"{lang}/section/{slug}/page/{page}/index.html"


def day_path(lang: str, day_iso: str) -> str:
    """The digest of one publication day (digest/site/days.py): ar/day/2024/05/01/."""
    return f"{lang}/day/{day_iso[:4]}/{day_iso[5:7]}/{day_iso[8:10]}/index.html"


def archive_path(lang: str) -> str:
    return f"{lang}/archive/index.html"


def absolute_url(config: Config, path: str) -> str:
    """Public URL of an output file; directory index pages get their pretty form ("ar/slug/")."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    # Percent-encoded: feeds and sitemaps need plain URLs, and slugs may hold Arabic letters.
    return config.base_url + (quote(path, safe="/") if not path.isascii() else path)


def relative_url(from_path: str, to_path: str) -> str:
    """Link between two output files that works at a domain root, under a sub-path and from file://."""
    base = from_path.split("/")[:-1]
    target = to_path.split("/")
    if "" in target or "." in target or ".." in target or "" in base or "." in base or ".." in base:
        return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")  # unusual paths: the general rule
    # Output paths are normalised and relative to the site root: drop the common folders, climb the rest.
    common = 0
    while common < len(base) and common < len(target) and base[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + target[common:]) or "."


# (ISO date, lang) -> display form, as Babel gave it in an earlier build of the same code version (a build seeds
# it from its state): an edit build then formats its article's date without loading Babel's locale data (~0.1 s).
KNOWN_DATES: dict[tuple[str, str], str] = {}


def localized_date(when: dt.datetime, lang: str) -> str:
    known = KNOWN_DATES.get((when.isoformat()[:10], lang))
    if known is not None:
        return known
    from babel.dates import format_date  # imported on first use: a no-change build formats no date

    return format_date(when.date(), format="long", locale=lang)


# --- page models ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArticleView:
    """What a template needs to show one article in one language."""

    slug: str
    lang: str
    headline: str
    summary: str
    body_html: Markup
    date_iso: str
    date_display: str
    section: str | None
    place: str | None
    source: str | None
    byline: str | None
    agency: str | None
    path: str  # output path of its page
    other_path: str | None  # the page in the other language, if published
    machine_translated: bool = False
    flash: bool = False  # a breaking-news brief: shown with the "عاجل" / "Breaking" mark, no summary or body
    time_display: str | None = None  # "12:58", local to the dateline, when the source gave a time of day
    draft: bool = False  # a draft published by `build --drafts` or `serve`: marked "مسودة" / "Draft"
    image: Lead | None = None  # the image leading the article (teaser thumbnail, og:image, feed enclosure)
    cover: bool = False  # the article page shows `image` above the text (front matter `image:` not in the body)
    blurb: str = ""  # the summary's first sentence or two, for teasers (frontend.teaser_text)


def article_views(config: Config, article: Article, summary: Summary, english: English | None,
                  images: dict | None = None) -> dict[str, ArticleView]:
    """Both languages' page models of an article; `images`: what each image it uses is (ImageFile), or why it
    cannot be published."""
    has_english = english is not None and english.complete
    usable = {rel: image for rel, image in (images or {}).items() if isinstance(image, ImageFile)}

    def with_images(body: Markup, path: str) -> dict:
        body_html, alts = place_images(body, article.source_path, path, usable)
        lead, cover = lead_image(article.cover, article.images, usable, alts)
        return {"body_html": Markup(body_html), "image": lead, "cover": cover}

    # A date the source gave without a time of day is published as that date alone (pages, microdata, OpenGraph);
    # the feeds' pubDate needs a moment and takes Article.published (13:00 Mecca time: the same day everywhere).
    day_only = article.date_source in ("dateline", "front-matter") and not article.timed
    date_iso = article.published.date().isoformat() if day_only else article.published.isoformat()
    common = dict(slug=article.slug, date_iso=date_iso, flash=article.flash, draft=article.draft,
                  time_display=article.published.strftime("%H:%M") if article.timed else None)
    views = {"ar": ArticleView(
        lang="ar", headline=article.headline, summary=summary.text, blurb=teaser_text(summary.text),
        **with_images(paragraphs_html([" ".join(p) for p in article.paragraphs], article.is_markdown),
                      article_path("ar", article.slug)),
        date_display=localized_date(article.published, "ar"), path=article_path("ar", article.slug),
        other_path=article_path("en", article.slug) if has_english else None,
        **common, **{name: getattr(article, name) for name in META_FIELDS})}
    if has_english:
        body_is_markdown = article.is_markdown or english.status.get("body") == "human"
        views["en"] = ArticleView(
            lang="en", headline=english.title, summary=english.summary, blurb=teaser_text(english.summary),
            **with_images(paragraphs_html(list(english.paragraphs), body_is_markdown), article_path("en", article.slug)),
            date_display=localized_date(article.published, "en"),
            path=article_path("en", article.slug), other_path=article_path("ar", article.slug),
            machine_translated=english.machine_translated,
            # Section, place, byline, agency and source in English: a field still pending is left out, never Arabic.
            **common, **{name: getattr(english, name) for name in META_FIELDS})
    return views


def sort_key(article: Article) -> tuple:
    return (article.published, article.slug)


# --- pages ------------------------------------------------------------------------------------------------
def _bytecode_cache(folder: str) -> "jinja2.BytecodeCache":
    import jinja2

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: "jinja2.bccache.Bucket") -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:  # a cache that cannot be written costs a compile next time, never the build
                pass

    return QuietCache(folder)


def make_environment(config: Config, bytecode_dir: str | None = None) -> "jinja2.Environment":
    import jinja2  # imported only when something is rendered

    # auto_reload off: an environment lives for one build, so templates are compiled once and never re-stat'ed.
    # bytecode_dir: compiled templates kept between builds (by source checksum; the caller's folder name must
    # carry the code version, since options and the Jinja version shape the compiled code too).
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.templates_dir)), auto_reload=False,
        bytecode_cache=_bytecode_cache(bytecode_dir) if bytecode_dir else None,
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    # Mixed Arabic/Latin text: wrap the other script's runs in <bdi> (see frontend.py).
    env.filters["isolate"] = isolate
    env.filters["isolate_html"] = isolate_html
    return env


def pagination_links(path: str, number: int, count: int, page_path: Callable[[int], str]) -> dict:
    """Page `number` of `count` of a paginated listing at `path`: links to the newer and older pages (page_path(n)
    is page n's output path), as the templates' pagination_nav macro shows them."""
    return {"number": number, "count": count,
            "newer": relative_url(path, page_path(number - 1)) if number > 1 else None,
            "older": relative_url(path, page_path(number + 1)) if number < count else None}


def group_by_day(views: list) -> list[tuple[str, str, list]]:
    """(day ISO, day as shown, views) per day, in the order given (newest first): how listings show days.

    Views are ordered by their instant, but a day is the calendar date each is shown with, in its own offset: a
    story at 01:00 +03:00 can sit between two stories of the previous day at +00:00. Such a story joins its day's
    group instead of opening a second heading for that day (two headings, one id), and days go newest first."""
    days: dict[str, tuple[str, str, list]] = {}
    for view in views:
        day = view.date_iso[:10]
        if day not in days:
            days[day] = (day, view.date_display, [])
        days[day][2].append(view)
    return sorted(days.values(), key=lambda group: group[0], reverse=True)


class PageRenderer:
    """Renders pages; templates are compiled once per build."""

    def __init__(self, config: Config, env: "jinja2.Environment | None" = None):
        self.config = config
        self.env = env or make_environment(config)
        self._templates: dict = {}  # name -> compiled template

    def _page(self, path: str, lang: str, title: str, description: str, alternates: dict[str, str],
              canonical_path: str | None = None) -> dict:
        """Head data shared by every page: language, direction, canonical and hreflang URLs, feed links."""
        config = self.config
        return {
            "path": path,
            "lang": lang,
            "dir": DIRECTION[lang],
            "title": title,
            "description": description,
            "canonical": absolute_url(config, canonical_path or path),
            "alternates": {code: absolute_url(config, p) for code, p in alternates.items()},
            "alternate_paths": alternates,
            "feed": relative_url(path, feed_path(lang)),
            "other_feed": relative_url(path, feed_path(OTHER[lang])),
            "site_title": config.titles[lang],
            "home": relative_url(path, home_path(lang)),
            "search": relative_url(path, search_path(lang)),
            "csp": PAGE_CSP,
            "asset": lambda name: relative_url(path, f"static/{name}"),
            "link": lambda target: relative_url(path, target),
            "media": lambda target: relative_src(path, target),  # an image below media/, percent-encoded
            "srcset": lambda image: srcset(path, image.files),  # its files for `srcset` ("" when just one)
            "column_sizes": column_sizes,  # `sizes` of an image in the article column
            "other_lang": OTHER[lang],
            "other_home_path": home_path(OTHER[lang]),
            "archive": relative_url(path, archive_path(lang)),
            # Where a day heading and a section label lead: every listed day has its page; a section's page is
            # known to the page kind that renders (section_links), None when it has none in this language.
            "day_link": lambda day_iso: relative_url(path, day_path(lang, day_iso)),
            "section_link": lambda view: None,
            # Filled in by the page kind (frontend.article_head / home_head).
            "og": [], "twitter": [], "microdata": None, "noindex": False,
        }

    def page_context(self, path: str, lang: str, title: str, description: str, alternates: dict[str, str],
                     section_paths: dict[str, str] | None = None, canonical_path: str | None = None) -> dict:
        """The `page` of a template (head data and link helpers), for page kinds in modules of their own;
        `section_paths`: article slug -> its section's page, for the section labels of the teasers shown."""
        page = self._page(path, lang, title, description, alternates, canonical_path)
        if section_paths:
            page["section_link"] = lambda view: (relative_url(path, section_paths[view.slug])
                                                 if view.slug in section_paths else None)
        return page

    def render(self, template: str, **context) -> bytes:
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = self.env.get_template(template)
        # Dicts (page, pagination) become attribute objects: Jinja looks `page.title` up as an attribute first,
        # and on a dict that attempt raises and catches an exception, ~100 times per page.
        context = {name: SimpleNamespace(**value) if type(value) is dict else value for name, value in context.items()}
        return strip_unsafe_chars(compiled.render(**context)).encode("utf-8")

    def article_page(self, view: ArticleView, section: str | None = None) -> bytes:
        """`section`: the page of the article's section in this language, if it has one (the label links there)."""
        alternates = {view.lang: view.path}
        if view.other_path:
            alternates[OTHER[view.lang]] = view.other_path
        page = self.page_context(view.path, view.lang, view.headline, view.summary, alternates,
                                 {view.slug: section} if section else None)
        page.update(article_head(
            lang=view.lang, url=page["canonical"], headline=view.headline, summary=view.summary,
            date_iso=view.date_iso, site_title=page["site_title"], site_url=absolute_url(self.config, home_path(view.lang)),
            section=view.section, agency=view.agency, source=view.source, other_lang=OTHER[view.lang],
            other_url=absolute_url(self.config, view.other_path) if view.other_path else None,
            image=(absolute_media_url(self.config.base_url, view.image.share[0]), *view.image.share[1:],
                   view.image.alt) if view.image else None))
        return self.render("article.html", page=page, article=view)

    def home_pages(self, lang: str, views: list[ArticleView], only: Container[int] | None = None,
                   sections: dict[str, str] | None = None) -> Iterator[tuple[str, bytes]]:
        """The digest: articles grouped by day, newest first, `per_page` per page, then numbered archives.
        `only`: page numbers to render (incremental builds render just the pages whose content changed);
        `sections`: article slug -> the page of its section (the teasers' section labels link there)."""
        per_page = self.config.per_page
        count = home_page_count(len(views), per_page)
        for number in range(1, count + 1):
            if only is not None and number not in only:
                continue
            chunk = views[(number - 1) * per_page: number * per_page]  # only the pages rendered are read
            path = home_path(lang, number)
            alternates = {lang: path}
            other = OTHER[lang]
            if number == 1:
                alternates[other] = home_path(other)
            page = self.page_context(path, lang, self.config.titles[lang], self.config.descriptions[lang],
                                     alternates, sections)
            page.update(self._home_head(page, lang, alternates))
            days = group_by_day(chunk)
            pagination = pagination_links(path, number, count, lambda n: home_path(lang, n))
            yield path, self.render("index.html", page=page, days=days, pagination=pagination)
            if number == 1 and lang == "ar":
                # The site root shows the Arabic digest; its canonical URL is /ar/.
                root_page = self.page_context("index.html", lang, self.config.titles[lang],
                                              self.config.descriptions[lang], alternates, sections, canonical_path=path)
                root_page.update(self._home_head(root_page, lang, alternates))
                root_pagination = dict(pagination, older=relative_url("index.html", home_path(lang, 2))
                                       if count > 1 else None)
                yield "index.html", self.render("index.html", page=root_page, days=days,
                                                pagination=root_pagination)

    def _home_head(self, page: dict, lang: str, alternates: dict[str, str]) -> dict:
        other = OTHER[lang]
        return home_head(lang=lang, url=page["canonical"], title=page["site_title"],
                         description=page["description"], site_url=absolute_url(self.config, home_path(lang)),
                         other_lang=other,
                         other_url=absolute_url(self.config, alternates[other]) if other in alternates else None)

    def search_page(self, lang: str) -> bytes:
        """The search page of one edition: Pagefind's interface over that language's index (output/pagefind/)."""
        path = search_path(lang)
        other = OTHER[lang]
        title = {"ar": "البحث في الأخبار", "en": "Search the news"}[lang]
        description = {"ar": "ابحث في كل أخبار الموجز بالعربية.",
                       "en": "Search every story of the digest in English."}[lang]
        alternates = {lang: path, other: search_path(other)}
        page = self._page(path, lang, f"{title} · {self.config.titles[lang]}", description, alternates)
        page.update(home_head(lang=lang, url=page["canonical"], title=page["title"], description=description,
                              site_url=absolute_url(self.config, home_path(lang)), other_lang=other,
                              other_url=absolute_url(self.config, alternates[other])))
        page.update(csp=SEARCH_CSP, heading=title, bundle=lambda name: relative_url(path, f"{SEARCH_BUNDLE}/{name}"))
        return self.render("search.html", page=page)

    def not_found_page(self) -> bytes:
        page = self._page("404.html", "ar", "404", "", {})
        # Not a page of its own: no canonical URL, kept out of search results.
        page.update(canonical=None, noindex=True, other_home_path="en/index.html")
        # 404.html is served from any depth, so its links must be absolute paths.
        base = self.config.base_path
        page.update(home=base + "ar/", feed=base + feed_path("ar"), other_feed=base + feed_path("en"),
                    search=base + "ar/search/", archive=base + "ar/archive/",
                    asset=lambda name: f"{base}static/{name}", link=lambda target: base + target)
        return self.render("404.html", page=page)

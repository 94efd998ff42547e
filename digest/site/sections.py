"""Section pages and feeds: a page kind (digest/site/pages.py lists it in KINDS).

Every section has, in each language where it has stories, pages `<lang>/section/<slug>/` (paginated like the home
pages: `.../page/2/`) and a feed `<lang>/section/<slug>/feed.xml`. Section labels on teasers and article pages link
to the page of the article's section (Site.sections, worked out once per build by `section_index`).

What a section is, and its URL name (the slug), stable from build to build:
- Articles are grouped by their Arabic section, compared folded (digest.read.table_key: hamza forms, final
  yaa/taa marbuta, spaces, tatweel and diacritics do not make another section).
- A name in site.toml's [sections] gets the slug given there, else the slug of the English name given there.
  A name of the built-in table of common sections (digest.read.SECTIONS: اقتصاد -> Economy) gets the slug of
  that English name. Names given the same slug this way are one section (اقتصاد and اقتصادي are both Economy).
- Any other name gets its Arabic letters transliterated (digest.editor.transliterate: 'الرياضة المحلية' ->
  'alryada-almhlya'; the spelling of its oldest story); when nothing is left, 'section-' and 8 hex digits of a
  hash of the name. Two different names giving one slug: the section whose oldest story is older keeps it, the
  other gets '-2' ('-3', ...).
- The English name: [sections], else the built-in table, else the one the translation stage gave the section
  label of its newest English story that has one. A section has an English page when it has
  English stories and an English name; until then (translation pending) only its Arabic page.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Iterator

from digest.editor import transliterate
from digest.read import SECTIONS, slugify, table_key
from digest.site.feeds import rss_feed
from digest.site.frontend import home_head
from digest.site.kinds import LANGS, Page, RenderContext, Site, content_hash
from digest.site.render import (OTHER, absolute_url, group_by_day, home_page_count, home_path, pagination_links,
                                 relative_url, section_path)

MAX_SLUG_CHARS = 60


def section_feed_path(lang: str, slug: str) -> str:
    return f"{lang}/section/{slug}/feed.xml"


@dataclass
class Section:
    slug: str
    names: dict[str, str]  # language -> the name shown; no "en" while the English name is unknown
    members: dict[str, list[int]] = field(default_factory=lambda: {"ar": [], "en": []})  # teaser indices, newest first

    def has_page(self, lang: str) -> bool:
        return bool(self.members[lang]) and lang in self.names


@dataclass
class SectionIndex:
    sections: list[Section]  # by slug
    of_article: dict[str, Section]  # article slug -> its section

    def __post_init__(self) -> None:
        paths = {(s.slug, lang): section_path(lang, s.slug) for s in self.sections for lang in LANGS if s.has_page(lang)}
        self._links = {lang: {article: paths[section.slug, lang] for article, section in self.of_article.items()
                              if (section.slug, lang) in paths} for lang in LANGS}

    def links(self, lang: str) -> dict[str, str]:
        """Article slug -> the first page of its section in `lang`, for the articles whose section has one."""
        return self._links[lang]

    def link(self, lang: str, article_slug: str) -> str | None:
        """The first page of the article's section in `lang`, or None (no section, or no page in that language)."""
        return self._links[lang].get(article_slug)


def transliterated_slug(name: str) -> str:
    """An Arabic name's URL name: its words transliterated, joined by '-', cut at a word within 60 characters."""
    slug = ""
    for word in transliterate(name).split():
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG_CHARS:
            slug = slug or word[:MAX_SLUG_CHARS]
            break
        slug = candidate
    if not re.search("[a-z]", slug):
        return "section-" + hashlib.blake2b(table_key(name).encode(), digest_size=4).hexdigest()
    return slug


def _most_common(names: list[str]) -> str:
    return Counter(names).most_common(1)[0][0]  # ties: the first listed (the newest story's)


def section_index(site: Site) -> SectionIndex:
    """Sections of the published articles, with their slugs, names and members in each language. Planned from the
    teaser references (their Arabic section) without reading the page models, but for one English teaser per
    section whose English name comes from the translation (an edit build of 5,000 articles reads 1 view, not
    10,000: 0.5 s)."""
    configured = {table_key(name): (en, slug) for name, en, slug in site.config.sections}
    groups: dict[str, dict] = {}  # group key -> Arabic spellings, fixed English names, members
    group_of: dict[str, str] = {}  # article slug -> group key
    folded_names: dict[str, tuple] = {}  # a section as written -> (folded, English, slug): once per spelling
    for index, ref in enumerate(site.teasers["ar"]):
        if not ref.section:
            continue
        found = folded_names.get(ref.section)
        if found is None:
            folded = table_key(ref.section) or ref.section
            en, slug = configured.get(folded, (None, None))
            en = en or SECTIONS.get(folded)
            found = folded_names[ref.section] = (folded, en, slug or (slugify(en) if en else None))
        folded, en, slug = found
        key = f"slug:{slug}" if slug else f"name:{folded}"
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"slug": slug, "ar": [], "fixed_en": [], "members": {"ar": [], "en": []}}
        group["ar"].append(ref.section)
        if en:
            group["fixed_en"].append(en)
        group["members"]["ar"].append(index)
        group_of[ref.slug] = key
    for index, ref in enumerate(site.teasers["en"]):
        key = group_of.get(ref.slug)
        if key is not None:
            groups[key]["members"]["en"].append(index)
    # Fixed slugs first; the others in the order their sections appeared (oldest story), each taking a free name.
    taken = {g["slug"] for g in groups.values() if g["slug"]}
    ar_refs = site.teasers["ar"]

    def oldest(key: str) -> tuple:
        return (site.published[ar_refs[groups[key]["members"]["ar"][-1]].slug], key)

    for key in sorted((k for k, g in groups.items() if not g["slug"]), key=oldest):
        base = transliterated_slug(groups[key]["ar"][-1])  # the oldest story's spelling: stable
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        groups[key]["slug"] = slug
        taken.add(slug)
    sections: dict[str, Section] = {}
    english_views = site.views.teasers("en")
    for key, g in groups.items():
        names = {"ar": _most_common(g["ar"])}
        if g["fixed_en"]:
            names["en"] = _most_common(g["fixed_en"])
        else:  # the translation of the label of its newest English story that has one
            for index in g["members"]["en"]:
                label = english_views[index].section
                if label:
                    names["en"] = label
                    break
        sections[key] = Section(g["slug"], names, g["members"])
    return SectionIndex(sorted(sections.values(), key=lambda s: s.slug),
                        {slug: sections[key] for slug, key in group_of.items()})


# --- the page kind ---------------------------------------------------------------------------------------------------
def plan_sections(site: Site) -> Iterator[Page]:
    images = _images_hash(site)
    for section in site.sections.sections:
        for lang in LANGS:
            if section.has_page(lang):
                count = home_page_count(len(section.members[lang]), site.config.per_page)
                yield from _section_pages(site, section, lang, range(1, count + 1), images)


def sections_showing(site: Site, places: dict[str, list[int]]) -> Iterator[Page]:
    """The section pages of the articles at these positions, and their section's feed if they are in it."""
    per_page, images = site.config.per_page, None
    for lang, indexes in places.items():
        shown: dict[str, set[int]] = {}  # section slug -> positions among its members
        for index in indexes:
            section = site.sections.of_article.get(site.teasers[lang][index].slug)
            if section is not None and section.has_page(lang):
                shown.setdefault(section.slug, set()).add(section.members[lang].index(index))
        for section in site.sections.sections:
            if section.slug in shown:
                positions = shown[section.slug]
                numbers = sorted({p // per_page + 1 for p in positions})
                in_feed = min(positions) < site.config.feed_items
                if in_feed and images is None:
                    images = _images_hash(site)  # (every image hashed: only when a feed is planned again)
                yield from _section_pages(site, section, lang, numbers, images if in_feed else None)


def _images_hash(site: Site) -> str:
    # A feed item's <enclosure> gives its image's length: an image whose bytes change remakes the section feeds.
    return content_hash(repr(sorted(site.images.items())).encode())


def _section_pages(site: Site, section: Section, lang: str, numbers, feed_images: str | None) -> Iterator[Page]:
    """Pages `numbers` of a section in one language, and its feed unless `feed_images` (the hash of the site's
    images, which feed items enclose) is None."""
    per_page, fp = site.config.per_page, site.fp["section.html"]
    members, name = section.members[lang], section.names[lang]
    other = section_path(OTHER[lang], section.slug) if section.has_page(OTHER[lang]) else None
    count = home_page_count(len(members), per_page)
    for number in numbers:
        shown = tuple(members[(number - 1) * per_page: number * per_page])
        alternate = other if number == 1 else None
        job = ("section", lang, section.slug, name, number, count, alternate, shown)
        deps = (fp, *map(str, job[1:7]), *(site.tdigests[lang][i] for i in shown))
        yield Page(section_path(lang, section.slug, number), deps, job)
    if feed_images is not None:
        top = tuple(members[: site.config.feed_items])
        deps = (site.fp["site"], feed_images, lang, section.slug, name, *(site.digests[lang][i] for i in top))
        yield Page(section_feed_path(lang, section.slug), deps,
                   data=partial(_section_feed, site, lang, section.slug, name, top))


def _section_feed(site: Site, lang: str, slug: str, name: str, members: tuple[int, ...]) -> bytes:
    paths = [site.teasers[lang][i].path for i in members]
    title = f"{site.config.titles[lang]} · {name}"
    return rss_feed(site.config, lang, site.views.full(paths), site.published, site.images, title=title,
                    link_path=section_path(lang, slug), self_path=section_feed_path(lang, slug),
                    description=_description(lang, name, site.config.titles[lang]))


def _description(lang: str, name: str, site_title: str) -> str:
    return (f"أخبار قسم «{name}» في {site_title}، الأحدث أولًا." if lang == "ar"
            else f"Stories in {name} from {site_title}, newest first.")


def render_sections(ctx: RenderContext, jobs: list[tuple]) -> Iterator[tuple[str, bytes]]:
    renderer, config = ctx.renderer, ctx.renderer.config
    for lang, slug, name, number, count, alternate, shown in jobs:
        path = section_path(lang, slug, number)
        alternates = {lang: path, **({OTHER[lang]: alternate} if alternate else {})}
        title = f"{name} · {config.titles[lang]}"
        description = _description(lang, name, config.titles[lang])
        page = renderer.page_context(path, lang, title, description, alternates)
        page.update(home_head(lang=lang, url=page["canonical"], title=title, description=description,
                              site_url=absolute_url(config, home_path(lang)), other_lang=OTHER[lang],
                              other_url=absolute_url(config, alternate) if alternate else None))
        teasers = ctx.views.teasers(lang)
        pagination = pagination_links(path, number, count, lambda n: section_path(lang, slug, n))
        yield path, renderer.render("section.html", page=page, name=name, pagination=pagination,
                                    section_feed=relative_url(path, section_feed_path(lang, slug)),
                                    days=group_by_day([teasers[i] for i in shown]))


def sitemap_sections(site: Site) -> list[dict[str, str]]:
    groups = []
    for section in site.sections.sections:
        first = {lang: section_path(lang, section.slug) for lang in LANGS if section.has_page(lang)}
        if first:
            groups.append(first)
        for lang in LANGS:
            if section.has_page(lang):
                count = home_page_count(len(section.members[lang]), site.config.per_page)
                groups += [{lang: section_path(lang, section.slug, n)} for n in range(2, count + 1)]
    return groups

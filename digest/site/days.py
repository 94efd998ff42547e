"""Day pages and the archive: a page kind (digest/site/pages.py lists it in KINDS).

- `<lang>/day/YYYY/MM/DD/`: the digest of one publication day, every story's headline and summary grouped by
  section (sections in the order of their newest story that day, stories without a section last), with links to
  the previous and next day that has stories in that language and to the archive. The day headings of the home and
  section pages link here.
- `<lang>/archive/`: every section with its story count, and every day by year and month with its count.

A story's day is the calendar date it is shown with (its page, the home page's day heading): the date of its
publication moment in the offset its source gave: Mecca time (+03:00) for front-matter dates without an offset and
for wire datelines, which is how the site keeps calendar days; git and file-time dates are UTC moments.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from digest.site.frontend import home_head
from digest.site.kinds import LANGS, Page, RenderContext, Site
from digest.site.render import (OTHER, absolute_url, archive_path, day_path, group_by_day, home_path, relative_url,
                                 section_path)

OTHER_STORIES = {"ar": "أخبار أخرى", "en": "Other stories"}


def day_index(site: Site, lang: str) -> dict[str, list[int]]:
    """Day ISO -> indices of its stories in site.teasers[lang] (newest first); days newest first."""
    days: dict[str, list[int]] = {}
    for index, ref in enumerate(site.teasers[lang]):
        days.setdefault(site.published[ref.slug].date().isoformat(), []).append(index)
    return dict(sorted(days.items(), reverse=True))


def story_count(count: int, lang: str) -> str:
    if lang == "en":
        return "1 story" if count == 1 else f"{count} stories"
    # Arabic counts: 1 and 2 have their own forms; 3-10 take the plural, 11 and more the singular (accusative).
    if count == 1:
        return "خبر واحد"
    if count == 2:
        return "خبران"
    return f"{count} أخبار" if 3 <= count % 100 <= 10 else f"{count} خبرًا"


# --- the page kinds --------------------------------------------------------------------------------------------------
def plan_days(site: Site) -> Iterator[Page]:
    indexes = site.days
    for lang in LANGS:
        days = list(indexes[lang])
        for position in range(len(days)):
            yield _day_page(site, lang, days, position)
        counts = tuple((day, len(members)) for day, members in indexes[lang].items())
        sections = tuple(sorted(((s.names[lang], section_path(lang, s.slug), len(s.members[lang]))
                                 for s in site.sections.sections if s.has_page(lang)),
                                key=lambda entry: (entry[0].casefold(), entry[1])))
        job = ("day", "archive", lang, counts, sections)
        yield Page(archive_path(lang), (site.fp["archive.html"], repr(job)), job)


def days_showing(site: Site, places: dict[str, list[int]]) -> Iterator[Page]:
    """The day pages of the articles at these positions (the archive shows counts only)."""
    for lang, indexes in places.items():
        days = list(site.days[lang])
        shown = {site.published[site.teasers[lang][i].slug].date().isoformat() for i in indexes}
        for position in sorted(days.index(day) for day in shown):
            yield _day_page(site, lang, days, position)


def _day_page(site: Site, lang: str, days: list[str], position: int) -> Page:
    day = days[position]
    members = site.days[lang][day]
    older = days[position + 1] if position + 1 < len(days) else ""
    newer = days[position - 1] if position > 0 else ""
    both = day in site.days[OTHER[lang]]
    job = ("day", "page", lang, day, older, newer, both, _by_section(site, lang, members))
    deps = (site.fp["day.html"], *map(str, job[2:]), *(site.tdigests[lang][i] for i in members))
    return Page(day_path(lang, day), deps, job)


def _by_section(site: Site, lang: str, members: list[int]) -> tuple:
    """((section name, its page or None, story indices), ...) for a day's stories, in the order of their newest."""
    groups: dict[str, list] = {}
    refs, links, of_article = site.teasers[lang], site.sections.links(lang), site.sections.of_article
    for index in members:
        slug = refs[index].slug
        link = links.get(slug)  # None: no section, or none with a page in this language
        group = groups.get(link or "")
        if group is None:
            name = of_article[slug].names[lang] if link else OTHER_STORIES[lang]
            group = groups[link or ""] = [name, link, []]
        group[2].append(index)
    other = groups.pop("", None)
    ordered = list(groups.values()) + ([other] if other else [])
    return tuple((name, link, tuple(indices)) for name, link, indices in ordered)


def render_days(ctx: RenderContext, jobs: list[tuple]) -> Iterator[tuple[str, bytes]]:
    for job in jobs:
        if job[0] == "archive":  # ("archive", lang, day counts, sections)
            yield archive_path(job[1]), _archive_page(ctx, *job[1:])
            continue
        lang, day, older, newer, both, groups = job[1:]
        path = day_path(lang, day)
        teasers = ctx.views.teasers(lang)
        shown = [(name, link and relative_url(path, link), [teasers[i] for i in indices])
                 for name, link, indices in groups]
        day_display = shown[0][2][0].date_display
        alternates = {lang: path, **({OTHER[lang]: day_path(OTHER[lang], day)} if both else {})}
        config = ctx.renderer.config
        title = f"{day_display} · {config.titles[lang]}"
        description = (f"موجز أخبار {day_display}: {story_count(sum(len(g[2]) for g in groups), lang)}." if lang == "ar"
                       else f"The news of {day_display}: {story_count(sum(len(g[2]) for g in groups), lang)}.")
        page = _page(ctx, path, lang, title, description, alternates)
        nav = {"older": older and relative_url(path, day_path(lang, older)),
               "newer": newer and relative_url(path, day_path(lang, newer))}
        yield path, ctx.renderer.render("day.html", page=page, day_iso=day, day_display=day_display,
                                        groups=shown, nav=nav)


def _page(ctx: RenderContext, path: str, lang: str, title: str, description: str, alternates: dict) -> dict:
    renderer, config = ctx.renderer, ctx.renderer.config
    page = renderer.page_context(path, lang, title, description, alternates)
    other = alternates.get(OTHER[lang])
    page.update(home_head(lang=lang, url=page["canonical"], title=title, description=description,
                          site_url=absolute_url(config, home_path(lang)), other_lang=OTHER[lang],
                          other_url=absolute_url(config, other) if other else None))
    return page


def _archive_page(ctx: RenderContext, lang: str, counts: tuple, sections: tuple) -> bytes:
    from babel.dates import format_date  # imported on first use: most builds do not remake the archive

    path = archive_path(lang)
    config = ctx.renderer.config
    heading = "الأرشيف" if lang == "ar" else "Archive"
    description = ("كل أيام الموجز وأقسامه." if lang == "ar" else "Every day and every section of the digest.")
    page = _page(ctx, path, lang, f"{heading} · {config.titles[lang]}", description,
                 {lang: path, OTHER[lang]: archive_path(OTHER[lang])})
    years: list[tuple[str, list[tuple[str, list]]]] = []
    for day_iso, count in counts:
        day = dt.date.fromisoformat(day_iso)
        if not years or years[-1][0] != day_iso[:4]:
            years.append((day_iso[:4], []))
        months = years[-1][1]
        if not months or months[-1][0] != day_iso[:7]:
            months.append((day_iso[:7], format_date(day, "LLLL y", locale=lang), []))
        months[-1][2].append((relative_url(path, day_path(lang, day_iso)), day_iso,
                              format_date(day, "EEEE d MMMM", locale=lang), story_count(count, lang)))
    listed = [(name, relative_url(path, link), story_count(count, lang)) for name, link, count in sections]
    return ctx.renderer.render("archive.html", page=page, heading=heading, years=years, sections=listed)


def sitemap_days(site: Site) -> list[dict[str, str]]:
    indexes = site.days
    groups = [{lang: archive_path(lang) for lang in LANGS}]
    for day in indexes["ar"]:
        groups.append({lang: day_path(lang, day) for lang in LANGS if day in indexes[lang]})
    groups += [{"en": day_path("en", day)} for day in indexes["en"] if day not in indexes["ar"]]
    return groups

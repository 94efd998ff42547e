"""Feeds stage: RSS 2.0 per language and sitemap.xml with hreflang alternates."""
from __future__ import annotations

import datetime as dt
import re

from digest import PROJECT_URL, __version__
from digest.config import Config
from digest.site.render import ArticleView, absolute_url, feed_path, home_path
from digest.site.media import MEDIA, absolute_media_url, feed_body, share_copy
from digest.site.safety import strip_unsafe_chars

# Plain-function equivalents of xml.sax.saxutils.escape/quoteattr and email.utils.format_datetime (checked
# against them in tests/test_render_fast_paths.py): importing those modules pulls in urllib.request, http.client,
# ssl and email (~50 ms), which a one-article edit build would otherwise pay for every feed it remakes.
def escape(data: str) -> str:
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        if "'" in data:
            return '"%s"' % data.replace('"', "&quot;")
        return "'%s'" % data
    return '"%s"' % data


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_datetime(when: dt.datetime) -> str:
    """RFC 2822 date, as email.utils.format_datetime(when) gives it."""
    zone = "-0000" if when.tzinfo is None else when.strftime("%z")
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (_DAYS[when.weekday()], when.day, _MONTHS[when.month - 1],
                                                   when.year, when.hour, when.minute, when.second, zone)


GENERATOR = f"Arabic News Digest {__version__} ({PROJECT_URL})"  # who made the feed, as Hugo and Jekyll say


def xml_text(text: str) -> str:
    """Escape for XML character data. Characters XML 1.0 forbids (C0 controls but tab/newline/return, surrogates,
    U+FFFE/U+FFFF) are dropped, and so are the ones it discourages (C1 controls, noncharacters) and bidi
    controls, which would flip a feed reader's layout: see safety.strip_unsafe_chars."""
    return escape(strip_unsafe_chars(text))


# Some readers decode a field's entities once more before they show it as HTML. For them, a '<' that starts a tag
# in text becomes the fullwidth '＜' (it reads the same), and in the body HTML the text's '&lt;' before a tag name
# and attribute values' '&quot;' (which would end the value) become '＜' and '＂': decoded twice, still no markup.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ESCAPED_TAG_START = re.compile(r"&lt;(?=[A-Za-z/!?])")


def feed_text(text: str) -> str:
    """A plain-text feed field (title, category, channel title and description): readers take many of them for
    HTML, so the text is escaped for HTML, then for XML. '<script>' written in a headline (or decoded from
    '&lt;script&gt;') reaches the reader as characters, never as markup, even decoded twice ('＜script>')."""
    return xml_text(escape(_TAG_START.sub("\uff1c", text)))


def feed_html(fragment: str) -> str:
    """Sanitised body HTML for content:encoded, escaped for XML; see _TAG_START for the text's '<'."""
    return xml_text(_ESCAPED_TAG_START.sub("\uff1c", fragment).replace("&quot;", "\uff02"))


def _flash_mark(view: ArticleView) -> str:
    """A flash's title carries its mark in the feed too: a feed reader shows only the title of a brief."""
    return ("عاجل / " if view.lang == "ar" else "Breaking / ") if view.flash else ""


_BODY_WRAP = {"ar": '<div dir="rtl" lang="ar">{}</div>', "en": '<div dir="ltr" lang="en">{}</div>'}


def rss_feed(config: Config, lang: str, views: list[ArticleView], published: dict[str, object],
             images: dict | None = None, *, title: str | None = None, description: str | None = None,
             link_path: str | None = None, self_path: str | None = None) -> bytes:
    """`views` newest first; `published` maps slug -> aware datetime; `images` the published images by their path
    below content/ (an item's leading image is its <enclosure>). The edition's feed unless a page kind gives its
    own channel (a section's feed: its title, description, page and feed path)."""
    images = images or {}
    items = views[: config.feed_items]
    self_url = absolute_url(config, self_path or feed_path(lang))
    home_url = absolute_url(config, link_path or home_path(lang))
    last = max((published[v.slug] for v in items), default=None)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        f"<title>{feed_text(title or config.titles[lang])}</title>",
        f"<link>{xml_text(home_url)}</link>",
        f"<description>{feed_text(description or config.descriptions[lang] or config.titles[lang])}</description>",
        f"<language>{lang}</language>",
        f'<atom:link href={quoteattr(self_url)} rel="self" type="application/rss+xml"/>',
        f"<generator>{GENERATOR}</generator>",
    ]
    if last is not None:
        out.append(f"<lastBuildDate>{format_datetime(last)}</lastBuildDate>")
    for view in items:
        url = absolute_url(config, view.path)
        out += [
            "<item>",
            f"<title>{feed_text(_flash_mark(view) + view.headline)}</title>",
            f"<link>{xml_text(url)}</link>",
            f'<guid isPermaLink="true">{xml_text(url)}</guid>',
            f"<pubDate>{format_datetime(published[view.slug])}</pubDate>",
            # RSS readers take a description for HTML: the plain-text summary is escaped for HTML, then for XML,
            # so a summary that mentions "<script>" shows those characters instead of becoming markup.
            f"<description>{feed_text(view.summary)}</description>",
            # Wrapped in the language's direction: readers that ignore <language> still lay Arabic out right to left.
            f"<content:encoded>{feed_html(_BODY_WRAP[lang].format(feed_body(str(view.body_html), config.base_url)))}"
            "</content:encoded>",
        ]
        image = images.get(view.image.path[len(MEDIA) + 1:]) if view.image else None
        if image is not None:  # the file og:image names too: a large copy, or the original (media.share_copy)
            path, _, _, size = share_copy(image)
            out.append(f"<enclosure url={quoteattr(absolute_media_url(config.base_url, path))} "
                       f'length="{size}" type="{image.mime}"/>')
        if view.section:
            out.append(f"<category>{feed_text(view.section)}</category>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode("utf-8")


def sitemap(config: Config, pages: list[dict[str, str]]) -> bytes:
    """`pages`: one dict per page group, language -> output path; every member lists all as alternates."""
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for group in pages:
        for lang, path in group.items():
            out.append("<url>")
            out.append(f"<loc>{xml_text(absolute_url(config, path))}</loc>")
            if len(group) > 1:
                for alt_lang, alt_path in sorted(group.items()):
                    out.append(f'<xhtml:link rel="alternate" hreflang="{alt_lang}" '
                               f'href={quoteattr(absolute_url(config, alt_path))}/>')
                default = group.get("ar") or next(iter(group.values()))
                out.append(f'<xhtml:link rel="alternate" hreflang="x-default" '
                           f'href={quoteattr(absolute_url(config, default))}/>')
            out.append("</url>")
    out += ["</urlset>", ""]
    return "\n".join(out).encode("utf-8")

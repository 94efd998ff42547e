"""Front-end helpers for the render stage: bidi isolation of mixed-script text and the page-head metadata
(description, OpenGraph, Twitter card, schema.org microdata). Plain functions of strings; render.py supplies the URLs.

Structured data is written as schema.org microdata, not JSON-LD: a JSON-LD block is a <script> element, and no
<script> of any kind may appear in a published page (hostile-input rule: `grep '<script' output/` must be empty).
Microdata carries the same NewsArticle properties (inLanguage, datePublished, workTranslation/translationOfWork)."""
from __future__ import annotations

import html
import re
from typing import Iterable

from markupsafe import Markup, escape

# --- bidi isolation ---------------------------------------------------------------------------------------
# A run of Latin words/numbers inside Arabic text: tokens joined by spaces or URL/name punctuation, so
# "COE.COM.SA", "http://x.sa/moe", "PMI Standard", "1MDB" and "A-" each stay one left-to-right island.
_TOKEN = r"[A-Za-z0-9\u00C0-\u024F]+"
_LATIN_RUN = re.compile(rf"{_TOKEN}(?:[ .:/_@&+\-'’?=#%~,]{{1,4}}{_TOKEN})*(?:[+\-]+(?![A-Za-z0-9]))?")
_HAS_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_NUMBER_WITH_SEPARATORS = re.compile(r"^\d+(?:[.,:/\-]\d+)+$")
# A run of Arabic words inside English text (names, quotes): isolated and marked lang="ar" for the font.
_ARABIC_RUN = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]+"
                         r"(?:[ \u060C\u061B\u061F]+[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]+)*")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")


def _escape(text: str) -> str:
    """markupsafe.escape(text) for a str, as a str: the same five replacements (MarkupSafe's own pure-Python
    form), without making a Markup object per piece of text."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


def _isolate_latin(match: re.Match) -> str:
    run = match.group(0)
    if _HAS_LETTER.search(run):
        return f"<bdi>{_escape(run)}</bdi>"
    if _NUMBER_WITH_SEPARATORS.match(run):
        # "2015/08/10", "10:30", "1,500.5": keep the digit groups in writing order.
        return f'<bdi dir="ltr">{_escape(run)}</bdi>'
    return _escape(run)


def _isolate_arabic(match: re.Match) -> str:
    return f'<bdi lang="ar">{_escape(match.group(0))}</bdi>'


def isolate(text: str | None, lang: str) -> Markup:
    """Escape `text` and wrap runs of the other script in <bdi>, so mixed text never reorders around them.

    On Arabic pages Latin names, codes, URLs and separated numbers are isolated; on English pages Arabic runs.
    """
    if not text:
        return Markup("")
    text = str(text)
    pattern, wrap = (_LATIN_RUN, _isolate_latin) if lang == "ar" else (_ARABIC_RUN, _isolate_arabic)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(_escape(text[last:match.start()]))
        out.append(wrap(match))
        last = match.end()
    out.append(_escape(text[last:]))
    return Markup("".join(out))


# Tags with quoted attribute values that may themselves contain ">".
_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_NO_ISOLATION_INSIDE = {"bdi", "bdo", "code", "pre", "kbd", "samp", "script", "style"}
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9]*)")


def isolate_html(fragment: str, lang: str) -> Markup:
    """`isolate` applied to the text nodes of an already-sanitised HTML fragment; tags pass through untouched."""
    parts = _TAG.split(str(fragment))
    depth = 0  # inside an element whose text must stay as written
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = _TAG_NAME.match(part)
            if name and name.group(1).lower() in _NO_ISOLATION_INSIDE and not part.endswith("/>"):
                depth += -1 if part.startswith("</") else 1
                depth = max(depth, 0)
            out.append(part)
        elif part and depth == 0:
            text = html.unescape(part)
            pattern = _LATIN_RUN if lang == "ar" else _ARABIC_RUN
            out.append(str(isolate(text, lang)) if pattern.search(text) else part)
        else:
            out.append(part)
    return Markup("".join(out))


# --- head metadata ----------------------------------------------------------------------------------------
OG_LOCALE = {"ar": "ar_AR", "en": "en_US"}


def describe(text: str | None, limit: int = 160) -> str:
    """A meta description: whitespace collapsed, cut at a word boundary near `limit` characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip("،,;:.-–")
    return cut + "…"


TEASER_WORDS = 30  # a teaser's summary: whole sentences within this many words (the full one is on the page)


def teaser_text(summary: str | None, words: int = TEASER_WORDS) -> str:
    """The start of a summary for a teaser: one or two whole sentences within `words` words; the first sentence
    alone when it is longer, cut at a word near the budget (with '…') only when it runs past 1.5 times it."""
    from digest.language import split_sentences

    sentences = split_sentences(" ".join((summary or "").split()))
    if not sentences:
        return ""
    kept, count = [sentences[0]], len(sentences[0].split())
    for sentence in sentences[1:2]:
        if count + len(sentence.split()) > words:
            break
        kept.append(sentence)
        count += len(sentence.split())
    if count > words * 1.5:
        return " ".join(kept[0].split()[:words]).rstrip("،,;:.-–") + "…"
    return " ".join(kept)


def microdata(data: dict) -> Markup:
    """A hidden schema.org microdata item for `data` (JSON-LD-shaped: "@type", "@id", nested dicts):
    URLs become <link itemprop href>, other values <meta itemprop content>, nested objects nested items."""
    def item(obj: dict, prop: str | None) -> str:
        attrs = f' itemprop="{escape(prop)}"' if prop else " hidden"
        attrs += f' itemscope itemtype="https://schema.org/{escape(obj.get("@type", "Thing"))}"'
        if obj.get("@id"):
            attrs += f' itemid="{escape(obj["@id"])}"'
        parts = [f"<div{attrs}>"]
        for key, value in sorted(obj.items()):
            if key.startswith("@"):
                continue
            if isinstance(value, dict):
                parts.append(item(value, key))
            elif isinstance(value, str) and value.startswith(("http://", "https://")):
                parts.append(f'<link itemprop="{escape(key)}" href="{escape(value)}">')
            else:
                parts.append(f'<meta itemprop="{escape(key)}" content="{escape(value)}">')
        parts.append("</div>")
        return "".join(parts)
    return Markup(item(data, None))


def _pairs(items: Iterable[tuple[str, str | None]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in items if v]


def article_head(*, lang: str, url: str, headline: str, summary: str, date_iso: str, site_title: str,
                 site_url: str, section: str | None = None, agency: str | None = None, source: str | None = None,
                 other_lang: str | None = None, other_url: str | None = None,
                 image: tuple[str, int, int, str] | None = None) -> dict:
    """OpenGraph, Twitter and a schema.org NewsArticle for one article page; the pair is linked both ways with
    schema.org workTranslation (on the Arabic original) and translationOfWork (on the English translation).
    `image`: (absolute URL, width, height, alt) of the image leading the article: og:image and a large card."""
    description = describe(summary)
    og = _pairs([("og:type", "article"), ("og:site_name", site_title), ("og:title", headline),
                 ("og:description", description), ("og:url", url), ("og:locale", OG_LOCALE[lang]),
                 ("og:locale:alternate", OG_LOCALE[other_lang] if other_url and other_lang else None),
                 ("article:published_time", date_iso), ("article:section", section)])
    twitter = [("twitter:card", "summary"), ("twitter:title", headline), ("twitter:description", description)]
    if image:
        image_url, width, height, alt = image
        og += _pairs([("og:image", image_url), ("og:image:width", str(width)), ("og:image:height", str(height)),
                      ("og:image:alt", alt)])
        twitter = [("twitter:card", "summary_large_image"), *twitter[1:], ("twitter:image", image_url)]
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": headline if len(headline) <= 110 else describe(headline, 109),
        "description": description,
        "inLanguage": lang,
        "datePublished": date_iso,
        "dateModified": date_iso,
        "publisher": {"@type": "Organization", "name": site_title, "url": site_url},
        "isPartOf": {"@type": "WebSite", "name": site_title, "url": site_url},
    }
    if image:
        data["image"] = image[0]
    if section:
        data["articleSection"] = section
    if agency:
        data["author"] = {"@type": "Organization", "name": agency}
    if source:
        data["isBasedOn" if source.startswith(("http://", "https://")) else "sourceOrganization"] = (
            source if source.startswith(("http://", "https://")) else {"@type": "Organization", "name": source})
    if other_url and other_lang:
        other = {"@type": "NewsArticle", "@id": other_url, "url": other_url, "inLanguage": other_lang}
        data["workTranslation" if lang == "ar" else "translationOfWork"] = other
    return {"description": description, "og": og, "twitter": twitter, "microdata": microdata(data)}


def home_head(*, lang: str, url: str, title: str, description: str, site_url: str,
              other_lang: str | None = None, other_url: str | None = None) -> dict:
    """OpenGraph, Twitter and a schema.org CollectionPage for a digest page."""
    description = describe(description or title)
    og = _pairs([("og:type", "website"), ("og:site_name", title), ("og:title", title),
                 ("og:description", description), ("og:url", url), ("og:locale", OG_LOCALE[lang]),
                 ("og:locale:alternate", OG_LOCALE[other_lang] if other_url and other_lang else None)])
    twitter = [("twitter:card", "summary"), ("twitter:title", title), ("twitter:description", description)]
    data = {"@context": "https://schema.org", "@type": "CollectionPage", "@id": url, "url": url,
            "name": title, "description": description, "inLanguage": lang,
            "isPartOf": {"@type": "WebSite", "name": title, "url": site_url, "inLanguage": lang}}
    return {"description": description, "og": og, "twitter": twitter, "microdata": microdata(data)}

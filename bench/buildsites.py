"""The bench's site pair: N articles made from real wire text, as a digest content folder (with its English in a
translation memory, or, with --pending, in human .en.md files for some articles only) and as the equivalent
bilingual Hugo site. Used by bench/build.py; reads ../shared (corpus/wire and parallel/).
"""
from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

_MONTHS_AR = ["يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر",
              "نوفمبر", "ديسمبر"]


def _wire_bodies() -> list[tuple[str, list[str]]]:
    """(headline, paragraphs) of every corpus article, metadata lines dropped."""
    from digest.read import read_wire

    out = []
    for path in sorted((SHARED / "corpus" / "wire").glob("*.txt")):
        fields = read_wire(path.read_text(encoding="utf-8-sig"))
        out.append((fields["headline"], [" ".join(p) for p in fields["paragraphs"]]))
    return out


def _english_lines() -> list[str]:
    lines = (SHARED / "parallel" / "ntrex128.newstest2019.en").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def is_pending(i: int, pending: float | None) -> bool:
    """Whether article i is one of the PERCENT with no English (spread evenly over the dates, deterministic)."""
    return pending is not None and (i * 37) % 100 < pending


def make_site(folder: Path, n: int, pending: float | None = None) -> tuple[Path, Path]:
    """Write N articles into folder/content and English into folder/memory; return both.

    Without `pending` every sentence's English is pre-filled in the translation memory. With `pending` PERCENT,
    the memory stays empty: PERCENT of the articles have no English at all (their build asks a translator that is
    unreachable), the others have a human translation content/<stem>.en.md (title, summary and body)."""
    import json

    from digest.read import load_article
    from digest.translate import TranslationMemory, protect, segments_for
    from digest.language import summarize

    content, memory_dir = folder / "content", folder / "memory"
    content.mkdir(parents=True)
    bodies = _wire_bodies()
    english = _english_lines()
    start = dt.date(2015, 8, 10)
    for i in range(n):
        headline, paragraphs = bodies[i % len(bodies)]
        # Mix in a paragraph of another article so that no two articles share a body.
        extra = bodies[(i * 7 + 3) % len(bodies)][1][0]
        day = start - dt.timedelta(days=i // 8)
        dateline = f"الرياض {day.day} {_MONTHS_AR[day.month - 1]} {day.year} م واس"
        text = "\n".join([f"عام / {headline} {i}", dateline, *paragraphs, extra, "// انتهى //",
                          f"{8 + i % 12:02d}:{i % 60:02d} ت م", ""])
        (content / f"{i:05d}.txt").write_text(text, encoding="utf-8")
    memory = TranslationMemory(memory_dir, "google", "ar", "en")
    k = 0
    for i, path in enumerate(sorted(content.glob("*.txt"))):
        article = load_article(path, content, {})
        summary = summarize(article, words=60)
        if pending is None:
            # Every segment the build will look up (the translate package's own list: headline, body sentences,
            # section, place, byline...), each with an English line that keeps the segment's protected elements
            # (URLs, codes, numbers with units) verbatim as a real answer must, so that the fully translated case
            # really is fully translated.
            for segment in segments_for(article, summary, None):
                kept = " ".join(slot.text for slot in protect(segment).slots if slot.inner is None)
                memory.put(segment, f"{english[k % len(english)]} {kept}".strip())
                k += 1
        elif not is_pending(i, pending):
            def en(count: int) -> str:
                nonlocal k
                k += count
                return " ".join(english[(k - count + j) % len(english)] for j in range(count))
            title = en(1)
            summary_en = en(max(1, len(summary.picks)))
            body = "\n\n".join(en(len(p)) for p in article.paragraphs)
            (content / f"{path.stem}.en.md").write_text(
                f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
                f"summary: {json.dumps(summary_en, ensure_ascii=False)}\n---\n{body}\n", encoding="utf-8")
    memory.save()
    return content, memory_dir


def site_toml(folder: Path, memory: Path, pending: float | None) -> Path:
    """The bench's site.toml: translator `none` with a full memory, or an unreachable LibreTranslate (a port on
    127.0.0.1 nothing listens on) when articles are pending, as on a machine that is offline."""
    translator = 'backend = "none"' if pending is None else f'backend = "libre"\nurl = "{_closed_port_url()}"'
    path = folder / "site.toml"
    path.write_text(f'[site]\nbase_url = "https://example.org/digest/"\n[translator]\n{translator}\n'
                    f'memory_dir = "{memory}"\n', encoding="utf-8")
    return path


def _closed_port_url() -> str:
    """http://127.0.0.1:PORT/ where PORT was free a moment ago: connections are refused at once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --- the equivalent Hugo site ------------------------------------------------------------------------------
_HUGO_CONFIG = """baseURL = "https://example.org/digest/"
defaultContentLanguage = "ar"
defaultContentLanguageInSubdir = true
disableKinds = ["section"]
paginate = 20
rssLimit = 50
enableRobotsTXT = true
[taxonomies]
section = "sections"
day = "days"
[outputs]
home = ["HTML", "RSS"]
page = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML"]
[languages.ar]
contentDir = "content/ar"
languageName = "العربية"
languageDirection = "rtl"
title = "موجز الأخبار"
weight = 1
[languages.en]
contentDir = "content/en"
languageName = "English"
languageDirection = "ltr"
title = "News Digest"
weight = 2
"""

_HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ .Language.Lang }}" dir="{{ .Language.LanguageDirection }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }}</title>
{{ with .Description }}<meta name="description" content="{{ . | truncate 300 }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">
{{ end }}
{{ with .OutputFormats.Get "RSS" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
<link rel="stylesheet" href="{{ "static/style.css" | relURL }}">
</head>
<body>
<header class="site-header"><a class="site-title" href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a>
<nav>{{ range .Translations }}<a class="lang-switch" href="{{ .RelPermalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.LanguageName }}</a>{{ end }}</nav></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer><a href="{{ "feed.xml" | relLangURL }}">RSS</a></footer>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}<article class="article">
<header><h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date | time.Format ":date_long" }}</time></p></header>
<section class="summary"><h2>Summary</h2><p>{{ .Params.summary }}</p></section>
<div class="body">{{ .Content }}</div>
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1 class="page-title">{{ .Site.Title }}</h1>
{{ $pager := .Paginate (cond .IsHome .Site.RegularPages .Pages) }}
{{ range $pager.Pages.GroupByDate "2006-01-02" }}<section class="day"><h2>{{ .Key }}</h2>
{{ range .Pages }}<article class="teaser"><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date | time.Format ":date_long" }}</time></p>
<p>{{ .Params.summary }}</p></article>
{{ end }}</section>{{ end }}
{{ if gt $pager.TotalPages 1 }}<nav class="pagination">{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}
<span>{{ $pager.PageNumber }} / {{ $pager.TotalPages }}</span>{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>{{ end }}
{{ end }}
""",
    "index.rss.xml": """{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>{{ .Site.Title }}</title><link>{{ .Permalink }}</link><description>{{ .Site.Title }}</description>
<language>{{ .Site.Language.Lang }}</language>
{{ with .OutputFormats.Get "RSS" }}<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>{{ end }}
{{ range first 50 .Site.RegularPages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link>
<guid isPermaLink="true">{{ .Permalink }}</guid><pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
<description>{{ .Params.summary }}</description><content:encoded>{{ .Content | html }}</content:encoded></item>
{{ end }}</channel></rss>
""",
}


def make_hugo_site(folder: Path, content: Path, memory_dir: Path) -> Path:
    """The same articles as a bilingual Hugo site: one page per article and language, paginated homes, feeds, and
    the pages this project makes per section and per day as Hugo taxonomies (a paginated page per section and per
    day, and the list of each; this project also makes a feed per section, which Hugo is not asked for)."""
    import json

    from digest.read import MECCA, load_article, load_human_translation
    from digest.translate import TranslationMemory, protect, segments_for
    from digest.language import summarize

    site = folder / "hugo"
    (site / "content" / "ar").mkdir(parents=True)
    (site / "content" / "en").mkdir(parents=True)
    (site / "config.toml").write_text(_HUGO_CONFIG + '[outputFormats.RSS]\nbaseName = "feed"\n', encoding="utf-8")
    for name, text in _HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    (site / "static" / "static").mkdir(parents=True)
    shutil.copy(ROOT / "static" / "style.css", site / "static" / "static" / "style.css")
    memory = TranslationMemory(memory_dir, "google", "ar", "en")
    for path in sorted(content.glob("*.txt")):
        article = load_article(path, content, {})
        summary = summarize(article, words=60)
        en = lambda s: memory.get(s.strip()) or s  # noqa: E731
        pages = [("ar", article.headline, summary.text, [" ".join(p) for p in article.paragraphs])]
        human_path = path.with_name(f"{path.stem}.en.md")
        if human_path.exists():  # --pending: the human translation; pending articles have no English page
            human = load_human_translation(human_path, content)
            pages.append(("en", human.title, human.summary, list(human.paragraphs or ())))
        elif len(memory):
            pages.append(("en", en(article.headline), en(summary.text),
                          [" ".join(en(s) for s in p) for p in article.paragraphs]))
        for lang, title, summ, paras in pages:
            front = {"title": title, "date": article.published.isoformat(), "summary": summ,
                     "translationKey": article.slug, "slug": article.slug,
                     "sections": [article.section or "-"],
                     "days": [article.published.astimezone(MECCA).date().isoformat()]}
            (site / "content" / lang / f"{article.slug}.md").write_text(
                json.dumps(front, ensure_ascii=False) + "\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    return site

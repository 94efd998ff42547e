#!/usr/bin/env python3
"""Build benchmark: N articles made from real wire text, timed in the scenarios of issue 5, beside Hugo.

  .venv/bin/python bench/build.py --articles 1000 --articles 5000

Articles are written in the wire format (headline, dateline, paragraphs, end marker, time line) from the
paragraphs of ../shared/corpus/wire, each with its own headline number and date. English is supplied by a
pre-filled translation memory (the English sentences of ../shared/parallel, one per Arabic sentence) and the
build runs with translator `none`, so nothing ever goes to the network. Every build is a child process
(`generate.py build -q`); peak memory is that child's ru_maxrss (os.wait4). The package is byte-compiled first,
as Python does on a user's first run: with PYTHONDONTWRITEBYTECODE set (some CI images set it) every build would
otherwise compile every changed module again, which is not what a user's build pays.
"""
from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

_MONTHS_AR = ["يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر",
              "نوفمبر", "ديسمبر"]


def _wire_bodies() -> list[tuple[str, list[str]]]:
    """(headline, paragraphs) of every corpus article, metadata lines dropped."""
    from digest.articles import read_wire

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

    from digest.articles import load_article
    from digest.memory import TranslationMemory
    from digest.summarize import summarize

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
            for segment in [article.headline, *article.sentences, summary.text]:
                memory.put(segment.strip(), english[k % len(english)])
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
disableKinds = ["taxonomy", "term", "section"]
paginate = 20
rssLimit = 50
enableRobotsTXT = true
[outputs]
home = ["HTML", "RSS"]
page = ["HTML"]
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
{{ $pager := .Paginate .Site.RegularPages }}
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
    """The same articles as a bilingual Hugo site: one page per article and language, paginated homes, feeds."""
    import json

    from digest.articles import load_article, load_human_translation
    from digest.memory import TranslationMemory
    from digest.summarize import summarize

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
                     "translationKey": article.slug, "slug": article.slug}
            (site / "content" / lang / f"{article.slug}.md").write_text(
                json.dumps(front, ensure_ascii=False) + "\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    return site


# --- timing ------------------------------------------------------------------------------------------------
def _run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss // 1024


def _files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def bench(n: int, keep: Path | None, pending: float | None = None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"digest-bench-{n}-")) if keep is None else keep
    content, memory = make_site(folder, n, pending)
    site_toml(folder, memory, pending)
    output, cache = folder / "output", folder / ".cache"
    cmd = [sys.executable, str(ROOT / "generate.py"), "--config", str(folder / "site.toml"), "build", "-q",
           "--content", str(content), "--output", str(output)]
    row: dict = {"articles": n}
    shutil.rmtree(cache, ignore_errors=True)
    row["cold"], mem1 = _run(cmd)
    row["pages"] = _files(output)
    # Warm full build: `build --full` into a removed output folder with .cache/ kept (a CI job that restores its
    # cache): every page is rendered and written; parsing, summaries and page models come from the cache.
    shutil.rmtree(output)
    row["warm"], mem2 = _run(cmd + ["--full"])
    row["nochange"], mem3 = _run(cmd)
    victim = content / f"{n // 2:05d}.txt"
    lines = victim.read_text(encoding="utf-8").split("\n")
    lines.insert(3, lines[2])  # one more paragraph (already in the memory, so English stays complete)
    victim.write_text("\n".join(lines), encoding="utf-8")
    row["edit"], mem4 = _run(cmd)
    template = ROOT / "templates" / "article.html"
    copy = folder / "templates"
    shutil.copytree(ROOT / "templates", copy)
    # One template edit: the article template (every article page uses it), in a copy of templates/.
    (copy / "article.html").write_text(template.read_text(encoding="utf-8") + "\n<!-- edited -->\n", encoding="utf-8")
    row["template"], mem5 = _run(cmd[:1] + [str(_templates_wrapper(folder, copy))] + cmd[2:])
    row["peak_mib"] = max(mem1, mem2, mem3, mem4, mem5)
    row["watch"] = _watch_latency(cmd, content, output)
    row["pages_per_s"] = row["pages"] / row["warm"]
    if shutil.which("hugo"):
        site = make_hugo_site(folder, content, memory)
        hugo_out = folder / "hugo-out"
        _run(["hugo", "--quiet", "-s", str(site), "-d", str(hugo_out)])  # first run warms the page cache
        shutil.rmtree(hugo_out)
        row["hugo"], row["hugo_mib"] = _run(["hugo", "--quiet", "-s", str(site), "-d", str(hugo_out)])
        row["hugo_pages"] = _files(hugo_out)
    if keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return row


def _watch_latency(cmd: list[str], content: Path, output: Path) -> float:
    """`generate.py watch`: seconds from saving an edit of the newest article (one paragraph more) until both
    of its language pages and both feeds (which carry its body) have been replaced in output/."""
    import signal

    watch = [c for c in cmd if c != "--full"]
    watch[watch.index("build")] = "watch"
    process = subprocess.Popen(watch, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stderr:  # the first build, then the watcher starts
            if "watching" in line:
                break
        time.sleep(0.5)  # the observer is running
        targets = [output / "ar" / "00000" / "index.html", output / "en" / "00000" / "index.html",
                   output / "ar" / "feed.xml", output / "en" / "feed.xml"]
        before = [p.stat().st_ino for p in targets]
        victim = content / "00000.txt"
        lines = victim.read_text(encoding="utf-8").split("\n")
        lines.insert(3, lines[2])
        started = time.perf_counter()
        victim.write_text("\n".join(lines), encoding="utf-8")
        while time.perf_counter() - started < 30:
            try:
                if all(p.stat().st_ino != b for p, b in zip(targets, before)):
                    return time.perf_counter() - started
            except FileNotFoundError:
                pass
            time.sleep(0.005)
        return float("nan")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _templates_wrapper(folder: Path, templates: Path) -> Path:
    """generate.py with templates_dir pointed at a copy (the config has no templates key)."""
    wrapper = folder / "generate_with_templates.py"
    wrapper.write_text(
        "import sys, dataclasses\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import generate, digest.config as c\n"
        "_load = c.load_config\n"
        f"def load(*a, **k):\n    return dataclasses.replace(_load(*a, **k), templates_dir=__import__('pathlib').Path({str(templates)!r}))\n"
        "c.load_config = load\n"
        "sys.exit(generate.main(sys.argv[1:]))\n", encoding="utf-8")
    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, action="append", help="article count (repeatable; default 1000 and 5000)")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (one article count only)")
    parser.add_argument("--pending", type=float, metavar="PERCENT",
                        help="PERCENT of the articles have no English and the translator is unreachable; the others "
                             "have a human <stem>.en.md (default: all English in the translation memory)")
    args = parser.parse_args()
    if args.pending is not None and not 0 <= args.pending <= 100:
        parser.error("--pending must be a percentage between 0 and 100")
    counts = args.articles or [1000, 5000]
    compileall.compile_dir(ROOT / "digest", quiet=1)
    rows = [bench(n, Path(args.keep) if args.keep else None, args.pending) for n in counts]
    print(f"{'articles':>8} {'files':>6} {'cold':>7} {'warm':>7} {'no-chg':>7} {'edit':>7} {'tmpl':>7} "
          f"{'pages/s':>8} {'peakMiB':>8} {'watch':>6} | {'hugo':>6} {'files':>6} {'warm/h':>7} {'edit/h':>7}")
    for r in rows:
        hugo = r.get("hugo")
        print(f"{r['articles']:>8} {r['pages']:>6} {r['cold']:>7.2f} {r['warm']:>7.2f} {r['nochange']:>7.2f} "
              f"{r['edit']:>7.2f} {r['template']:>7.2f} {r['pages_per_s']:>8.0f} {r['peak_mib']:>8} "
              f"{r['watch']:>6.2f} | "
              + (f"{hugo:>6.2f} {r['hugo_pages']:>6} {r['warm'] / hugo:>7.2f} {r['edit'] / hugo:>7.3f}"
                 if hugo else "hugo not installed"))
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        print(f"growth {a['articles']} -> {b['articles']}: warm x{b['warm'] / a['warm']:.2f}, "
              f"cold x{b['cold'] / a['cold']:.2f} (articles x{b['articles'] / a['articles']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Front-end quality gates over a built site, run by scripts/quality.sh (which installs the tools first).

Builds the site twice, for the domain root and for a GitHub project sub-path (/repo/), serves each on 127.0.0.1
under its own path (tests/siteserver.py), then:
  vnu         the Nu HTML Checker on every HTML page of both builds, counted by page kind, and on the site's
              stylesheets: 0 errors;
  lighthouse  Lighthouse (mobile and desktop) on one page of each kind per language at the root, and on the search
              pages under the sub-path (their script loads its files at run time): accessibility, best practices,
              SEO 100, performance >= 95 (the 404 page is left out: it is noindex and answered 404 by design);
  feeds       the W3C Feed Validator on every feed of both builds (main and per-section): valid;
  crawl       every internal link, resource, feed link and sitemap URL fetched over HTTP, root and sub-path: none
              broken, every page and feed reached by some link, every page in the sitemap with reciprocal
              hreflang alternates.
Prints a report (also written to --results FILE); exit status 1 when a gate fails, 2 when a tool is missing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from quality_tools import (FEEDVALIDATOR_HELP, THRESHOLDS, run_feedvalidator, run_lighthouse,  # noqa: E402
                           run_vnu)
from sitecrawl import crawl, feed_files, page_kind, page_url, sitemap_gaps, unreached  # noqa: E402
from siteserver import SiteServer  # noqa: E402

SUBPATH_BASE = "https://user.github.io/repo/"
CHECKS = ("vnu", "lighthouse", "feeds", "crawl")
# Kinds Lighthouse audits, one page each per language (paged lists share their first page's template).
AUDITED_KINDS = ("home", "article", "section", "day", "archive", "search")
_report: list[str] = []


def say(line: str = "") -> None:
    print(line, flush=True)
    _report.append(line)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(content: Path, output: Path, base_url: str, config: str | None) -> None:
    # Offline: the translator `none` takes English from the memory and human files only.
    cmd = [sys.executable, str(ROOT / "generate.py"), *(["--config", config] if config else []), "build",
           "--content", str(content), "--output", str(output), "--base-url", base_url, "--translator", "none",
           "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        sys.exit(f"quality: build failed ({done.returncode}):\n{done.stderr}")


def pages_to_audit(output: Path, kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(kind, language, output path) of one page per kind and language: the worst case for performance among
    the Arabic pages of a kind that have an English twin (one showing images if any does, then the largest), and
    that twin, so that the two languages compare the same page; a kind with no pair gets its own worst case."""
    by_kind: dict[tuple[str, str], list[str]] = {}
    for page in output.rglob("*.html"):
        rel = page.relative_to(output).as_posix()
        by_kind.setdefault((page_kind(rel), rel[:2]), []).append(rel)

    def worst(rels: list[str]) -> str:
        return max(rels, key=lambda rel: (b"<img" in (output / rel).read_bytes(), (output / rel).stat().st_size, rel))

    chosen = []
    for kind in kinds:
        ar, en = by_kind.get((kind, "ar"), []), set(by_kind.get((kind, "en"), []))
        paired = [rel for rel in ar if "en" + rel[2:] in en]
        if paired:
            rel = worst(paired)
            chosen += [(kind, "ar", rel), (kind, "en", "en" + rel[2:])]
            continue
        chosen += [(kind, lang, worst(rels)) for lang, rels in (("ar", ar), ("en", sorted(en))) if rels]
    return chosen


def check_vnu(vnu_jar: Path, sites: dict) -> bool:
    """Every HTML page of both builds, and the site's own stylesheets (static/, not the search bundle's)."""
    files = {page: (name, page_kind(page.relative_to(out).as_posix()))
             for name, (out, *_) in sites.items() for page in sorted(out.rglob("*.html"))}
    root = sites["root"][0]
    files.update({css: ("root", "stylesheet") for css in sorted((root / "static").rglob("*.css"))})
    started = time.perf_counter()
    errors = run_vnu(vnu_jar, list(files))
    say(f"\nNu HTML Checker: {len(files)} files, {len(errors)} errors ({time.perf_counter() - started:.0f} s)")
    kinds = Counter(files.values())
    wrong = Counter(files.get(message.file, ("?", "?")) for message in errors)
    say(f"  {'site':9} {'kind':16} {'files':>6} {'errors':>6}")
    for (site, kind), count in sorted(kinds.items()):
        say(f"  {site:9} {kind:16} {count:6} {wrong[(site, kind)]:6}")
    for message in errors[:40]:
        say(f"  {message.file}:{message.line}: {message.text}")
    return not errors


def check_crawl(name: str, output: Path, local: str, public: str) -> bool:
    started = time.perf_counter()
    result = crawl(local, public)
    orphans = unreached(output, result)
    gaps = sitemap_gaps(output, public)
    say(f"\ncrawl ({name}, served at {local}, public {public}): {len(result.fetched)} URLs fetched, "
        f"{len(result.problems)} broken, {len(orphans)} pages/feeds no link leads to, {len(gaps)} sitemap "
        f"problems ({time.perf_counter() - started:.0f} s)")
    for problem in result.problems[:30]:
        say("  " + problem)
    for rel in orphans[:30]:
        say("  not linked: " + rel)
    for gap in gaps[:30]:
        say("  sitemap: " + gap)
    return not result.problems and not orphans and not gaps


def check_feeds(python: str, checkout: Path, sites: dict) -> bool:
    feeds = [feed for out, *_ in sites.values() for feed in feed_files(out)]
    results = run_feedvalidator(python, checkout, feeds)
    valid = sum(1 for problems in results.values() if not problems)
    say(f"\nW3C Feed Validator: {len(feeds)} feeds, {valid} valid")
    for name, (out, *_) in sites.items():
        for feed in feed_files(out):
            problems = results[feed]
            say(f"  {name:9} {feed.relative_to(out).as_posix():40} " + ("valid" if not problems else
                                                                        f"{len(problems)} problem(s)"))
            for problem in problems[:10]:
                say("      " + problem)
    return valid == len(feeds)


def audit_site(cli: Path, name: str, output: Path, local: str, kinds: tuple[str, ...], forms: list[str],
               reports: Path) -> list[tuple]:
    rows = []
    for kind, lang, rel in pages_to_audit(output, kinds):
        url = page_url(local, "" if rel == "index.html" else rel)
        stem = f"{name}-{kind}-{lang}".replace(" ", "-")
        audits = [run_lighthouse(cli, url, form == "desktop", reports, stem) for form in forms]
        rows.append((name, kind, lang, rel.removesuffix("index.html"), audits))
    return rows


def print_lighthouse(rows: list[tuple], forms: list[str], reports: Path) -> bool:
    say("\nLighthouse (Debian chromium, headless): performance / accessibility / best practices / SEO; "
        f"gates: {', '.join(f'{c} >= {t}' for c, t in THRESHOLDS.items())}")
    say(f"  {'site':9} {'kind':8} {'lang':4} {'page':34} " + " ".join(f"{form:17}" for form in forms))
    ok = True
    for site, kind, lang, rel, audits in rows:
        cells = []
        for audit in audits:
            s = audit.scores
            cell = "ERROR" if not s else "/".join(str(s[c]) for c in THRESHOLDS)
            cells.append(f"{cell + ('' if audit.passed else ' !'):17}")
            ok &= audit.passed
        say(f"  {site:9} {kind:8} {lang:4} {rel[-34:]:34} " + " ".join(cells))
        for audit in audits:
            if not audit.passed:
                runs = ", ".join(str(run["performance"]) for run in audit.runs)
                say(f"      {audit.form}: {audit.error or 'performance runs ' + runs + '; ' + audit.metrics}")
                for failing in audit.failing:
                    say(f"        - {failing}")
    say(f"  (JSON reports in {reports})")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", default=str(ROOT / "content"), help="content folder (default: content/)")
    parser.add_argument("--config", help="site config for the builds, e.g. one naming a translation memory")
    parser.add_argument("--tools", default=os.environ.get("QUALITY_TOOLS", str(ROOT / "build" / "tools")),
                        help="where vnu-jar and lighthouse are installed (default: $QUALITY_TOOLS or build/tools)")
    parser.add_argument("--skip", action="append", choices=CHECKS, default=[], help="leave out a check (repeatable)")
    parser.add_argument("--forms", default="mobile,desktop", help="Lighthouse form factors (default: both)")
    parser.add_argument("--subpath-lighthouse", choices=("search", "all", "none"), default="search",
                        help="page kinds Lighthouse audits under the sub-path too (default: search)")
    parser.add_argument("--results", help="also write this report to FILE")
    parser.add_argument("--reports", default=str(ROOT / "build" / "quality"),
                        help="folder for Lighthouse's JSON reports (default: build/quality/)")
    parser.add_argument("--keep", help="build into this folder and keep the two sites (root/, sub/)")
    args = parser.parse_args()
    tools = Path(args.tools).resolve()
    vnu_jar = tools / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    lighthouse_cli = tools / "node_modules" / "lighthouse" / "cli" / "index.js"
    checkout = os.environ.get("FEEDVALIDATOR")
    fv_python = os.environ.get("FEEDVALIDATOR_PYTHON", str(tools / "feedvalidator-venv" / "bin" / "python"))
    missing = [f"{what}: {path} (scripts/quality.sh installs it)" for check, what, path in
               (("vnu", "vnu.jar", vnu_jar), ("lighthouse", "lighthouse", lighthouse_cli))
               if check not in args.skip and not path.is_file()]
    if "feeds" not in args.skip and not (checkout and (Path(checkout) / "src" / "feedvalidator").is_dir()):
        missing.append(FEEDVALIDATOR_HELP if not checkout else f"FEEDVALIDATOR={checkout} is not a feedvalidator "
                       "checkout (no src/feedvalidator/ in it)\n" + FEEDVALIDATOR_HELP)
    elif "feeds" not in args.skip and not Path(fv_python).is_file():
        missing.append(f"no Python for the feed validator at {fv_python} (scripts/quality.sh makes it; or set "
                       "FEEDVALIDATOR_PYTHON to one with lxml, html5lib and rdflib)")
    if missing:
        print("quality: missing tools:\n- " + "\n- ".join(missing), file=sys.stderr)
        return 2

    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="quality-"))
    reports = Path(args.reports).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    forms = [form for form in args.forms.split(",") if form]
    port = free_port()
    sites = {"root": (work / "root", f"http://127.0.0.1:{port}/", "/", port),
             "sub-path": (work / "sub", SUBPATH_BASE, "/repo/", 0)}
    ok = True
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        say(f"quality: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, content {args.content}, commit {commit}")
        for name, (out, base, _, _) in sites.items():
            if args.keep and out.exists():
                shutil.rmtree(out)
            build(Path(args.content).resolve(), out, base, args.config)
            say(f"built {name} site: {sum(1 for _ in out.rglob('*.html'))} HTML pages, "
                f"{len(feed_files(out))} feeds, base URL {base}")
        if "vnu" not in args.skip:
            ok &= check_vnu(vnu_jar, sites)
        if "feeds" not in args.skip:
            ok &= check_feeds(fv_python, Path(checkout), sites)
        rows = []
        for name, (out, base, prefix, fixed_port) in sites.items():
            with SiteServer(out, prefix, port=fixed_port) as local:
                if "crawl" not in args.skip:
                    ok &= check_crawl(name, out, local, base)
                if "lighthouse" in args.skip:
                    continue
                kinds = AUDITED_KINDS if name == "root" else {"all": AUDITED_KINDS, "search": ("search",),
                                                                "none": ()}[args.subpath_lighthouse]
                rows += audit_site(lighthouse_cli, name, out, local, kinds, forms, reports)
        if rows:
            ok &= print_lighthouse(rows, forms, reports)
            audited = {kind for _, kind, *_ in rows}
            absent = [kind for kind in AUDITED_KINDS if kind not in audited]
            if absent:
                say(f"  (this site has no page of kind: {', '.join(absent)})")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    say("\nquality gates: " + ("passed" if ok else "FAILED"))
    if args.results:
        Path(args.results).write_text("\n".join(_report) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Front-end quality gates, run by scripts/quality.sh (which installs the tools): builds the site twice (served
at the domain root, and under a GitHub project sub-path), then runs the Nu HTML Checker over every page, an HTTP
link checker over every page, feed and sitemap, and Lighthouse over the home and an article page per language.
Prints a report; exit status 1 when a gate fails."""
from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from siteserver import SiteServer  # noqa: E402

CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
SUBPATH_BASE = "https://user.github.io/repo/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(content: Path, output: Path, base_url: str) -> None:
    cmd = [sys.executable, str(ROOT / "generate.py"), "build", "--content", str(content), "--output", str(output),
           "--base-url", base_url, "--translator", "none", "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        sys.exit(f"build failed ({done.returncode}):\n{done.stderr}")


# --- Nu HTML Checker ----------------------------------------------------------------------------------------
def run_vnu(vnu_jar: Path, folders: list[Path]) -> tuple[int, int, list[str]]:
    """(pages checked, errors, error lines). vnu prints its JSON report on stderr."""
    pages = sorted(p for folder in folders for p in folder.rglob("*.html"))
    done = subprocess.run(["java", "-jar", str(vnu_jar), "--format", "json", "--errors-only", *map(str, pages)],
                          capture_output=True, text=True)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    lines = [f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: {m.get('message')}" for m in errors]
    return len(pages), len(errors), lines


# --- link checker -------------------------------------------------------------------------------------------
class _Refs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append(value)
            if name == "content" and value and value.startswith("http") and dict(attrs).get("property") == "og:url":
                self.refs.append(value)


def check_links(local: str, public: str) -> tuple[int, list[str]]:
    """Crawl from the home page over every internal link (relative, absolute-path, or absolute under the public
    base URL, mapped to the local server), into feeds and the sitemap. Returns (URLs fetched, problems)."""
    def to_local(url: str) -> str | None:
        if url.startswith(public):
            return local + url[len(public):]
        if url.startswith(local):
            return url
        return None

    seen: set[str] = set()
    referrers: dict[str, str] = {}
    queue = [local, local + "404.html", local + "sitemap.xml", local + "robots.txt"]
    problems: list[str] = []
    while queue:
        url = queue.pop()
        url = url.split("#")[0]
        if url in seen:
            continue
        seen.add(url)
        try:
            with urlopen(url, timeout=10) as response:
                body = response.read()
                kind = response.headers.get("Content-Type", "")
                final = response.geturl()
        except HTTPError as exc:
            problems.append(f"{exc.code} {url} (linked from {referrers.get(url, '?')})")
            continue
        found: list[str] = []
        if "html" in kind:
            parser = _Refs()
            parser.feed(body.decode("utf-8"))
            found = [urljoin(final, ref) for ref in parser.refs]
        elif url.endswith(".xml"):
            tree = ET.fromstring(body)
            found = [el.text or "" for el in tree.iter() if el.tag.rsplit("}", 1)[-1] in ("loc", "link", "guid")]
            found += [el.get("href", "") for el in tree.iter() if el.get("href")]
        elif url.endswith("robots.txt"):
            found = re.findall(r"(?m)^Sitemap:\s*(\S+)", body.decode())
        for ref in found:
            target = to_local(ref.split("#")[0]) if ref.startswith("http") else None
            if target and target not in seen:
                referrers.setdefault(target, url)
                queue.append(target)
    return len(seen), problems


# --- Lighthouse ---------------------------------------------------------------------------------------------
def run_lighthouse(lighthouse_cli: Path, url: str, desktop: bool, out_dir: Path) -> dict:
    report = out_dir / (re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") + ("-desktop" if desktop else "")
                        + ".json")
    cmd = ["node", str(lighthouse_cli), url, "--quiet", "--output=json", f"--output-path={report}",
           f"--chrome-flags={CHROME_FLAGS}", "--only-categories=performance,accessibility,best-practices,seo"]
    if desktop:
        cmd.append("--preset=desktop")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    if done.returncode != 0 or not report.is_file():
        return {"error": done.stderr.strip().splitlines()[-1:] or ["lighthouse failed"]}
    data = json.loads(report.read_text())
    scores = {cid: round((cat["score"] or 0) * 100) for cid, cat in data["categories"].items()}
    failing = []
    for cid, cat in data["categories"].items():
        for ref in cat["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] > 0 and audit.get("score") is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                failing.append(f"{cid}/{ref['id']} {audit['score']:.2f} {value}".rstrip())
    return {"scores": scores, "failing": failing,
            "metrics": {k: data["audits"][k].get("displayValue", "") for k in
                        ("first-contentful-paint", "largest-contentful-paint", "cumulative-layout-shift",
                         "total-blocking-time")}}


def pages_to_audit(output: Path) -> list[str]:
    """Home and search pages and one article per language (one with an English pair when there is one)."""
    own = ("page", "search")  # folders of the site's own pages, not articles
    en_articles = sorted(p.parent.name for p in (output / "en").glob("*/index.html") if p.parent.name not in own)
    ar_articles = sorted(p.parent.name for p in (output / "ar").glob("*/index.html") if p.parent.name not in own)
    pages = ["", "en/", "ar/search/", "en/search/"]
    slug = en_articles[0] if en_articles else (ar_articles[0] if ar_articles else None)
    if slug:
        pages.append(f"ar/{slug}/")
    if en_articles:
        pages.append(f"en/{slug}/")
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--content", default=str(ROOT / "content"), help="content folder (default: content/)")
    parser.add_argument("--tools", default=str(ROOT / "build" / "tools"), help="where npm installed vnu and lighthouse")
    parser.add_argument("--desktop", action="store_true", help="also run Lighthouse with its desktop preset")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse (vnu and links only)")
    parser.add_argument("--root-only", action="store_true", help="Lighthouse at the domain root only")
    args = parser.parse_args()
    tools = Path(args.tools).resolve()
    vnu_jar = tools / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    lighthouse_cli = tools / "node_modules" / "lighthouse" / "cli" / "index.js"

    work = Path(tempfile.mkdtemp(prefix="quality-"))
    reports = ROOT / "build" / "quality"
    reports.mkdir(parents=True, exist_ok=True)
    failed = False
    try:
        port = free_port()
        sites = {"root": (work / "root", f"http://127.0.0.1:{port}/", "/", port),
                 "sub-path": (work / "sub", SUBPATH_BASE, urlsplit(SUBPATH_BASE).path, 0)}
        for name, (out, base, _, _) in sites.items():
            build(Path(args.content).resolve(), out, base)
            print(f"built {name} site: {sum(1 for _ in out.rglob('*.html'))} pages, base URL {base}")

        started = time.perf_counter()
        count, errors, lines = run_vnu(vnu_jar, [out for out, *_ in sites.values()])
        print(f"\nNu HTML Checker: {count} pages, {errors} errors ({time.perf_counter() - started:.1f}s)")
        for line in lines[:30]:
            print("  " + line)
        failed |= errors > 0

        lighthouse_rows = []
        for name, (out, base, prefix, fixed_port) in sites.items():
            with SiteServer(out, prefix, port=fixed_port) as local:
                fetched, problems = check_links(local, base)
                print(f"\nlink check ({name}, {local}): {fetched} URLs fetched, {len(problems)} broken")
                for problem in problems[:30]:
                    print("  " + problem)
                failed |= bool(problems)
                if args.no_lighthouse or (args.root_only and name != "root"):
                    continue
                for page in pages_to_audit(out):
                    for desktop in ((False, True) if args.desktop else (False,)):
                        result = run_lighthouse(lighthouse_cli, local + page, desktop, reports)
                        lighthouse_rows.append((name, page or "(home)", "desktop" if desktop else "mobile", result))

        if lighthouse_rows:
            print("\nLighthouse (Debian chromium, headless):")
            print(f"  {'site':9} {'page':32} {'form':8} perf a11y  bp  seo   FCP / LCP / CLS / TBT")
            for site, page, form, result in lighthouse_rows:
                if "error" in result:
                    print(f"  {site:9} {page:32} {form:8} ERROR {result['error']}")
                    failed = True
                    continue
                s = result["scores"]
                m = result["metrics"]
                print(f"  {site:9} {page[:32]:32} {form:8} {s['performance']:4} {s['accessibility']:4} "
                      f"{s['best-practices']:4} {s['seo']:4}   {m['first-contentful-paint']} / "
                      f"{m['largest-contentful-paint']} / {m['cumulative-layout-shift']} / {m['total-blocking-time']}")
                for audit in result["failing"]:
                    print(f"      - {audit}")
                failed |= any(s[c] < t for c, t in THRESHOLDS.items())
            print(f"  (JSON reports in {reports.relative_to(ROOT)}/)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\nquality gates: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

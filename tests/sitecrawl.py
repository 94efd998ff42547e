"""A crawl of a built site served over HTTP (tests/siteserver.py), as a visitor's browser and a feed reader see it:
every internal URL reachable from the home page, the 404 page, robots.txt and the sitemap is fetched once, and
each reference it holds is followed. Shared by tests/test_site_quality.py and scripts/quality.py.

Internal means on the served origin or on the origin of the site's public base URL (absolute links in feeds, the
sitemap, canonical and og: tags), whatever the path: a link that leaves a project sub-path ("/static/x" on a site
served under "/repo/") is fetched and answered 404, so it is reported, as GitHub Pages would answer it.
References read: href/src/srcset/poster and og:/twitter: URLs in HTML, url(...) in CSS, <loc>/<link>/<guid> and
href/url attributes (atom:link, xhtml:link, enclosure, media:content) in XML, Sitemap: lines in robots.txt.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, unquote, urljoin, urlsplit
from urllib.request import urlopen

_META_URLS = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "twitter:image"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "poster"):
            if attrs.get(name):
                self.refs.append(attrs[name])
        for name in ("srcset", "imagesrcset"):
            for candidate in (attrs.get(name) or "").split(","):
                if candidate.strip():
                    self.refs.append(candidate.split()[0])
        if tag == "meta" and (attrs.get("property") or attrs.get("name")) in _META_URLS and attrs.get("content"):
            self.refs.append(attrs["content"])


def references(body: bytes, content_type: str, url: str) -> list[str]:
    """The URLs a fetched file refers to, absolute (fragments dropped)."""
    path = urlsplit(url).path
    if "html" in content_type:
        parser = _Refs()
        parser.feed(body.decode("utf-8"))
        found = parser.refs
    elif "css" in content_type or path.endswith(".css"):
        found = [m.group(2) for m in _CSS_URL.finditer(body.decode("utf-8")) if not m.group(2).startswith("data:")]
    elif "xml" in content_type or path.endswith(".xml"):
        tree = ET.fromstring(body)
        found = [(el.text or "").strip() for el in tree.iter() if el.tag.rsplit("}", 1)[-1] in ("loc", "link", "guid")
                 and el.get("isPermaLink", "true") == "true"]
        found += [el.get(name, "") for el in tree.iter() for name in ("href", "url") if el.get(name)]
        for el in tree.iter():  # HTML carried in feed items: a relative URL there resolves against the feed's
            if el.tag.rsplit("}", 1)[-1] in ("encoded", "description", "content", "summary") and "<" in (el.text or ""):
                parser = _Refs()
                parser.feed(el.text)
                found += parser.refs
    elif path.endswith("robots.txt"):
        found = re.findall(r"(?m)^Sitemap:\s*(\S+)", body.decode("utf-8"))
    else:
        found = []
    return [urljoin(url, ref).split("#")[0] for ref in found if ref and not ref.startswith(("#", "mailto:", "data:"))]


@dataclass
class Crawl:
    local: str  # where the site is served, e.g. http://127.0.0.1:PORT/repo/
    public: str  # its public base URL, e.g. https://user.github.io/repo/
    fetched: dict[str, int] = field(default_factory=dict)  # local URL -> HTTP status
    referrer: dict[str, str] = field(default_factory=dict)  # local URL -> the first URL that linked to it
    problems: list[str] = field(default_factory=list)
    linked: set[str] = field(default_factory=set)  # local URLs some HTML page links to (what a reader can click)

    def to_local(self, url: str) -> str | None:
        """The served URL of an internal URL; None for an external one."""
        parts = urlsplit(url)
        for origin in (self.local, self.public):
            own = urlsplit(origin)
            if (parts.scheme, parts.netloc) == (own.scheme, own.netloc):
                local = urlsplit(self.local)
                return f"{local.scheme}://{local.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return None


def crawl(local: str, public: str | None = None, *, timeout: float = 10) -> Crawl:
    """Fetch every internal URL reachable from the site's entry points; `problems` lists each URL answered with
    an error (status, URL, the page that links to it) or that cannot be parsed."""
    public = public or local
    if urlsplit(local).path != urlsplit(public).path:
        raise ValueError(f"serve the site under its public path: {local} vs {public}")
    result = Crawl(local, public, linked={local})
    queue = [local + name for name in ("robots.txt", "sitemap.xml", "404.html")] + [local]
    while queue:
        url = queue.pop()
        if url in result.fetched:
            continue
        try:
            with urlopen(url, timeout=timeout) as response:
                status, body = response.status, response.read()
                content_type = response.headers.get("Content-Type", "")
        except HTTPError as error:
            result.fetched[url] = error.code
            result.problems.append(f"{error.code} {url} (linked from {result.referrer.get(url, 'the crawl start')})")
            continue
        except URLError as error:
            result.fetched[url] = 0
            result.problems.append(f"unreachable {url}: {error.reason}")
            continue
        result.fetched[url] = status
        from_page = "html" in content_type
        try:
            found = references(body, content_type, url)
        except (ET.ParseError, UnicodeDecodeError) as error:
            result.problems.append(f"cannot parse {url}: {error}")
            continue
        for ref in found:
            target = result.to_local(ref)
            if target and from_page:
                result.linked.add(target)
            if target and target not in result.fetched:
                result.referrer.setdefault(target, url)
                queue.append(target)
    return result


def unreached(output: Path, result: Crawl) -> list[str]:
    """Pages and feeds of the built site (HTML files, feeds) that no page links to: a reader clicking from the home
    page never finds them (the sitemap does not count; the 404 page is shown for unknown URLs instead)."""
    base = urlsplit(result.local)
    seen = {unquote(urlsplit(url).path) for url in result.linked if result.fetched.get(url) == 200}
    missing = []
    for path in sorted([*output.rglob("*.html"), *feed_files(output)]):
        rel = path.relative_to(output).as_posix()
        if rel in ("404.html", "index.html"):
            continue
        url_path = unquote(base.path) + rel
        if url_path not in seen and url_path.removesuffix("index.html") not in seen:
            missing.append(rel)
    return missing



def sitemap_gaps(output: Path, base_url: str) -> list[str]:
    """What the sitemap misses or gets wrong: a page (HTML file but the 404 page and the root, which repeats the
    Arabic home page) not listed, a URL listed twice or with no file, hreflang alternates that do not name the URL
    itself or are not reciprocal (each alternate listed with the same alternates)."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    listed: dict[str, dict[str, str]] = {}
    problems = []
    for url in ET.parse(output / "sitemap.xml").getroot().findall("s:url", ns):
        loc = url.findtext("s:loc", "", ns).strip()
        if loc in listed:
            problems.append(f"listed twice: {loc}")
        listed[loc] = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
                       if link.get("rel") == "alternate"}
    for loc, alternates in listed.items():
        rel = unquote(loc.removeprefix(base_url))
        if not loc.startswith(base_url) or not (output / (rel + "index.html" if rel.endswith("/") or not rel
                                                          else rel)).is_file():
            problems.append(f"no such page: {loc}")
        if alternates and loc not in alternates.values():
            problems.append(f"{loc}: its alternates do not name it")
        for lang, href in alternates.items():
            if listed.get(href, {}) != alternates:
                problems.append(f"{loc}: alternate {lang} {href} is not listed with the same alternates")
    urls = {unquote(loc.removeprefix(base_url)) for loc in listed}
    for page in sorted(output.rglob("*.html")):
        rel = page.relative_to(output).as_posix()
        if rel not in ("404.html", "index.html") and rel.removesuffix("index.html") not in urls and rel not in urls:
            problems.append(f"not in the sitemap: {rel}")
    return problems

def page_url(local: str, rel: str) -> str:
    """The URL a visitor uses for an output file: directory index pages in their pretty form."""
    rel = rel.removesuffix("index.html")
    return local + quote(rel, safe="/")


# --- page kinds, by URL (README: "URL scheme") -------------------------------------------------------------------
_KINDS = [
    ("root", r"index\.html"),
    ("404", r"404\.html"),
    ("home", r"(ar|en)/index\.html"),
    ("home page N", r"(ar|en)/page/\d+/index\.html"),
    ("search", r"(ar|en)/search/index\.html"),
    ("sections index", r"(ar|en)/section/index\.html"),
    ("days index", r"(ar|en)/day/index\.html"),
    ("section", r"(ar|en)/section/[^/]+/index\.html"),
    ("section page N", r"(ar|en)/section/[^/]+/page/\d+/index\.html"),
    ("day", r"(ar|en)/day/\d{4}/\d{2}/\d{2}/index\.html"),
    ("archive", r"(ar|en)/archive/(.+/)?index\.html"),
    ("article", r"(ar|en)/[^/]+/index\.html"),
]


def page_kind(rel: str) -> str:
    """The kind of an output HTML file from its path ('other' for a path no kind claims)."""
    for name, pattern in _KINDS:
        if re.fullmatch(pattern, rel):
            return name
    return "other"


def feed_files(output: Path) -> list[Path]:
    """Every RSS/Atom feed of a built site (the sitemap is not one)."""
    return sorted(p for p in output.rglob("*.xml") if p.name != "sitemap.xml" and p.parts[-2:-1] != ("pagefind",))

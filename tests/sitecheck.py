"""Checks over a built site, shared by the end-to-end tests: links resolve, lang/dir right, feeds valid."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.html_attrs: dict[str, str] = {}
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "html":
            self.html_attrs = attrs
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") in ("canonical", "alternate")
                                        and attrs.get("type") != "application/rss+xml"):
                self.refs.append(attrs[name])


def parse_page(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def resolve(output: Path, page: Path, ref: str, base_path: str) -> Path | None:
    """The file a link points to, or None for external links."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith("#") or ref.startswith("mailto:"):
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        assert path.startswith(base_path), f"{page}: absolute link {ref} outside the site path {base_path}"
        target = output / path[len(base_path):]
    else:
        target = (page.parent / path)
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html"
    return target.resolve()


def broken_links(output: Path, base_path: str = "/") -> list[str]:
    broken = []
    for page in sorted(output.rglob("*.html")):
        for ref in parse_page(page).refs:
            target = resolve(output, page, ref, base_path)
            if target is not None and not target.is_file():
                broken.append(f"{page.relative_to(output)} -> {ref}")
    return broken


def url_to_file(output: Path, base_url: str, url: str) -> Path:
    assert url.startswith(base_url), f"{url} is not under {base_url}"
    rel = unquote(url[len(base_url):])
    target = output / rel
    if not rel or rel.endswith("/"):
        target = target / "index.html"
    return target


XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def build_fixture_site(tmp: Path, wire_files: list[str], *, per_page: int, base_url: str | None = None,
                       output_name: str = "output"):
    """Build the seed article (with its human English) plus the named wire items (file names or prefixes of
    tests/fixtures/wire) into `tmp`, offline. Returns (config, report)."""
    import shutil
    from dataclasses import replace

    from conftest import ROOT, WIRE
    from digest.build.pipeline import build
    from digest.config import load_config

    content = tmp / "content"
    if not content.exists():
        content.mkdir()
        for name in wire_files:
            src = sorted(WIRE.glob(name + "*"))[0]
            shutil.copy(src, content / src.name)
        for name in ("000_0b3d9faf541c66ac.txt", "000_0b3d9faf541c66ac.en.md"):
            shutil.copy(ROOT / "content" / name, content / name)
    config = load_config(ROOT / "site.toml", root=ROOT, content=content, output=tmp / output_name,
                         base_url=base_url, translator="none")
    config = replace(config, per_page=per_page, translator=replace(config.translator, memory_dir=str(tmp / "memory")))
    return config, build(config, quiet=True)


# Any letter of the Arabic script blocks (written out here, not taken from the code under test).
ARABIC = re.compile("[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff"
                    "\ufe70-\ufefc]")


class _VisibleArabic(HTMLParser):
    """Arabic text a reader sees on a page (text and alt/title attributes in <body>), except inside links to the
    Arabic original of the article and the language switcher."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}

    def __init__(self, arabic_original: str | None) -> None:
        super().__init__()
        self.arabic_original = arabic_original
        self.stack: list[tuple[str, dict]] = []
        self.found: list[str] = []

    def _exempt(self) -> bool:
        for tag, attrs in self.stack:
            if tag in ("head", "script", "style", "template") or "hidden" in attrs:
                return True
            if tag == "a" and ("lang-switch" in (attrs.get("class") or "").split()
                               or attrs.get("href") == self.arabic_original):
                return True
        return False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._exempt():
            self.found += [f"{tag}[{k}]={v}" for k, v in attrs.items() if k in ("alt", "title", "aria-label")
                           and v and ARABIC.search(v)]
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if ARABIC.search(data) and not self._exempt():
            self.found.append(f"{'>'.join(t for t, _ in self.stack[-3:])}: {data.strip()[:60]}")


def arabic_on_english_pages(output: Path) -> dict[str, list[str]]:
    """{page: the Arabic seen on it} for every English page (articles, digest and archive pages) that has some."""
    found = {}
    for page in sorted((output / "en").rglob("*.html")):
        rel = page.relative_to(output / "en").parts
        original = f"../../ar/{rel[0]}/index.html" if len(rel) == 2 and rel[0] != "page" else None
        parser = _VisibleArabic(original)
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.found:
            found[str(page.relative_to(output))] = parser.found
    return found

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
    ../shared/corpus/wire) into `tmp`, offline. Returns (config, report)."""
    import shutil
    from dataclasses import replace

    from conftest import ROOT, WIRE
    from digest.build import build
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

"""The page cache (digest/build/pagecache.py): a full build into an empty folder writes the pages it made before,
byte for byte, without rendering them; a changed recipe or a damaged value is rendered again; the cache is pruned."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from conftest import site_with_own_theme
from digest.build.pagecache import PageCache, compress, page_key
from digest.build.pipeline import build
from digest.build.store import cache_dir
from digest.site import render


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path, make_config):
    return site_with_own_theme(tmp_path, make_config, 12, per_page=5)


@pytest.fixture
def renders(monkeypatch):
    """Template names rendered in this process (builds of a dozen articles render without worker processes)."""
    seen: list[str] = []
    original = render.PageRenderer.render

    def counting(self, template, **context):
        seen.append(template)
        return original(self, template, **context)

    monkeypatch.setattr(render.PageRenderer, "render", counting)
    return seen


def _move_aside(config, name: str) -> None:
    config.output_dir.rename(config.output_dir.with_name(name))


def test_a_full_build_into_an_empty_folder_writes_the_cached_pages_unrendered(site, renders):
    build(site, quiet=True)
    first = _tree(site.output_dir)
    assert "article.html" in renders and "index.html" in renders and "404.html" in renders
    _move_aside(site, "first")
    renders.clear()
    build(site, quiet=True, full=True)
    assert _tree(site.output_dir) == first
    assert renders == []  # every page, the 404 page included, came from the page cache
    _move_aside(site, "second")
    build(site, quiet=True)  # the output folder was deleted by hand: the same
    assert _tree(site.output_dir) == first and renders == []


def test_a_changed_template_is_rendered_not_taken_from_the_cache(site, renders):
    build(site, quiet=True)
    _move_aside(site, "before")
    article = site.templates_dir / "article.html"
    source = article.read_text(encoding="utf-8")
    assert '<article class="article"' in source
    article.write_text(source.replace('<article class="article"', '<article data-edited class="article"'),
                       encoding="utf-8")
    renders.clear()
    build(site, quiet=True, full=True)
    pages = sorted(site.output_dir.glob("*/[0-9][0-9][0-9]_*/index.html"))  # the article pages
    assert pages and all(b"<article data-edited " in p.read_bytes() for p in pages)
    assert renders.count("article.html") == len(pages)
    assert "index.html" not in renders  # the home pages' recipes did not change: from the cache


def test_a_damaged_value_is_a_miss_and_the_page_is_rendered_again(site, renders):
    build(site, quiet=True)
    first = _tree(site.output_dir)
    _move_aside(site, "first")
    db = sqlite3.connect(cache_dir(site.output_dir) / "pages.sqlite")
    with db:  # flip one byte in the middle of every stored page: the checksum no longer matches
        for key, value in db.execute("SELECT key, value FROM pages").fetchall():
            middle = len(value) // 2
            damaged = value[:middle] + bytes([value[middle] ^ 0x20]) + value[middle + 1:]
            db.execute("UPDATE pages SET value = ? WHERE key = ?", (damaged, key))
    db.close()
    renders.clear()
    build(site, quiet=True, full=True)
    assert _tree(site.output_dir) == first
    assert "article.html" in renders


def test_an_unreadable_cache_file_is_replaced_and_the_build_is_the_same(site, renders):
    build(site, quiet=True)
    first = _tree(site.output_dir)
    _move_aside(site, "first")
    (cache_dir(site.output_dir) / "pages.sqlite").write_bytes(b"not a database" * 100)
    build(site, quiet=True, full=True)
    assert _tree(site.output_dir) == first


def test_the_cache_keeps_only_the_sites_pages_once_many_were_added(tmp_path):
    cache = PageCache(tmp_path / "pages.sqlite")
    site = [page_key(f"ar/{i}/index.html", "recipe") for i in range(10)]
    old = [page_key(f"ar/{i}/index.html", "older recipe") for i in range(990)]
    cache.put_many([(k, compress(b"page")) for k in site + old])
    assert cache.prune(lambda: set(site), pages=10) == 0  # 1,000 added: not yet worth a scan
    cache.put_many([(page_key(f"ar/x{i}/index.html", "newer"), compress(b"x")) for i in range(10)])
    assert cache.prune(lambda: set(site), pages=10) == 1000
    assert set(cache.get_many(site + old)) == set(site)
    assert cache.prune(lambda: set(), pages=0) == 0  # the count starts again after a prune
    cache.close()

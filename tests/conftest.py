"""Shared fixtures: paths to the project and to the test data shipped in tests/fixtures/ (the suite reads nothing
outside the repository), a helper to build a site into a temp folder, and one to make many articles."""
from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"  # test data, each folder with its provenance (NOTICE) or README.md
# Eleven real wire/newspaper items (SaudiNewsNet, CC BY-NC-SA 4.0: see its NOTICE) and three written for the tests.
WIRE = FIXTURES / "wire"
sys.path.insert(0, str(ROOT))


@pytest.fixture
def make_config(tmp_path):
    """A Config for a temp content/output folder, using the project's templates and static files."""
    from digest.config import load_config

    def factory(content: Path, **overrides):
        overrides.setdefault("translator", "none")
        config = load_config(ROOT / "site.toml", root=ROOT, content=content,
                             output=overrides.pop("output", tmp_path / "output"), **overrides)
        from dataclasses import replace
        memory = tmp_path / "memory"
        return replace(config, translator=replace(config.translator, memory_dir=str(memory)))

    return factory


def wire_copies(folder: Path, count: int, offset: int = 0) -> list[Path]:
    """`count` distinct articles written into `folder` from the wire fixtures in turn, for tests that need many:
    the first round keeps the fixtures' names and text, later rounds are named "<round>-<name>" and get the round
    number after the headline. Index `offset` onwards, so two calls with different offsets never overlap."""
    fixtures = sorted(WIRE.glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(offset, offset + count):
        source = fixtures[i % len(fixtures)]
        copy = i // len(fixtures)
        path = folder / (f"{copy}-{source.name}" if copy else source.name)
        text = source.read_text(encoding="utf-8-sig")
        if copy:
            headline, _, rest = text.partition("\n")
            text = f"{headline} {copy}\n{rest}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def site_with_own_theme(tmp_path: Path, make_config, articles: int, **overrides):
    """A Config for `articles` wire copies in tmp_path/content, with its own copies of templates/ and static/: tests
    that edit a template or a stylesheet change those, never the shared tree other tests read. `overrides`: Config
    fields (per_page, feed_items, ...)."""
    content = tmp_path / "content"
    wire_copies(content, articles)
    templates, static = tmp_path / "templates", tmp_path / "static"
    shutil.copytree(ROOT / "templates", templates)
    shutil.copytree(ROOT / "static", static)
    config = make_config(content, output=tmp_path / "site" / "output")
    return replace(config, templates_dir=templates, static_dir=static, **overrides)


def clean_build_tree(config, tmp_path: Path) -> dict[str, str]:
    """What a clean full build of `config`'s inputs makes (into tmp_path/clean, with an empty cache), as
    searchview.site_tree gives it: what an incremental build's output must equal."""
    import os

    from digest.build.pipeline import build
    from searchview import site_tree

    fresh = replace(config, output_dir=tmp_path / "clean" / "output")
    shutil.rmtree(fresh.output_dir.parent, ignore_errors=True)
    os.environ["DIGEST_CACHE_DIR"] = str(tmp_path / "clean" / "cache")  # an empty cache
    try:
        build(fresh, quiet=True, full=True)
    finally:
        del os.environ["DIGEST_CACHE_DIR"]
    return site_tree(fresh.output_dir, folders=True)

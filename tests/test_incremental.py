"""Incremental builds equal clean full builds, byte for byte (the search index: in what it finds), after random
edit sequences; only changed files
are rewritten; a failed incremental build leaves the previous site; a killed one is completed by the next."""
from __future__ import annotations

import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import clean_build_tree, site_with_own_theme, wire_copies
from searchview import site_tree
from digest.build.pipeline import build
from digest.build.journal import apply_journal, journal_path


def _tree(root: Path) -> dict[str, str]:
    return site_tree(root, folders=True)


def _inodes(root: Path) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): path.stat().st_ino for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def site(tmp_path, make_config):
    return site_with_own_theme(tmp_path, make_config, 24, per_page=5, feed_items=7)


def _edit(rng: random.Random, config, spare: list[Path]) -> tuple[object, str]:
    content = config.content_dir
    files = sorted(content.glob("*.txt"))
    kind = rng.choice(["edit", "edit", "add", "delete", "template", "config", "headline", "noop"])
    if kind == "edit" and files:
        path = rng.choice(files)
        lines = path.read_text(encoding="utf-8").split("\n")
        i = rng.randrange(2, max(3, len(lines) - 2))
        lines.insert(i, f"فقرة مضافة رقم {rng.randrange(1000)} في هذا الخبر للاختبار.")
        path.write_text("\n".join(lines), encoding="utf-8")
    elif kind == "headline" and files:
        path = rng.choice(files)
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[0] = lines[0] + f" {rng.randrange(100)}"
        path.write_text("\n".join(lines), encoding="utf-8")
    elif kind == "add" and spare:
        source = spare.pop()
        shutil.copy(source, content / source.name)
    elif kind == "delete" and len(files) > 3:
        rng.choice(files).unlink()
    elif kind == "template":
        name = rng.choice(["article.html", "index.html", "base.html"])
        path = config.templates_dir / name
        path.write_text(path.read_text(encoding="utf-8") + f"\n{{# edit {rng.randrange(10**6)} #}}<!-- v{rng.randrange(99)} -->\n",
                        encoding="utf-8")
    elif kind == "config":
        config = replace(config, per_page=rng.choice([3, 5, 8]), feed_items=rng.choice([4, 7]),
                         summary_words=rng.choice([30, 60]),
                         titles=dict(config.titles, en=rng.choice(["News Digest", "Digest of the News"])))
    return config, kind


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edit_sequences_equal_clean_builds(site, tmp_path, seed):
    rng = random.Random(seed)
    config = site
    spare = wire_copies(tmp_path / "spare", 10, offset=100)
    build(config, quiet=True)
    kinds = []
    for step in range(7):
        config, kind = _edit(rng, config, spare)
        kinds.append(kind)
        build(config, quiet=True)
        assert _tree(config.output_dir) == clean_build_tree(config, tmp_path), f"after {kinds}"


def test_one_edit_rewrites_only_its_pages_and_changed_aggregates(site):
    build(site, quiet=True)
    before = _inodes(site.output_dir)
    victim = sorted(site.content_dir.glob("*.txt"))[3]
    text = victim.read_text(encoding="utf-8").split("\n")
    text[0] += " محدث"
    victim.write_text("\n".join(text), encoding="utf-8")
    build(site, quiet=True)
    after = _inodes(site.output_dir)
    # The search index: its delta (pagefind/delta/) is made again, the base's files stay.
    rewritten = {rel for rel in after if before.get(rel) != after[rel] and not rel.startswith("pagefind/")}
    index = {rel for rel in after if rel.startswith("pagefind/") and before.get(rel) != after[rel]}
    assert index and all(rel.startswith("pagefind/delta/") for rel in index), index
    slug = victim.stem
    assert f"ar/{slug}/index.html" in rewritten
    # Its English page does not change (the headline edit has no translation: it becomes untranslated or stays).
    assert all(rel.startswith(("ar/", "en/", "index.html", "sitemap.xml")) for rel in rewritten), rewritten
    assert len(rewritten) < 12, rewritten  # its page, one home page per language and the feeds at most
    assert "static/style.css" not in rewritten


def test_no_change_rebuild_writes_nothing(site):
    build(site, quiet=True)
    before = {p: p.stat().st_mtime_ns for p in site.output_dir.rglob("*") if p.is_file()}
    build(site, quiet=True)
    after = {p: p.stat().st_mtime_ns for p in site.output_dir.rglob("*") if p.is_file()}
    assert before == after


def test_failed_incremental_build_leaves_site_and_killed_one_is_completed(site, monkeypatch):
    build(site, quiet=True)
    before = _tree(site.output_dir)
    victim = sorted(site.content_dir.glob("*.txt"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nسطر جديد في نهاية الخبر.\n", encoding="utf-8")
    import digest.build.journal as journal_module

    # Killed at the commit point: the journal is written, nothing applied yet.
    monkeypatch.setattr(journal_module, "apply_journal", lambda final: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        build(site, quiet=True)
    monkeypatch.undo()
    assert journal_path(site.output_dir).exists()
    assert _tree(site.output_dir) == before  # nothing applied yet: still the previous site
    build(site, quiet=True)  # finishes the journal first, then builds
    assert not journal_path(site.output_dir).exists()
    assert not list(site.output_dir.parent.glob(".output.changes-*"))
    # And a build that fails while rendering changes nothing.
    victim.write_text(victim.read_text(encoding="utf-8") + "\nسطر آخر.\n", encoding="utf-8")
    snapshot = _tree(site.output_dir)
    import digest.site.pages as pages_module

    monkeypatch.setattr(pages_module, "rss_feed", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        build(site, quiet=True)
    assert _tree(site.output_dir) == snapshot
    assert apply_journal(site.output_dir) is False

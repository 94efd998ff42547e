"""The edit path (digest/build/edits.py): a build after a few articles' texts changed reads only those, patches the
last build's site and plans only the pages showing them; its output equals a clean full build's, byte for byte; an
edit that moves an article in the lists (its date, section, English) goes the whole way, saying why; the state's
blobs stay bounded."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import clean_build_tree, site_with_own_theme
from searchview import site_tree
from digest.build.pipeline import build

HUMAN = """---
title: "{title}"
---
The first paragraph of the human translation of this story, in English.

A second paragraph, with two sentences. It closes the story.
"""


@pytest.fixture
def site(tmp_path, make_config):
    """30 wire copies in several sections, 5 per page (homes, sections and days paginate), 7 per feed; a human
    translation for three of them."""
    config = site_with_own_theme(tmp_path, make_config, 30, per_page=5, feed_items=7)
    for path in sorted(config.content_dir.glob("*.txt"))[:3]:
        path.with_name(path.stem + ".en.md").write_text(HUMAN.format(title=f"Story {path.stem}"), encoding="utf-8")
    return config


def _dated(config) -> list[Path]:
    """The articles with a wire dateline (an undated one takes its file's time: an edit moves it)."""
    return [path for path in sorted(config.content_dir.glob("*.txt"))
            if re.search(r"20\d\d", path.read_text(encoding="utf-8").split("\n")[1])]


def _build(config) -> list[str]:
    lines: list[str] = []
    build(config, log=lines.append)
    return lines


def _edit_line(lines: list[str]) -> str:
    return next((line.strip() for line in lines if line.strip().startswith("edit:")), "")


def _loads(lines: list[str]) -> list[int]:
    return [int(n) for line in lines for n in re.findall(r"load: (\d+) articles", line)]


def _body_paragraph_twice(path: Path) -> None:
    """A body paragraph written twice (the third line: after the headline and the dateline or byline): the
    article's text changes, not its date, section or headline."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(3, lines[2])
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_text_edit_reads_one_article_and_equals_a_clean_build(site, tmp_path):
    _build(site)
    victim = _dated(site)[len(_dated(site)) // 2]
    before = site_tree(site.output_dir, folders=True)
    _body_paragraph_twice(victim)
    lines = _build(site)
    assert _loads(lines) == [1], (victim.name, _edit_line(lines))  # the edited file alone was read
    assert _edit_line(lines).startswith("edit: 1 of 30 articles made again"), lines
    after = site_tree(site.output_dir, folders=True)
    assert after == clean_build_tree(site, tmp_path)
    assert after != before  # (the edit shows)


def test_edits_in_sequence_and_undone_equal_clean_builds(site, tmp_path):
    _build(site)
    files = _dated(site)
    assert len(files) >= 20
    originals = {path: path.read_bytes() for path in files}
    for step, path in enumerate([files[0], files[7], files[-1], files[7], files[1]]):
        _body_paragraph_twice(path)
        if step == 3:  # two files in one build
            _body_paragraph_twice(files[12])
        lines = _build(site)
        assert _edit_line(lines).startswith("edit: "), lines
        assert site_tree(site.output_dir, folders=True) == clean_build_tree(site, tmp_path), step
    for path, data in originals.items():  # every edit undone: the first build's site again
        path.write_bytes(data)
    _build(site)
    assert site_tree(site.output_dir, folders=True) == clean_build_tree(site, tmp_path)


def test_a_human_translation_edit_takes_the_edit_path(site, tmp_path):
    _build(site)
    human = sorted(site.content_dir.glob("*.en.md"))[1]
    human.write_text(HUMAN.format(title="A corrected English headline"), encoding="utf-8")
    lines = _build(site)
    assert _loads(lines) == [1] and _edit_line(lines).startswith("edit: 1 of"), lines
    page = site.output_dir / "en" / human.name[: -len(".en.md")]
    assert site_tree(site.output_dir, folders=True) == clean_build_tree(site, tmp_path)
    assert any("A corrected English headline" in p.read_text(encoding="utf-8")
               for p in site.output_dir.glob("en/*/index.html")), page


@pytest.mark.parametrize("change, why", [
    (lambda path: _section(path, "رياضي"), "changed its date, section or images"),
    (lambda path: _redate(path), "changed its date, section or images"),
    (lambda path: path.write_bytes(b"\xff\xfe\x00 not an article"), "has a problem"),
])
def test_an_edit_that_moves_an_article_runs_the_whole_pipeline(site, tmp_path, change, why):
    _build(site)
    victim = site.content_dir / "049_e8ef734a8a048635.txt"  # a wire story with a dateline, in a section
    change(victim)
    lines = _build(site)
    assert site_tree(site.output_dir, folders=True) == clean_build_tree(site, tmp_path)
    if why:
        assert why in _edit_line(lines) and "every article is read" in _edit_line(lines), lines
        assert _loads(lines) == ([0, 29] if "problem" in why else [1, 30]), lines


def _redate(path: Path) -> None:
    """The year of the wire dateline (second line) moved back by one."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert "2015" in lines[1], lines[1]
    lines[1] = lines[1].replace("2015", "2014")
    path.write_text("\n".join(lines), encoding="utf-8")


def _section(path: Path, name: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = f"{name} / {lines[0].split(' / ', 1)[-1]}"
    path.write_text("\n".join(lines), encoding="utf-8")


def test_many_edited_files_or_a_new_one_are_not_an_edit(site, tmp_path):
    _build(site)
    files = sorted(site.content_dir.glob("*.txt"))
    for path in files[:17]:  # more than edits.MAX_EDITED
        _body_paragraph_twice(path)
    lines = _build(site)
    assert not _edit_line(lines) and _loads(lines) == [30], lines
    shutil.copy(files[3], site.content_dir / "new-copy.txt")
    lines = _build(site)
    assert not _edit_line(lines) and _loads(lines) == [31], lines
    assert site_tree(site.output_dir, folders=True) == clean_build_tree(site, tmp_path)


def test_state_blobs_stay_bounded_and_no_build_after_an_edit_has_work(site):
    from digest.build.store import cache_dir

    _build(site)
    blobs = lambda: sorted(cache_dir(site.output_dir).glob("state-*.blobs/*"))  # noqa: E731
    first = len(blobs())
    assert first > 0
    victim = _dated(site)[4]
    for _ in range(6):
        _body_paragraph_twice(victim)
        assert _edit_line(_build(site)).startswith("edit: 1 of")
    names = blobs()
    assert len(names) <= first + 2, (first, len(names))  # old versions of the changed shards are gone
    assert not [p for p in names if p.name.endswith(".tmp")]
    lines = _build(site)
    assert any("no input changed" in line for line in lines), lines


@pytest.mark.parametrize("damage", ["truncate", "delete", "swap"])
def test_a_damaged_state_blob_means_a_whole_build_not_a_failure(site, tmp_path, damage):
    """A blob of the build state gone or altered (a cache folder edited by hand, a disk error): the build says so
    in one line and builds the whole site again from the caches keyed by content; the next build is normal."""
    from digest.build.store import cache_dir

    _build(site)
    blobs = sorted(cache_dir(site.output_dir).glob("state-*.blobs/*"))
    contents = [path.read_bytes() for path in blobs]
    for i, path in enumerate(blobs):  # all of them: an edit build reads only the few shards it needs
        if damage == "truncate":
            path.write_bytes(contents[i][:10])
        elif damage == "delete":
            path.unlink()
        else:  # each blob with the bytes of another
            path.write_bytes(contents[(i + 1) % len(contents)])
    _body_paragraph_twice(_dated(site)[3])
    lines = _build(site)
    assert any(line.startswith("note: the build state is damaged") for line in lines), lines
    assert site_tree(site.output_dir, folders=True) == clean_build_tree(site, tmp_path)
    _body_paragraph_twice(_dated(site)[5])
    lines = _build(site)
    assert not any(line.startswith("note:") for line in lines) and _edit_line(lines).startswith("edit: 1 of"), lines
    assert site_tree(site.output_dir, folders=True) == clean_build_tree(site, tmp_path)

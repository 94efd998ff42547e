"""The content scan, exactly: which files are articles, translations and images (in pathlib's order), which are
refused and in what order the problems come, what is skipped without a word; and the build's inputs key, which
follows the files' contents and outside dates, not their stat signatures. The files are written by the tests."""
from __future__ import annotations

import os
from pathlib import Path

from digest.build.incremental import session
from digest.build.report import BuildReport, Clock
from digest.read import scan_content
from digest.read.scan import MAX_FOLDER_DEPTH

TEXT = "عام / خبر للاختبار\nالرياض 10 اغسطس 2015 م واس\nقال المتحدث إن اللجنة اجتمعت اليوم.\n"


def _write(content: Path, *rels: str) -> None:
    for rel in rels:
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXT, encoding="utf-8")


def test_scan_lists_exactly_what_is_read_refused_and_skipped(tmp_path):
    content, outside = tmp_path / "content", tmp_path / "outside"
    _write(content, "a.txt", "a b.txt", "a-b.txt", "a/b.txt", "B.TXT", "sub/foo.md", "sub/foo.en.md", "a.en.md",
           "img/p.png", "photo.JPG", "notes.docx", "page.html", "data.csv",
           ".draft/x.txt", "a/.hidden.txt", "a/c.md~")  # hidden files and folders, editor backups: no word
    _write(outside, "secret.txt")
    os.symlink(content / "a.txt", content / "inside.txt")  # read, under its own name
    os.symlink(outside / "secret.txt", content / "outside.txt")
    os.symlink(content / "missing.txt", content / "broken.md")
    os.symlink(outside, content / "outside-dir")
    os.symlink(content / "sub", content / "inside-dir")  # its files are read once, through their real path
    os.symlink(outside / "secret.txt", content / ".hidden-link.txt")
    os.symlink(content / "gone.txt", content / "old.txt~")  # a backup: not even looked at
    deepest = "/".join(["z"] + ["l"] * (MAX_FOLDER_DEPTH - 1))  # the last folder level read
    _write(content, f"{deepest}/kept.txt", f"{deepest}/deeper/lost.txt")

    articles, translations, problems, images = scan_content(content)

    def rel(path: str) -> str:
        return Path(path).relative_to(content).as_posix()

    # pathlib's order, part by part: "a/b.txt" comes before "a b.txt" (a string sort would put it after "a.txt")
    assert [rel(p) for p in articles] == ["B.TXT", "a/b.txt", "a b.txt", "a-b.txt", "a.txt", "inside.txt",
                                          "sub/foo.md", f"{deepest}/kept.txt"]
    assert all(isinstance(p, str) and p == str(content / rel(p)) for p in articles + images)
    assert {stem: rel(p) for stem, p in translations.items()} == {"a": "a.en.md", "sub/foo": "sub/foo.en.md"}
    assert [rel(p) for p in images] == ["img/p.png", "photo.JPG"]
    # A folder's problems: its symbolic links to folders first, then its files by name; then its subfolders'.
    assert [(p.path, p.message.split(";")[0], p.severity) for p in problems] == [
        ("outside-dir", "is a symbolic link to a folder outside the content folder", "error"),
        ("broken.md", "is a broken symbolic link", "error"),
        ("notes.docx", "is not read: only .txt wire files and .md files are articles", "warning"),
        ("outside.txt", "is a symbolic link to a file outside the content folder", "error"),
        ("page.html", "is not read: only .txt wire files and .md files are articles", "warning"),
        (deepest, f"has folders nested more than {MAX_FOLDER_DEPTH} levels below the content folder", "error"),
    ]


def _inputs(config):
    with session(config, BuildReport(), Clock(lambda line: None), translate=False) as memo:
        return memo.inputs


def test_inputs_key_follows_contents_and_dates_not_stat_signatures(tmp_path, make_config):
    content = tmp_path / "content"
    _write(content, "a.txt", "a.en.md", "img/p.png")
    config = make_config(content)
    first = _inputs(config)
    assert _inputs(config).key == first.key  # the same tree, the same key

    human = content / "a.en.md"
    os.utime(human, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))  # touched, same bytes
    touched = _inputs(config)
    assert touched.files["a.en.md"][:4] != first.files["a.en.md"][:4] and touched.key == first.key

    human.write_text("---\ntitle: Changed\n---\nAnother English text.\n", encoding="utf-8")
    assert _inputs(config).key != first.key
    human.write_text(TEXT, encoding="utf-8")
    assert _inputs(config).key == first.key  # the contents are back: so is the key

    article = content / "a.txt"  # not in a git repository: its outside date is its mtime
    os.utime(article, (1_400_000_000, 1_400_000_000))
    dated = _inputs(config)
    assert dated.whens["a.txt"] == ("mtime", 1_400_000_000) and dated.key != first.key

    (content / "img" / "p.png").rename(content / "img" / "q.png")
    assert _inputs(config).key != dated.key

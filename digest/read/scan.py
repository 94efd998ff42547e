"""Walking the content folder: which files are articles (.txt, .md) and human translations (.en.md), and which are
refused (symbolic links leading outside, broken links, files that look like articles in another format), within a
bounded folder depth."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from digest.model import Problem
from digest.read.images import IMAGE_TYPES

_IMAGE_ENDINGS = tuple(IMAGE_TYPES)


# Other files in content/ (data, images) are ignored quietly; these look like articles saved in the wrong format.
_LOOKS_LIKE_AN_ARTICLE = (".text", ".markdown", ".mdown", ".htm", ".html", ".rtf", ".doc", ".docx", ".odt")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


MAX_FOLDER_DEPTH = 32


def scan_content(content_dir: Path) -> tuple[list[str], dict[str, str], list[Problem], list[str]]:
    """Article files, human translation files (by the stem of the article they translate), a problem for each
    file that is refused (symbolic links leading outside the content folder, broken links, other file types), and
    the image files an article may use (by name: digest/read/images.IMAGE_TYPES).
    Hidden files and folders (and editor backups ending in '~') are skipped without a word.

    Files are given as path strings (`content_dir` joined with the path below it, as str(Path) would give): every
    build walks thousands of them, and a Path per file, with its parts built for each comparison, cost more than
    the walk itself. The readers take a string or a Path."""
    root = content_dir.resolve()
    articles: list[tuple[tuple[str, ...], str]] = []
    translations: dict[str, str] = {}
    problems: list[Problem] = []
    images: list[tuple[tuple[str, ...], str]] = []
    top_depth = str(content_dir).rstrip(os.sep).count(os.sep)
    for folder, dirs, files in os.walk(content_dir, followlinks=False):
        here = Path(folder)
        dirs.sort()
        if dirs and folder.rstrip(os.sep).count(os.sep) - top_depth >= MAX_FOLDER_DEPTH:
            # os.walk recurses once per level: a folder tree thousands deep would end the build in RecursionError
            problems.append(Problem(os.path.relpath(folder, content_dir).replace(os.sep, "/"),
                                    f"has folders nested more than {MAX_FOLDER_DEPTH} levels below the content "
                                    "folder; they were not read (move the articles up)"))
            dirs.clear()
        for name in list(dirs):
            entry = here / name
            if name.startswith("."):
                dirs.remove(name)
            elif entry.is_symlink():
                dirs.remove(name)  # never followed: outside is refused, inside is read through its real path
                try:
                    target = entry.resolve()
                except (OSError, RuntimeError):
                    target = None
                if target is None or not _inside(target, root):
                    problems.append(Problem(entry.relative_to(content_dir).as_posix(),
                                            "is a symbolic link to a folder outside the content folder; refused "
                                            "(copy the files in instead)"))
        prefix = os.path.relpath(folder, content_dir).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        # Symbolic links from one directory listing (its file types) instead of an lstat per file.
        with os.scandir(folder) as listing:
            links = {entry.name for entry in listing if entry.is_symlink()}
        parts = tuple(prefix.split("/")[:-1])  # the sort key of its articles: pathlib orders paths part by part
        for name in sorted(files):
            if name.startswith(".") or name.endswith("~"):
                continue
            path = os.path.join(folder, name)
            rel = prefix + name
            lower = name.lower()
            is_article = lower.endswith((".txt", ".md"))
            if name in links:
                try:
                    target = Path(path).resolve(strict=True)
                except (OSError, RuntimeError):
                    problems.append(Problem(rel, "is a broken symbolic link; refused (remove it or fix its target)"))
                    continue
                if not _inside(target, root):
                    problems.append(Problem(rel, "is a symbolic link to a file outside the content folder; refused "
                                                 "(copy the file in instead)"))
                    continue
            if lower.endswith(".en.md"):
                # keyed by the article's path without extension: sub/foo.en.md translates sub/foo.md only
                translations.setdefault(prefix + name[: -len(".en.md")], path)
            elif is_article:
                articles.append(((*parts, name), path))
            elif lower.endswith(_IMAGE_ENDINGS):
                images.append(((*parts, name), path))
            elif lower.endswith(_LOOKS_LIKE_AN_ARTICLE):
                problems.append(Problem(rel, "is not read: only .txt wire files and .md files are articles; "
                                             "convert or rename it", "warning"))
    # Ordered by their path parts, as pathlib orders paths ("a/b.txt" before "a-b.txt"), not as strings compare.
    articles.sort()
    images.sort()
    return [path for _, path in articles], translations, problems, [path for _, path in images]


def relative_to(base: Path) -> Callable[[Path | str], str]:
    """path -> its "/"-separated path below `base`, for paths found by walking `base`: a string prefix is enough,
    and far cheaper than pathlib per file when there are thousands."""
    cut = len(str(base)) + 1
    return lambda path: str(path)[cut:].replace(os.sep, "/")

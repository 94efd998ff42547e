"""Walking the content folder: which files are articles (.txt, .md) and human translations (.en.md), and which are
refused (symbolic links leading outside, broken links, files that look like articles in another format), within a
bounded folder depth."""
from __future__ import annotations

import operator
import os
from pathlib import Path
from typing import Callable

from digest.model import Problem
from digest.read.images import IMAGE_TYPES

_IMAGE_ENDINGS = tuple(IMAGE_TYPES)


# Other files in content/ (data, images) are ignored quietly; these look like articles saved in the wrong format.
_LOOKS_LIKE_AN_ARTICLE = (".text", ".markdown", ".mdown", ".htm", ".html", ".rtf", ".doc", ".docx", ".odt")


_NAME = operator.attrgetter("name")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _leads_inside(link: str, root: Path) -> bool:
    """A symbolic link to a folder leads inside `root` (False if it cannot be resolved)."""
    try:
        return _inside(Path(link).resolve(), root)
    except (OSError, RuntimeError):
        return False


def _link_refusal(link: str, root: Path) -> str | None:
    """Why a symbolic link to a file is refused (broken, or leading outside `root`); None if it is read."""
    try:
        target = Path(link).resolve(strict=True)
    except (OSError, RuntimeError):
        return "is a broken symbolic link; refused (remove it or fix its target)"
    if not _inside(target, root):
        return "is a symbolic link to a file outside the content folder; refused (copy the file in instead)"
    return None


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
    # (sort key, path): ordered as pathlib orders paths, part by part ("a/b.txt" before "a-b.txt"), which is the
    # order of the path below the content folder with "/" as its lowest character.
    articles: list[tuple[str, str]] = []
    images: list[tuple[str, str]] = []
    translations: dict[str, str] = {}
    problems: list[Problem] = []

    def read_folder(folder: str, prefix: str, depth: int) -> None:
        """The files of `folder` (`prefix`: its path below the content folder, "" or ending in "/"), then its
        subfolders by name (os.walk's order, in which the problems are listed). One directory listing per folder
        gives the names and file types: no stat per file (the build's file_digests makes the one it needs)."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError:
            return  # unreadable or gone: skipped without a word, as os.walk does
        subfolders: list[os.DirEntry] = []
        file_problems: list[Problem] = []  # a folder's problems: its subfolders' first, then its files'
        sort_prefix = prefix.replace("/", "\0")
        for entry in entries:
            try:
                is_folder = entry.is_dir()  # a symbolic link to a folder counts as one, as in os.walk
            except OSError:
                is_folder = False
            if is_folder:
                subfolders.append(entry)
                continue
            name = entry.name
            if name.startswith(".") or name.endswith("~"):
                continue
            if entry.is_symlink():
                refusal = _link_refusal(entry.path, root)
                if refusal:
                    file_problems.append(Problem(prefix + name, refusal))
                    continue
            lower = name.lower()
            if lower.endswith(".en.md"):
                # keyed by the article's path without extension: sub/foo.en.md translates sub/foo.md only
                translations.setdefault(prefix + name[: -len(".en.md")], entry.path)
            elif lower.endswith((".txt", ".md")):
                articles.append((sort_prefix + name, entry.path))
            elif lower.endswith(_IMAGE_ENDINGS):
                images.append((sort_prefix + name, entry.path))
            elif lower.endswith(_LOOKS_LIKE_AN_ARTICLE):
                file_problems.append(Problem(prefix + name, "is not read: only .txt wire files and .md files are "
                                                            "articles; convert or rename it", "warning"))
        if subfolders and depth >= MAX_FOLDER_DEPTH:
            # one level of recursion per folder: a folder tree thousands deep would end the build in RecursionError
            problems.append(Problem(prefix[:-1], f"has folders nested more than {MAX_FOLDER_DEPTH} levels below the "
                                                 "content folder; they were not read (move the articles up)"))
            subfolders = []
        readable = []
        for entry in subfolders:
            if entry.name.startswith("."):
                continue
            if not entry.is_symlink():
                readable.append(entry)
            elif not _leads_inside(entry.path, root):  # never followed: one inside is read through its real path
                problems.append(Problem(prefix + entry.name, "is a symbolic link to a folder outside the content "
                                                             "folder; refused (copy the files in instead)"))
        problems.extend(file_problems)
        for entry in readable:
            read_folder(entry.path, prefix + entry.name + "/", depth + 1)

    read_folder(str(content_dir), "", 0)
    articles.sort()
    images.sort()
    return [path for _, path in articles], translations, problems, [path for _, path in images]


def relative_to(base: Path) -> Callable[[Path | str], str]:
    """path -> its "/"-separated path below `base`, for paths found by walking `base`: a string prefix is enough,
    and far cheaper than pathlib per file when there are thousands."""
    cut = len(str(base)) + 1
    return lambda path: str(path)[cut:].replace(os.sep, "/")

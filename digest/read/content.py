"""The whole content folder read: every publishable article (slugs made distinct), the human translations paired
with their articles by path, and at most one problem line per file. One file's failure never stops the others."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from digest.model import Article, HumanTranslation, Problem
from digest.read.article import load_article, load_human_translation
from digest.read.dates import git_first_commit_times
from digest.read.decode import DEFAULT_MAX_BYTES
from digest.read.problems import ArticleError, Notes
from digest.read.scan import relative_to, scan_content
from digest.read.slugs import distinct_slugs


def file_stem(rel: str) -> str:
    """A relative POSIX path without its extension, folders kept ("sub/foo.md" -> "sub/foo"): a translation
    sub/foo.en.md belongs to sub/foo.md, never to a top-level foo.md. No Path built: load_content does it per
    article."""
    folder, _, name = rel.rpartition("/")
    i = name.rfind(".")
    name = name[:i] if 0 < i < len(name) - 1 else name
    return f"{folder}/{name}" if folder else name


def load_content(content_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, load: Callable[..., Article] | None = None,
                 scanned: tuple | None = None, git_times: dict[str, int] | None = None,
                 load_human: Callable[..., Any] | None = None,
                 ) -> tuple[list[Article], dict[str, HumanTranslation], list[Problem]]:
    """Every publishable article, the human translations by slug, and at most one problem per file.
    `load` stands in for load_article (same arguments): the build passes a cached one, and the scan_content
    result and git times it already has (`scanned`, `git_times`), so the folder is walked and git run once.
    `load_human` stands in for load_human_translation (the build's cached one gives back a cache key)."""
    load = load or load_article
    load_human = load_human or load_human_translation
    paths, translation_paths, problems, _ = scanned if scanned is not None else scan_content(content_dir)
    problems = list(problems)
    if git_times is None:
        git_times = git_first_commit_times(content_dir)
    articles: list[Article] = []
    skipped_stems: set[str] = set()
    rel_of = relative_to(content_dir)
    for path in paths:
        rel = rel_of(path)
        try:
            article = load(path, content_dir, git_times, max_bytes=max_bytes)
        except ArticleError as exc:
            problems.append(Problem(rel, str(exc), "error", exc.line))
            skipped_stems.add(file_stem(rel))
            continue
        except OSError as exc:
            problems.append(Problem(rel, f"cannot read the file: {exc.strerror or exc}", "error"))
            skipped_stems.add(file_stem(rel))
            continue
        except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop the others
            problems.append(Problem(rel, f"could not be read ({type(exc).__name__}: {exc}); this is a bug in the "
                                         "reader, please report it with the file", "error"))
            skipped_stems.add(file_stem(rel))
            continue
        articles.append(article)
    articles, collisions = distinct_slugs(articles)
    by_stem: dict[str, Article] = {}
    for article in articles:
        by_stem.setdefault(file_stem(article.source_path), article)
        warnings = list(article.warnings)
        collision = [p for p in collisions if p.path == article.source_path]
        if collision and warnings:  # still one line per file
            warnings = [Problem(article.source_path, f"{collision[0].message}; {warnings[0].message}", "warning",
                                warnings[0].line)]
        elif collision:
            warnings = collision
        problems.extend(warnings)
    humans: dict[str, HumanTranslation] = {}
    for stem, path in translation_paths.items():
        rel = rel_of(path)  # a string cut: pathlib per file costs 0.1 s at 4,500 translations
        if stem not in by_stem:
            reason = ("the article it translates could not be published (see its error)" if stem in skipped_stems
                      else f"there is no article {stem}.txt or {stem}.md for it to translate")
            problems.append(Problem(rel, f"translation ignored: {reason}", "warning"))
            continue
        notes = Notes()
        try:
            humans[by_stem[stem].slug] = load_human(path, content_dir, notes, max_bytes=max_bytes)
        except ArticleError as exc:
            problems.append(Problem(rel, f"translation ignored: {exc}", "warning", exc.line))
            continue
        except OSError as exc:
            problems.append(Problem(rel, f"translation ignored: cannot read the file: {exc.strerror or exc}",
                                    "warning"))
            continue
        problems.extend(notes.problems(rel))
    return articles, humans, problems

"""The commands' bodies that are more than a call, so that generate.py only parses arguments:
- `generate.py summarize`: an article's summary as the site shows it, one sentence per line, in plain text;
- `generate.py translate`: the content folder's pending segments to the translator (or `--prune` the memory).

For summarize, the input is a content file (.txt wire format or .md) or `-` for standard input: text that starts
with a front matter block (`---`) is read as Markdown, anything else as the wire format. `--no-headline` reads a plain text
whose first line is already body text (the EASC articles, a paragraph pasted from elsewhere); without it, a first
line too long to be a headline is taken as body text all the same, with a note saying so.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, TextIO

from digest.language import split_sentences, summarize
from digest.model import Problem
from digest.read import DEFAULT_MAX_BYTES, MAX_HEADLINE_CHARS, ArticleError, HeadlineTooLong, load_article
from digest.site.safety import markdown_to_text


def _read_stdin(stream: BinaryIO, max_bytes: int) -> bytes:
    raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ArticleError(f"standard input is over the limit of {max_bytes:,} bytes; summarize a shorter text")
    return raw


def _reads_like_body(headline: str) -> bool:
    return headline.rstrip().endswith((".", "!", "؟", "?")) and len(split_sentences(headline)) >= 2


def summary_lines(path: Path, *, no_headline: bool = False, sentences: int | None = None, words: int | None = None,
                  notes: list[str] | None = None, name: str | None = None) -> list[str]:
    """The plain-text sentences of the summary of the article in `path` (ArticleError if it cannot be read)."""
    notes = notes if notes is not None else []
    try:
        article = load_article(path, path.parent, {}, headline_line=not no_headline)
    except HeadlineTooLong as exc:
        if path.suffix.lower() == ".md":
            raise
        notes.append(f"{name or path}:{exc.line or 1}: note: the first line is {exc.length} characters long, too "
                     f"long to be a headline (at most {MAX_HEADLINE_CHARS}); it was read as body text with no "
                     "headline (use --no-headline to say so)")
        article = load_article(path, path.parent, {}, headline_line=False)
    else:
        if not no_headline and not article.is_markdown and _reads_like_body(article.headline):
            notes.append(f"{name or path}:1: note: the first line was taken as the headline but reads like body "
                         "text (several sentences); if the text has no headline line, use --no-headline")
    notes.extend(f"{p}".replace(p.path, name or str(path), 1) for p in article.warnings)
    summary = summarize(article, sentences=sentences, words=words)
    if not summary.picks:  # a front-matter summary, or a flash's headline
        text = summary.text
        return [markdown_to_text(text) if article.is_markdown else text]
    picked = [article.paragraphs[p][s] for p, s in summary.picks]
    return [markdown_to_text(s) if article.is_markdown else s for s in picked]


def summarize_command(source: str, *, no_headline: bool = False, sentences: int | None = None,
                      words: int | None = None, stdin: BinaryIO | None = None, out: TextIO | None = None,
                      err: TextIO | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Print the summary of `source` (a path, or "-" for standard input); 0 on success, 1 when it cannot be read."""
    out = out or sys.stdout
    err = err or sys.stderr
    notes: list[str] = []
    name = "<stdin>" if source == "-" else source
    try:
        if source == "-":
            raw = _read_stdin(stdin or sys.stdin.buffer, max_bytes)
            suffix = ".md" if raw.lstrip(b"\xef\xbb\xbf").startswith(b"---") else ".txt"
            with tempfile.TemporaryDirectory(prefix="digest-summarize-") as folder:
                path = Path(folder) / f"stdin{suffix}"
                path.write_bytes(raw)
                lines = summary_lines(path, no_headline=no_headline, sentences=sentences, words=words,
                                      notes=notes, name=name)
        else:
            lines = summary_lines(Path(source), no_headline=no_headline, sentences=sentences, words=words,
                                  notes=notes)
    except ArticleError as exc:
        hint = " (if the text has no headline line, use --no-headline)" if isinstance(exc, HeadlineTooLong) else ""
        print(Problem(name, f"{exc}{hint}", "error", exc.line), file=err)  # one line: controls escaped
        return 1
    except OSError as exc:
        print(Problem(name, f"cannot read the file: {exc.strerror or exc}"), file=err)
        return 1
    for note in notes:
        print(note, file=err)
    for line in lines:
        print(" ".join(line.split()), file=out)
    return 0


def translate_content(config, *, dry_run: bool = False, prune: bool = False) -> int:
    """`generate.py translate`: read and summarize the content folder, then ask the translator for what the
    memory lacks (or, with `prune`, drop memory entries no article uses). Returns the exit code."""
    from digest.build import summarize_all
    from digest.read import load_content
    from digest.translate import prune_command, translate_command

    articles, humans, problems = load_content(config.content_dir)
    for problem in problems:
        print(f"{problem}", file=sys.stderr)
    summaries = summarize_all(config, articles)
    items = [(a, summaries[a.slug], humans.get(a.slug)) for a in articles]
    if prune:
        return prune_command(items, config.translator)
    return translate_command(items, config.translator, dry_run=dry_run)

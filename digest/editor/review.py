"""`generate.py review FILE`: the article's current machine English written as its human translation
`<stem>.en.md`, for an editor to correct (post-editing). From then on the build reads that file as a human
translation: every field in it wins over machine translation, and the page drops the machine-translation notice.

What is written is what the English page shows now, from the translation memory only (nothing is sent): the
title, the summary, the section, place, byline, agency and source that have English, and the body, one paragraph
per Arabic paragraph. Until it is edited, the English page built from it reads exactly as the machine page did:
a plain-text (wire) paragraph is written as Markdown that shows those very characters (its `*`, `_`, `[`, `<`,
leading `#` or `1.` escaped), and the file is read back with the site's own reader and compared with the machine
page before it is put in place; a difference is reported by field.

Refused: a file that is not an article of the content folder (exit 2), a `.en.md` already there (exit 2, unless
--force), an article that cannot be read or whose title, summary or body has no English yet (exit 1: run
`generate.py translate` first).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from digest.config import Config
from digest.editor.new import front_matter
from digest.model import Article, English, Problem, Summary
from digest.read import ArticleError, load_article, load_human_translation
from digest.translate import META_FIELDS, english_for, segments_for, translate_segments

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_FIELD_NAMES = {"title": "the title", "summary": "the summary", "body": "the body"}


class ReviewError(Exception):
    """`review` cannot write the file; .exit_code is 2 for a wrong command line, 1 for the article's state."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Reviewed:
    path: Path  # the .en.md written
    notes: list[str] = field(default_factory=list)  # things the editor should know (fields left out, differences)


# --- Markdown that shows plain text as it is -------------------------------------------------------------------
_ESCAPE_ANYWHERE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START = re.compile(r"^(?:([#>+|-])|(\d+)([.)])(?=\s|$))")


def markdown_literal(text: str) -> str:
    """Markdown whose rendering shows `text` (a plain-text paragraph) with the same visible characters:
    whitespace runs become one space (as a browser shows them), Markdown's marks are escaped, HTML-like text is
    written as entities."""
    text = " ".join(text.split())
    text = _ESCAPE_ANYWHERE.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text)
    text = _TAG_START.sub("&lt;", text)
    return _LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", text)


# --- the command -------------------------------------------------------------------------------------------------
def translation_path(article_path: Path) -> Path:
    """content/sub/foo.md -> content/sub/foo.en.md (the build pairs them by folder and stem)."""
    return article_path.with_name(article_path.name.rsplit(".", 1)[0] + ".en.md")


def _check_file(config: Config, path: Path) -> Path:
    name = path.name.lower()
    if name.endswith(".en.md"):
        raise ReviewError(f"{path} is already a translation; give the Arabic article it translates "
                          f"({path.name[:-len('.en.md')]}.md or .txt)", EXIT_USAGE)
    if not path.exists():
        raise ReviewError(f"{path}: no such file", EXIT_USAGE)
    if not path.is_file():
        raise ReviewError(f"{path} is not a file; review takes one article file (.txt or .md)", EXIT_USAGE)
    if not name.endswith((".txt", ".md")):
        raise ReviewError(f"{path} is not an article (.txt wire file or .md)", EXIT_USAGE)
    content = config.content_dir.resolve()
    real = path.resolve()
    if content not in real.parents:
        raise ReviewError(f"{path} is not in the content folder {config.content_dir}: its translation would not be "
                          "read by the build (give --content DIR for another folder)", EXIT_USAGE)
    return real


def machine_english(config: Config, article: Article) -> tuple[Summary, English, dict]:
    """The article's summary and its English as a build shows it with no human file, from the memory only."""
    from digest.build import summarize_all

    summary = summarize_all(config, [article])[article.slug]
    machine, _ = translate_segments(segments_for(article, summary, None), config.translator, dry_run=True)
    return summary, english_for(article, summary, None, machine, **budget(config)), machine


def budget(config: Config) -> dict:
    """The site's summary budget, as the build applies it (a sentence budget replaces the word budget)."""
    return {"sentences": config.summary_sentences,
            "words": None if config.summary_sentences else config.summary_words}


def translation_text(article: Article, english: English) -> str:
    """The .en.md of `english`: front matter (title, summary, metadata with English) and the body."""
    fields: dict[str, object] = {"title": english.title}
    if not article.flash:
        fields["summary"] = english.summary
    fields.update((name, getattr(english, name)) for name in META_FIELDS if getattr(english, name))
    head = front_matter(fields)
    head = head.replace("---\n", "---\n# Human translation, first written by `generate.py review` from the machine "
                                 "English: correct it freely.\n# Every field here (and the body below) is shown on "
                                 "the English page instead of machine translation.\n", 1)
    blocks = list(english.paragraphs or ())
    if not article.is_markdown:
        blocks = [markdown_literal(block) for block in blocks]
    return head + "\n" + "\n\n".join(blocks) + ("\n" if blocks else "")


def _visible(config: Config, article: Article, summary: Summary, english: English) -> dict[str, str]:
    """What a reader sees of the English page's words, field by field (the body per paragraph)."""
    from digest.site.render import article_views, paragraphs_html
    from digest.site.safety import markup_to_text

    view = article_views(config, article, summary, english)["en"]
    seen = {"title": view.headline, "summary": view.summary}
    seen.update((name, getattr(view, name) or "") for name in META_FIELDS)
    as_markdown = article.is_markdown or english.status.get("body") == "human"
    for n, block in enumerate(english.paragraphs or ()):
        seen[f"body paragraph {n + 1}"] = markup_to_text(str(paragraphs_html([block], as_markdown)))
    return {k: " ".join(v.split()) for k, v in seen.items()}


def _differences(config: Config, article: Article, summary: Summary, english: English, machine: dict,
                 written: Path) -> list[str]:
    """The fields whose English page text would differ from the machine page's, read back with the build's
    reader from the file written."""
    human = load_human_translation(written, config.content_dir.resolve(), max_bytes=config.max_file_bytes)
    edited = english_for(article, summary, human, machine, **budget(config))
    before, after = _visible(config, article, summary, english), _visible(config, article, summary, edited)
    return [name for name in before if before[name] != after.get(name)] + \
        [name for name in after if name not in before]


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def review_article(config: Config, path: Path, *, force: bool = False) -> Reviewed:
    """Write the machine English of the article at `path` as its human translation; ReviewError if it cannot."""
    real = _check_file(config, path)
    target = translation_path(real)
    if target.exists() and not force:
        raise ReviewError(f"{target} already exists: it is the article's human translation; edit it, or give "
                          "--force to replace it with the machine English", EXIT_USAGE)
    content = config.content_dir.resolve()
    rel = real.relative_to(content).as_posix()
    try:
        article = load_article(real, content, {}, max_bytes=config.max_file_bytes)
    except ArticleError as exc:
        raise ReviewError(str(Problem(rel, str(exc), "error", exc.line))) from None
    summary, english, machine = machine_english(config, article)
    missing = [_FIELD_NAMES[name] for name in ("title", "summary", "body") if english.status.get(name) == "pending"]
    if missing:
        raise ReviewError(f"{rel}: {_listed(missing)} {'has' if len(missing) == 1 else 'have'} no English in the "
                          f"translation memory yet (translator {config.translator.backend!r}); run generate.py "
                          "translate (or a build that can reach the translator) first, then review again")
    notes = [f"the {name} ({getattr(article, name)}) has no English yet and was left out; add '{name}:' to the "
             "file by hand if you want it" for name in META_FIELDS if english.status.get(name) == "pending"]
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # hidden: a build running meanwhile skips it
    try:
        staged.write_text(translation_text(article, english), encoding="utf-8", newline="\n")
        differ = _differences(config, article, summary, english, machine, staged)
        if force:
            os.replace(staged, target)
        else:
            os.link(staged, target)  # fails if someone wrote the file meanwhile: never clobbered
    except FileExistsError:
        raise ReviewError(f"{target} appeared while it was being written; it was left as it is", EXIT_USAGE) from None
    except (OSError, ArticleError) as exc:
        raise ReviewError(f"{target}: cannot be written: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        staged.unlink(missing_ok=True)
    if differ:
        notes.append(f"{', '.join(differ)} will not read exactly as on the machine page (the file's Markdown shows "
                     "it differently); check them in the file")
    return Reviewed(target, notes)

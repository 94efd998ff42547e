"""One content file to its record: load_article reads an article (.txt wire format or .md) into an Article with
its date and slug; load_human_translation reads a human translation (.en.md) into a HumanTranslation. Both read
within a size bound, decode, drop invisible controls, then hand the text to the format's reader."""
from __future__ import annotations

import hashlib
from pathlib import Path

from digest.model import Article, HumanTranslation
from digest.read.dates import date_only_moment, fallback_time, front_matter_date
from digest.read.decode import DEFAULT_MAX_BYTES, decode_text, read_limited
from digest.read.fields import clean_chars
from digest.read.images import MAX_IMAGES_PER_ARTICLE, is_external, resolve_image
from digest.read.markdown import key_line, read_markdown, read_translation
from digest.read.problems import ArticleError, Notes
from digest.read.slugs import slugify
from digest.read.wire import read_wire


def load_article(path: Path | str, content_dir: Path, git_times: dict[str, int], *,
                 max_bytes: int = DEFAULT_MAX_BYTES, headline_line: bool = True) -> Article:
    """Read one content file; raises ArticleError naming the problem. Warnings ride on Article.warnings.
    headline_line=False: a plain-text file whose first line is body text, not a headline (an empty headline)."""
    path = Path(path)
    rel = path.relative_to(content_dir).as_posix()
    raw = read_limited(path, max_bytes)
    notes = Notes()
    text = decode_text(raw, notes)
    if not text.strip():
        raise ArticleError("the file is empty (or only whitespace): it needs a headline and a body")
    text = clean_chars(text, notes)
    fields = read_markdown(text, notes) if path.suffix.lower() == ".md" else read_wire(text, notes,
                                                                                   headline_line=headline_line)
    meta = fields.pop("front_matter", {})
    if "date" in meta:
        try:
            (published, timed), date_source = front_matter_date(meta["date"]), "front-matter"
        except ArticleError as exc:
            exc.line = exc.line or key_line(text, "date")
            raise
    elif fields.get("dateline_date"):
        published, date_source = date_only_moment(fields["dateline_date"]), "dateline"
        timed = fields.get("time_of_day") is not None
        if timed:
            published = published.replace(hour=fields["time_of_day"][0], minute=fields["time_of_day"][1])
    else:
        (published, date_source), timed = fallback_time(path, git_times.get(rel)), False
    slug = slugify(path.stem)
    if meta.get("slug") is not None:
        wanted = meta["slug"]
        if isinstance(wanted, (str, int)) and not isinstance(wanted, bool) and slugify(str(wanted)) != "article":
            slug = slugify(str(wanted))
            if slug != str(wanted).strip():
                notes.add(f"slug {str(wanted)[:80]!r} is not a plain URL name (letters, digits, '-', '_'); "
                          f"published as {slug!r}", key_line(text, "slug"))
        else:
            notes.add(f"slug {str(wanted)[:80]!r} cannot be used as a URL name; published as {slug!r} "
                      "(from the file name)", key_line(text, "slug"))
    cover, images = _images(rel, fields, notes)
    return Article(
        slug=slug,
        source_path=rel,
        headline=fields["headline"],
        paragraphs=fields["paragraphs"],
        published=published,
        date_source=date_source,
        section=fields.get("section"),
        place=fields.get("place"),
        agency=fields.get("agency"),
        source=fields.get("source"),
        byline=fields.get("byline"),
        is_markdown=fields.get("is_markdown", False),
        summary_override=fields.get("summary"),
        flash=fields.get("flash", False),
        timed=timed,
        draft=fields.get("draft", False),
        cover=cover,
        images=images,
        content_hash=hashlib.sha256(raw).hexdigest(),
        warnings=notes.problems(rel),
    )


def _images(rel: str, fields: dict, notes: Notes) -> tuple[str | None, tuple[str, ...]]:
    """The front matter's `image:` and the body's local images, as paths below the content folder (the cover
    first); a reference that cannot be a published image is one warning naming it."""
    cover = None
    found: list[str] = []
    wanted = []
    if fields.get("image"):
        wanted.append((fields["image"][0], fields["image"][1], True))
    wanted += [(src, None, False) for src in fields.get("image_srcs", ())]
    for src, line, is_cover in wanted:
        if is_external(src):
            if is_cover:
                notes.add(f"image {src[:200]!r} is an address elsewhere: 'image:' names a file of the content "
                          "folder (beside the article); ignored", line)
            continue
        path, why = resolve_image(src, rel)
        if path is None:
            notes.add(f"image {src[:200]!r} {why}; not shown", line)
            continue
        if is_cover:
            cover = path
        if path not in found:
            found.append(path)
    if len(found) > MAX_IMAGES_PER_ARTICLE:
        notes.add(f"the article uses {len(found)} images; only the first {MAX_IMAGES_PER_ARTICLE} are published")
        found = found[:MAX_IMAGES_PER_ARTICLE]
    return cover, tuple(found)


def load_human_translation(path: Path | str, content_dir: Path, notes: Notes | None = None, *,
                           max_bytes: int = DEFAULT_MAX_BYTES) -> HumanTranslation:
    path = Path(path)
    notes = notes if notes is not None else Notes()
    text = decode_text(read_limited(path, max_bytes), notes)
    text = clean_chars(text, notes)
    return HumanTranslation(source_path=path.relative_to(content_dir).as_posix(), **read_translation(text, notes))

"""URL names of articles: a slug from a file name (or the front matter's `slug:`) that is safe in a URL and as a
folder name on every filesystem, and distinct slugs when two files would share one."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from digest.model import Article, Problem


MAX_SLUG_CHARS = 80
MAX_SLUG_BYTES = 120  # UTF-8 bytes: a folder name must fit 255 bytes on every filesystem, '-2' and the like included
# Names Windows cannot create (with any extension): a Pages site is also checked out on Windows machines.
_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.I)
# Folders of each edition that are pages of the site itself (ar/search/: the search page; ar/archive/, and the
# ar/section/... and ar/day/... page kinds: digest/site/sections.py, days.py).
_SITE_FOLDERS = {"search", "archive", "section", "day"}


def slugify(stem: str) -> str:
    """A URL-safe, filesystem-safe slug: letters (Arabic included), digits, '-' and '_' only; at most
    MAX_SLUG_CHARS characters and MAX_SLUG_BYTES bytes (cut at a character boundary); never a name Windows
    reserves (con, nul, com1, ...) nor the name of a page of the site (search): '-article' is added."""
    slug = re.sub(r"[^\w\-]+", "-", unicodedata.normalize("NFC", stem).strip(), flags=re.UNICODE).strip("-_").lower()
    slug = slug[:MAX_SLUG_CHARS].encode("utf-8")[:MAX_SLUG_BYTES].decode("utf-8", "ignore").rstrip("-_")
    if _WINDOWS_RESERVED.match(slug) or slug in _SITE_FOLDERS:
        slug += "-article"
    return slug or "article"


def distinct_slugs(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Two files with the same slug both get published: the first (in file name order) keeps it, the next one
    gets '-2', '-3', ... and a warning naming the file it collides with."""
    taken: dict[str, str] = {}
    result: list[Article] = []
    problems: list[Problem] = []
    for article in articles:
        slug = article.slug
        if slug in taken:
            number = 2
            while f"{slug}-{number}" in taken:
                number += 1
            new = f"{slug}-{number}"
            other = taken[slug]
            why = ""
            if unicodedata.normalize("NFC", other) == unicodedata.normalize("NFC", article.source_path):
                why = (" (the two file names differ only in how their letters are encoded, NFC vs NFD: they look "
                       "the same but are two files)")
            elif other.casefold() == article.source_path.casefold():
                why = " (the two file names differ only in upper/lower case)"
            problems.append(Problem(article.source_path, f"its URL name {slug!r} is already used by {other!r}"
                                    f"{why}; published as {new!r} instead (rename the file or set 'slug:' so the "
                                    "URL stays stable)", "warning"))
            article = replace(article, slug=new)
        taken[article.slug] = article.source_path
        result.append(article)
    return result, problems

"""`generate.py new "عنوان الخبر"`: start a Markdown article in the content folder and print its path.

The file name (and so the URL slug) is the title transliterated to plain Latin letters (slug_for_title); a title
with nothing to transliterate gets a name from the date and time instead. An existing name is never overwritten:
`-2`, `-3`, ... is added (compared with every article's slug in the content folder, subfolders included, since two
files with one slug would push one of them to another URL). The file is created with O_EXCL, so two editors
running `new` at the same moment get two files.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

from digest.read import MAX_HEADLINE_CHARS, MECCA, scan_content, slugify

MAX_SLUG_CHARS = 60  # a URL a reader can share; long titles are cut at a word boundary
MAX_SECTION_CHARS = 60
# Names other page kinds use (or may use) at the top of a language's folder: an article there would be confusing.
RESERVED = {"page", "section", "sections", "day", "days", "archive", "archives", "search", "static", "tag", "tags",
            "feed", "index", "article"}

# Arabic (and Persian) letters to ASCII: a readable consonant skeleton, not a pronunciation guide. Short vowels
# are not written in Arabic news, so 'الخبر' gives 'alkhbr'; vowel marks, when present, give a, i, u.
_LETTERS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i",
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh", "ف": "f", "ق": "q",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w", "ي": "y", "ى": "a", "ة": "a",
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ی": "y", "ۀ": "a", "ە": "a",
    "\u064e": "a", "\u0650": "i", "\u064f": "u",  # fatha, kasra, damma
}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # other marks, tatweel


class NewArticleError(Exception):
    """The command line cannot give an article (empty title, bad section or slug): exit 2."""


def transliterate(text: str) -> str:
    """`text` in lower-case ASCII letters and digits, other characters as spaces: Arabic letters by the table
    above, Latin letters without their accents; letters of other scripts are dropped."""
    out = []
    for char in unicodedata.normalize("NFC", text.translate(_DIGITS)):
        if char in _LETTERS:
            out.append(_LETTERS[char])
        elif _ARABIC_MARKS.match(char):
            continue
        else:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii").lower()
            out.append(plain if plain.isalnum() else " ")
    return "".join(out)


def slug_for_title(title: str, now: dt.datetime) -> str:
    """The slug rule: the title's words transliterated, joined by '-', cut at a word boundary within
    MAX_SLUG_CHARS characters. When that gives no Latin letter (a title of digits or of another script), or a
    name other pages use, it is the date and time instead: YYYY-MM-DD-HHMM."""
    words = transliterate(title).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG_CHARS:
            slug = slug or word[:MAX_SLUG_CHARS]
            break
        slug = candidate
    if not re.search("[a-z]", slug) or slug in RESERVED:
        slug = now.strftime("%Y-%m-%d-%H%M")
    return slug


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise NewArticleError("the title is empty; give the headline in quotes: generate.py new \"عنوان الخبر\"")
    if len(title) > MAX_HEADLINE_CHARS:
        raise NewArticleError(f"the title is {len(title)} characters long (at most {MAX_HEADLINE_CHARS}); a headline "
                              "is one short line")
    if re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", title):
        raise NewArticleError("the title holds control characters; type it as plain text")
    return title


def check_section(section: str | None) -> str | None:
    if section is None:
        return None
    section = " ".join(section.split())
    if not section or len(section) > MAX_SECTION_CHARS or "/" in section:
        raise NewArticleError(f"--section {section!r} is not a section name (one to {MAX_SECTION_CHARS} characters, "
                              "no '/'), e.g. --section سياسة")
    return check_title(section)


def check_slug(slug: str) -> str:
    if slugify(slug) != slug or slug in RESERVED:
        raise NewArticleError(f"--slug {slug!r} is not a plain URL name: use lower-case letters, digits and '-' "
                              f"(for example {slugify(slug)!r}); not one of {', '.join(sorted(RESERVED))}")
    return slug


def _taken(content_dir: Path) -> set[str]:
    """The slugs the content folder's files give their articles (by file name), and every file stem, lower-cased
    (a case-insensitive file system would make `Foo.md` and `foo.md` one file)."""
    articles, translations, *_ = scan_content(content_dir)
    names = [os.path.basename(p).rsplit(".", 1)[0] for p in articles]
    taken = {slugify(name) for name in names}
    taken |= {name.lower() for name in names}
    taken |= {stem.rsplit("/", 1)[-1].lower() for stem in translations}
    return taken


def front_matter(fields: dict[str, object]) -> str:
    """A front matter block; values quoted by YAML's own rules (a title may hold ':' or '#')."""
    import yaml

    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dt.datetime):
            text = value.isoformat()  # unquoted: YAML reads it as a timestamp with its offset
        else:
            text = yaml.safe_dump(str(value), allow_unicode=True, width=1_000_000).rstrip("\n")
            text = text[:-4].rstrip("\n") if text.endswith("\n...") else text  # a plain scalar ends its document
        lines.append(f"{key}: {text}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def new_article(content_dir: Path, title: str, *, section: str | None = None, slug: str | None = None,
                draft: bool = True, now: dt.datetime | None = None) -> Path:
    """Write content_dir/<slug>.md with the front matter of a new article and return its path. Raises
    NewArticleError for a bad title, section or slug, OSError when the file cannot be written."""
    title, section = check_title(title), check_section(section)
    now = (now or dt.datetime.now(MECCA)).astimezone(MECCA).replace(second=0, microsecond=0)
    base = check_slug(slug) if slug is not None else slug_for_title(title, now)
    fields: dict[str, object] = {"title": title, "date": now}
    if section:
        fields["section"] = section
    if draft:
        fields["draft"] = True
    text = front_matter(fields) + "\n"
    taken = _taken(content_dir)
    number = 1
    while True:
        name = base if number == 1 else f"{base}-{number}"
        path = content_dir / f"{name}.md"
        if name not in taken:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                    out.write(text)
                return path
        number += 1

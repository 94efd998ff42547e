"""Readers: content/*.txt (newsroom wire format), content/*.md (front matter + Markdown) and the
human translations content/<stem>.en.md, into Article / HumanTranslation records."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from .arabic import split_sentences, to_arabic_letters
from .model import Article, HumanTranslation, Problem

MECCA = dt.timezone(dt.timedelta(hours=3), "AST")

# Gregorian month names as written in Arabic news, Egyptian/Gulf and Levantine forms, after _fold().
_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7,
    "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8,
    "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# "بيروت 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس" (matched after _fold(): alef forms unified, digits Latin).
_GREGORIAN = re.compile(rf"(?<!\d)0*(\d{{1,2}})\s*({_MONTH_RE})\s*(\d{{4}})(?!\d)")
_HIJRI = re.compile(r"\d{1,2}\s*\S+\s*1[34]\d\d\s*ه")
_DATELINE_MAX_WORDS = 16
# End markers: /انتهى/, // انتهى //, // يتبع //, optionally followed by an editor's code.
_MARKER = re.compile(r"^[\s/]*(?:انتهى|إنتهى|انتهي|يتبع)[\s/]*(?P<rest>[\w.:\s]{0,20})$")
_TRAILING_MARKER = re.compile(r"\s*/{1,2}\s*(?:انتهى|إنتهى|يتبع)\s*/{1,2}\s*$")
_TIME_LINE = re.compile(r"^(\d{1,2}):(\d{2})\s*(?:ت\s*\.?\s*م|ت\.م|بتوقيت.*|GMT|جمت)?\.?$")
_CATEGORY = re.compile(r"^(?P<section>[^\s/]+(?:\s[^\s/]+)?)\s+/\s+(?P<headline>\S.*)$")
_BYLINE = re.compile(r"^[^.!?؟:،]{2,60}\s[–—-]\s?[^.!?؟:،]{2,60}$|^[^.!?؟:،]{2,60}[–—-]\s[^.!?؟:،]{2,60}$")
_MD_STRUCTURE = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|>|\||```|~~~|    )")

FRONT_MATTER_KEYS = {"title", "date", "section", "source", "slug", "summary", "place", "agency", "byline"}


class ArticleError(Exception):
    """A content file that cannot be published; str() names the problem, .line where it helps."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Dateline:
    place: str | None
    date: dt.date | None
    agency: str | None


def _fold(text: str) -> str:
    """Fold alef forms and digits so dates match however the wire spelled them."""
    return re.sub("[أإآ]", "ا", text.translate(_DIGITS)).replace("ـ", "")


def parse_dateline(line: str) -> Dateline | None:
    """A wire dateline gives place, Gregorian date and agency code; None if the line is not a dateline."""
    if len(line.split()) > _DATELINE_MAX_WORDS:
        return None
    folded = _fold(line)
    greg = _GREGORIAN.search(folded)
    if not greg and not _HIJRI.search(folded):
        return None
    date = None
    if greg:
        try:
            date = dt.date(int(greg.group(3)), _MONTHS[greg.group(2)], int(greg.group(1)))
        except ValueError:
            date = None
    first_digit = re.search(r"\d", folded)
    place = line[: first_digit.start()].strip(" -–،,") if first_digit else None
    tail = folded[greg.end():] if greg else ""
    agency_match = re.search(r"([^\s\d.]{2,})\s*\.?\s*$", re.sub(r"^\s*م\b", "", tail.strip()))
    agency = agency_match.group(1) if agency_match and agency_match.group(1) not in ("م", "هـ") else None
    return Dateline(place=place or None, date=date, agency=agency)


def slugify(stem: str) -> str:
    """A URL-safe, filesystem-safe slug: letters (Arabic included), digits, '-' and '_' only."""
    slug = re.sub(r"[^\w\-]+", "-", stem.strip(), flags=re.UNICODE).strip("-_").lower()
    return slug[:80] or "article"


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not valid UTF-8 (undecodable byte at offset {exc.start}); save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _paragraph(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(text)) or (text,)


def read_wire(text: str) -> dict:
    """Parse the wire format into article fields (no date fallback here: see load_article)."""
    lines = [(n, to_arabic_letters(line.strip())) for n, line in enumerate(text.split("\n"), 1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines:
        raise ArticleError("the file is empty: it needs a headline line and at least one paragraph")
    first_line, headline = lines[0]
    section = None
    match = _CATEGORY.match(headline)
    if match:
        section, headline = match.group("section"), match.group("headline").strip()
    body = lines[1:]
    fields: dict = {"section": section, "headline": headline}
    if body:
        dateline = parse_dateline(body[0][1])
        if dateline:
            fields.update(place=dateline.place, agency=dateline.agency, dateline_date=dateline.date)
            body = body[1:]
        elif _BYLINE.match(body[0][1]) and len(body[0][1].split()) <= 8:
            fields["byline"] = body[0][1]
            body = body[1:]
    # Everything from the end marker on is metadata: the marker itself and the time line after it.
    paragraphs: list[str] = []
    time_of_day = None
    for index, (n, line) in enumerate(body):
        marker = _MARKER.match(line)
        if marker:
            for rest in [marker.group("rest")] + [rest for _, rest in body[index + 1:]]:
                time_match = _TIME_LINE.match(_fold(rest))
                if time_match:
                    time_of_day = (int(time_match.group(1)), int(time_match.group(2)))
            break
        time_match = _TIME_LINE.match(_fold(line))
        if time_match and index == len(body) - 1:
            time_of_day = (int(time_match.group(1)), int(time_match.group(2)))
            break
        line = _TRAILING_MARKER.sub("", line)
        if line:
            paragraphs.append(line)
    if not paragraphs:
        raise ArticleError("the article has a headline but no body text", line=first_line)
    fields["paragraphs"] = tuple(_paragraph(p) for p in paragraphs)
    fields["time_of_day"] = time_of_day
    return fields


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """Return (front matter mapping, body, line number where the body starts)."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---", 4)
    if end < 0:
        raise ArticleError("front matter starts with '---' but has no closing '---' line", line=1)
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArticleError(f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}",
                           line=(mark.line + 2) if mark else 1) from None
    if not isinstance(meta, dict):
        raise ArticleError("front matter must be a mapping of keys to values (title: ..., date: ...)", line=2)
    body_start = text.find("\n", end + 1)
    body = text[body_start + 1:] if body_start >= 0 else ""
    return meta, body, text[: end].count("\n") + 3


def markdown_blocks(body: str) -> list[str]:
    """Blank-line separated blocks; prose blocks are unwrapped into one line."""
    blocks = []
    for block in re.split(r"\n\s*\n", body.strip()):
        block = block.strip("\n")
        if not block.strip():
            continue
        if not _MD_STRUCTURE.match(block):
            block = " ".join(line.strip() for line in block.split("\n"))
        blocks.append(block)
    return blocks


def read_markdown(text: str) -> dict:
    meta, body, _ = split_front_matter(text)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ArticleError("front matter needs a 'title' (the headline)", line=1)
    blocks = [to_arabic_letters(b) for b in markdown_blocks(body)]
    if not blocks:
        raise ArticleError("the article has a title but no body text")
    paragraphs = tuple((b,) if _MD_STRUCTURE.match(b) else _paragraph(b) for b in blocks)
    fields = {
        "headline": to_arabic_letters(title.strip()),
        "paragraphs": paragraphs,
        "is_markdown": True,
        "front_matter": meta,
    }
    for key in ("section", "source", "place", "agency", "byline", "summary"):
        value = meta.get(key)
        if value is not None:
            fields[key] = to_arabic_letters(str(value).strip())
    return fields


def _front_matter_date(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=MECCA)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=MECCA)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ArticleError(f"'date: {value}' is not a date; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=MECCA)
    raise ArticleError(f"'date: {value!r}' is not a date; write it as YYYY-MM-DD")


def git_first_commit_times(folder: Path) -> dict[Path, int]:
    """When each file under `folder` was first committed (one git call for the whole folder)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "log", "--diff-filter=A", "--format=%x00%ct", "--name-only",
             "--no-renames", "--", "."],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    times: dict[Path, int] = {}
    for chunk in out.split("\x00")[1:]:
        lines = chunk.strip("\n").split("\n")
        stamp = int(lines[0])
        for name in lines[1:]:
            if name:
                # git log is newest first: the last value seen is the first commit.
                times[(Path(top) / name).resolve()] = stamp
    return times


def load_article(path: Path, content_dir: Path, git_times: dict[Path, int]) -> Article:
    """Read one content file; raises ArticleError naming the problem."""
    raw = path.read_bytes()
    text = _decode(raw)
    fields = read_markdown(text) if path.suffix == ".md" else read_wire(text)
    meta = fields.pop("front_matter", {})
    if "date" in meta:
        published, date_source = _front_matter_date(meta["date"]), "front-matter"
    elif fields.get("dateline_date"):
        hour, minute = fields.get("time_of_day") or (0, 0)
        d = fields["dateline_date"]
        try:
            published = dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=MECCA)
        except ValueError:
            published = dt.datetime(d.year, d.month, d.day, tzinfo=MECCA)
        date_source = "dateline"
    elif path.resolve() in git_times:
        published = dt.datetime.fromtimestamp(git_times[path.resolve()], dt.timezone.utc)
        date_source = "git"
    else:
        published = dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc)
        date_source = "mtime"
    slug_source = meta.get("slug") if isinstance(meta.get("slug"), (str, int)) else path.stem
    return Article(
        slug=slugify(str(slug_source)),
        source_path=path.relative_to(content_dir).as_posix(),
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
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def load_human_translation(path: Path, content_dir: Path) -> HumanTranslation:
    text = _decode(path.read_bytes())
    meta, body, _ = split_front_matter(text)
    blocks = markdown_blocks(body)
    title, summary = meta.get("title"), meta.get("summary")
    return HumanTranslation(
        title=str(title).strip() if title else None,
        summary=str(summary).strip() if summary else None,
        paragraphs=tuple(blocks) if blocks else None,
        source_path=path.relative_to(content_dir).as_posix(),
    )


def content_files(content_dir: Path) -> tuple[list[Path], dict[str, Path]]:
    """Article files and human translation files (by the stem of the article they translate), sorted."""
    articles: list[Path] = []
    translations: dict[str, Path] = {}
    for path in sorted(content_dir.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(content_dir).parts):
            continue
        if path.name.endswith(".en.md"):
            translations[path.name[: -len(".en.md")]] = path
        elif path.suffix in (".txt", ".md"):
            articles.append(path)
    return articles, translations


def load_content(content_dir: Path) -> tuple[list[Article], dict[str, HumanTranslation], list[Problem]]:
    """Every publishable article, the human translations by slug, and a problem per bad file."""
    paths, translation_paths = content_files(content_dir)
    git_times = git_first_commit_times(content_dir)
    articles: list[Article] = []
    problems: list[Problem] = []
    by_stem: dict[str, Article] = {}
    for path in paths:
        rel = path.relative_to(content_dir).as_posix()
        try:
            article = load_article(path, content_dir, git_times)
        except ArticleError as exc:
            problems.append(Problem(rel, str(exc), "error", exc.line))
            continue
        except OSError as exc:
            problems.append(Problem(rel, f"cannot read the file: {exc.strerror}", "error"))
            continue
        articles.append(article)
        by_stem[path.stem] = article
    humans: dict[str, HumanTranslation] = {}
    for stem, path in translation_paths.items():
        rel = path.relative_to(content_dir).as_posix()
        if stem not in by_stem:
            problems.append(Problem(rel, f"translates '{stem}', but there is no article {stem}.txt or {stem}.md",
                                    "warning"))
            continue
        try:
            humans[by_stem[stem].slug] = load_human_translation(path, content_dir)
        except ArticleError as exc:
            problems.append(Problem(rel, str(exc), "warning", exc.line))
    return articles, humans, problems

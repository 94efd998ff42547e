"""The Markdown reader: content/*.md (a YAML front matter block, then a Markdown body) into article fields, and
content/<stem>.en.md (a human translation) into translation fields. The YAML is read with its unbounded parts
refused (aliases, deep nesting, huge integers); the body's HTML and links are defused."""
from __future__ import annotations

import datetime as dt
import re

from digest.language import to_arabic_letters
from digest.model import is_structure_block
from digest.read.fields import check_headline, paragraph_sentences, plain_field
from digest.read.problems import ArticleError, Notes
from digest.site.safety import MarkdownBudget, defuse_markdown, strip_unsafe_chars


FRONT_MATTER_KEYS = {"title", "date", "section", "source", "slug", "summary", "place", "agency", "byline", "draft",
                     "image"}
TRANSLATION_KEYS = {"title", "summary", "section", "place", "byline", "agency", "source"}
_TEXT_KEYS = ("section", "source", "place", "agency", "byline", "summary")


def key_line(text: str, key: str) -> int | None:
    """The line of `key:` in the front matter, for messages."""
    found = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


MAX_FRONT_MATTER_CHARS = 20_000
MAX_YAML_DEPTH = 20  # front matter is flat 'key: value' lines; deeper nesting is an attack or a mistake
MAX_YAML_INT_DIGITS = 30  # a longer run of digits stays text (Python refuses int() of over 4,300 digits anyway)
_YAML_LOADER: list = []


def _load_yaml(source: str) -> object:
    """yaml.safe_load without its unbounded parts: aliases (*name) are refused, since a few hundred bytes of them
    expand to gigabytes (the 'billion laughs'), nesting is capped at MAX_YAML_DEPTH, and huge integers stay text."""
    depth = deepest = 0
    for char in re.findall(r"[\[\]{}]", source):  # PyYAML's scanner is quadratic in flow nesting: look first
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_YAML_DEPTH:
        raise ArticleError(f"front matter is nested more than {MAX_YAML_DEPTH} levels deep; use plain 'key: value' "
                           "lines", line=2)
    if not _YAML_LOADER:
        _YAML_LOADER.extend(_loaders())
    python_loader, c_loader = _YAML_LOADER
    if c_loader is not None and "*" not in source:
        # No alias can be in a text without '*': libyaml's parser (~15x faster: 0.26 ms a file, 1.2 s of a cold
        # build of 4,500 English files) with the same constructors, nesting checked on what it built. Anything
        # it refuses is read again by the pure-Python loader, whose messages say more (and name the line).
        try:
            data = _load_with(c_loader, source)
        except Exception:  # noqa: BLE001 - the slow loader decides, and raises what the reader reports
            pass
        else:
            if _depth(data) <= MAX_YAML_DEPTH:
                return data
    return _load_with(python_loader, source)


def _load_with(loader_class: type, source: str) -> object:
    loader = loader_class(source)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _depth(data: object) -> int:
    """Levels of mappings and lists in `data`, as the pure-Python loader counts its nodes (a scalar is 1)."""
    if isinstance(data, dict):
        return 1 + max((max(_depth(k), _depth(v)) for k, v in data.items()), default=0)
    if isinstance(data, list):
        return 1 + max((_depth(item) for item in data), default=0)
    return 1


def _loaders() -> tuple[type, "type | None"]:
    """(the pure-Python loader with the alias and depth guards, libyaml's loader with the same int rule or None
    where PyYAML was built without libyaml)."""
    import yaml

    def construct_int(self, node):  # type: ignore[no-untyped-def]
        digits = node.value.lstrip("+-0_")
        if len(digits) > MAX_YAML_INT_DIGITS:
            return node.value
        return yaml.constructor.SafeConstructor.construct_yaml_int(self, node)

    class BoundedLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise ArticleError("front matter uses a YAML alias (*name): aliases are not accepted (they can "
                                   "expand a few bytes into gigabytes); write the value out", line=mark.line + 2)
            self.depth += 1
            try:
                if self.depth > MAX_YAML_DEPTH:
                    mark = self.peek_event().start_mark
                    raise ArticleError(f"front matter is nested more than {MAX_YAML_DEPTH} levels deep; use "
                                       "plain 'key: value' lines", line=mark.line + 2)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    BoundedLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    if not getattr(yaml, "__with_libyaml__", False):
        return BoundedLoader, None

    class FastLoader(yaml.CSafeLoader):
        pass

    FastLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    return BoundedLoader, FastLoader


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """Return (front matter mapping, body, line number where the body starts)."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---", 4)
    if end < 0:
        raise ArticleError("front matter starts with '---' but has no closing '---' line", line=1)
    if end > MAX_FRONT_MATTER_CHARS:
        raise ArticleError(f"the front matter is {end:,} characters long (at most {MAX_FRONT_MATTER_CHARS:,}): it "
                           "holds a few 'key: value' lines, the text goes below the closing '---'", line=1)
    import yaml  # only Markdown files with front matter need it

    try:
        meta = _load_yaml(text[4:end]) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArticleError(f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}; fix the "
                           "syntax (quote values that contain ':' or '#')",
                           line=(mark.line + 2) if mark else 1) from None
    except ValueError as exc:  # PyYAML builds dates itself: 2015-02-30 fails here
        raise ArticleError(f"front matter holds an impossible date ({exc}); write a real date as YYYY-MM-DD",
                           line=key_line(text[:end], "date") or 2) from None
    except RecursionError:
        raise ArticleError("front matter is nested too deeply to be read; use plain 'key: value' lines",
                           line=2) from None
    if not isinstance(meta, dict):
        raise ArticleError("front matter must be a mapping of keys to values (title: ..., date: ...)", line=2)
    body_start = text.find("\n", end + 1)
    body = text[body_start + 1:] if body_start >= 0 else ""
    return meta, body, text[: end].count("\n") + 3


def markdown_blocks(body: str, notes: Notes | None = None) -> list[str]:
    """Blank-line separated blocks; prose blocks are unwrapped into one line. A block nested too deeply, or with
    too much syntax for the Markdown library to read in bounded time (safety.MarkdownBudget), becomes its words
    on one line, with a warning."""
    blocks = []
    budget = MarkdownBudget()
    for block in re.split(r"\n[ \t]*\n", body.strip()):
        block = block.strip("\n")
        if not block.strip():
            continue
        block, flattened = budget.tame(block)
        if flattened and notes is not None:
            notes.add(f"a Markdown block is {flattened}; it was published as plain text (its words kept, its "
                      "lists, quotes and links not)")
        if not is_structure_block(block):
            block = " ".join(line.strip() for line in block.split("\n"))
        blocks.append(block)
    return blocks


def _meta_text(meta: dict, key: str, text: str, notes: Notes) -> str | None:
    """A front matter value that must be text (numbers are accepted as text), made plain and safe."""
    value = meta.get(key)
    if value is None:
        return None
    line = key_line(text, key)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        raise ArticleError(f"front matter '{key}' must be text, not a {type(value).__name__}", line=line)
    return plain_field(strip_unsafe_chars(str(value)).strip(), f"'{key}' field", notes, line)


def _unknown_keys(meta: dict, known: set[str], text: str, notes: Notes) -> None:
    unknown = sorted(str(k) for k in meta if k not in known)
    if unknown:
        notes.add(f"unknown front matter key(s) {', '.join(repr(k) for k in unknown)} ignored (known keys: "
                  f"{', '.join(sorted(known))}); check the spelling", key_line(text, unknown[0]))


def read_markdown(text: str, notes: Notes | None = None) -> dict:
    notes = notes if notes is not None else Notes()
    meta, body, body_line = split_front_matter(text)
    _unknown_keys(meta, FRONT_MATTER_KEYS, text, notes)
    title = _meta_text(meta, "title", text, notes)
    if not title:
        raise ArticleError("front matter needs a 'title' (the headline): start the file with '---', "
                           "'title: ...', '---'", line=1)
    check_headline(title, key_line(text, "title"))
    blocks = []
    for block in markdown_blocks(body, notes):
        safe = defuse_markdown(block)
        if safe != block:
            notes.add("unsafe HTML or links removed from the Markdown body (script, frames, forms, event handlers, "
                      "javascript:/data: URLs)", body_line + body.count("\n", 0, max(body.find(block[:40]), 0)))
        safe = to_arabic_letters(safe)
        if safe.strip():
            blocks.append(safe)
    if not blocks:
        raise ArticleError("the article has a title but no body text", line=body_line)
    paragraphs = tuple((b,) if is_structure_block(b) else paragraph_sentences(b) for b in blocks)
    fields = {
        "headline": to_arabic_letters(title),
        "paragraphs": paragraphs,
        "is_markdown": True,
        "front_matter": meta,
    }
    for key in _TEXT_KEYS:
        value = _meta_text(meta, key, text, notes)
        if value:
            fields[key] = to_arabic_letters(value)
    if "draft" in meta:
        fields["draft"] = _draft_flag(meta["draft"], key_line(text, "draft"), notes)
    image = _meta_text(meta, "image", text, notes)
    if image:
        fields["image"] = (image, key_line(text, "image"))
    fields["image_srcs"] = _image_sources(blocks)
    return fields


def _image_sources(blocks: list[str]) -> list[str]:
    """The src of each image of the body, as the page will have them (the body rendered and sanitised: Markdown
    images, reference-style ones and raw <img> alike). Only bodies that mention an image are rendered here."""
    if not any("![" in b or "<img" in b.lower() for b in blocks):
        return []
    from digest.read.images import body_image_sources
    from digest.site.safety import markdown_to_html

    return body_image_sources(markdown_to_html("\n\n".join(blocks)))


_YES, _NO = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


def _draft_flag(value: object, line: int | None, notes: Notes) -> bool:
    """`draft: true` / `draft: false` (also yes/no, on/off, 1/0, quoted or not). Anything else holds the article
    back as a draft, with a warning: publishing what an editor may have meant to keep back cannot be undone."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if word in _YES or word in _NO:
        return word in _YES
    notes.add(f"'draft: {str(value)[:40]}' is neither true nor false; the article is held back as a draft "
              "(write 'draft: true' or 'draft: false')", line)
    return True


def read_translation(text: str, notes: Notes) -> dict:
    """A human translation (.en.md) into HumanTranslation fields: any of them may be missing (None)."""
    meta, body, _ = split_front_matter(text)
    _unknown_keys(meta, TRANSLATION_KEYS, text, notes)
    blocks = []
    for block in markdown_blocks(body, notes):
        safe = defuse_markdown(block)
        if safe != block:
            notes.add("unsafe HTML or links removed from the Markdown body")
        if safe.strip():
            blocks.append(safe)
    fields: dict = {key: _meta_text(meta, key, text, notes) or None for key in sorted(TRANSLATION_KEYS)}
    fields["paragraphs"] = tuple(blocks) if blocks else None
    return fields

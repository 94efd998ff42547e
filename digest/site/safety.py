"""Text hygiene shared by the readers, the renderer and the feeds.

The security boundary is escaping (Jinja autoescape, XML escaping) plus nh3 for the HTML that content is allowed
to carry. The functions here make plain text *clean*: no characters that can flip the page layout (bidi
embedding/override/isolate controls), none that HTML or XML parsers reject (C0/C1 controls, surrogates,
noncharacters), and no leftover markup in fields that are meant to be plain text (headlines, summaries, wire text).
"""
from __future__ import annotations

import html
import re
import secrets
import threading
from typing import TYPE_CHECKING

import nh3

if TYPE_CHECKING:  # annotations only: Markdown is imported on first use
    import markdown as markdown_lib

# Bidi embeddings/overrides (U+202A-U+202E) and isolates (U+2066-U+2069). Unpaired, they re-order everything that
# follows them on the page (a headline could flip the whole teaser list). We strip them everywhere: pages set
# `dir` per element, so content never needs them. LRM/RLM (U+200E/U+200F) only affect their neighbours; kept.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Characters that are parse errors in HTML or forbidden in XML 1.0: C0 controls but tab/newline/return, DEL, C1
# controls, lone surrogates, and the Unicode noncharacters. None of them is ever visible text.
_UNSAFE_IN_BMP = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff" + BIDI_CONTROLS
_ASTRAL_NONCHARACTERS = "".join(chr(plane << 16 | low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF))
_UNSAFE_CHARS = re.compile(f"[{_UNSAFE_IN_BMP}{_ASTRAL_NONCHARACTERS}]")

# Something that an HTML parser would treat as markup: a tag, a closing tag, a comment or a doctype.
_TAG_LIKE = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>|<!--|<![A-Za-z]|<\?")


# The same set split in two for speed: a class with astral members makes `re` test every character slowly (~1 ms
# per page), so the BMP part is one fast class and the astral noncharacters are looked for only in text that has
# astral characters at all (its UTF-16 form is longer than two bytes per character).
_UNSAFE_BMP = re.compile(f"[{_UNSAFE_IN_BMP}]")
_UNSAFE_ASTRAL = re.compile(f"[{_ASTRAL_NONCHARACTERS}]")


def strip_unsafe_chars(text: str) -> str:
    """Remove bidi controls and characters that HTML/XML parsers reject. Idempotent."""
    text = _UNSAFE_BMP.sub("", text)
    if len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        text = _UNSAFE_ASTRAL.sub("", text)
    return text


def count_unsafe_chars(text: str) -> tuple[int, int]:
    """(number of unsafe characters, offset of the first one or -1)."""
    # Text without astral characters can hold only the BMP ones: the fast class (see above) says it all.
    pattern = _UNSAFE_BMP if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text) else _UNSAFE_CHARS
    found = pattern.search(text)
    if not found:
        return 0, -1
    return len(pattern.findall(text)), found.start()


def has_markup(text: str) -> bool:
    return "<" in text and bool(_TAG_LIKE.search(text))  # every form starts with "<"


# nh3 (html5ever) appends each character reference of a text to it one by one: its time grows with the square of
# the references in one text (400,000 '&' took 11 s). Past this many, a fragment is read by a plain linear tag
# stripper instead: its words, never markup, since the result is escaped text either way.
MAX_CHAR_REFERENCES = 20_000
_ANY_TAG = re.compile(r"<[^<>]*>")


def _too_many_references(text: str) -> bool:
    return text.count("&") > MAX_CHAR_REFERENCES


def markup_to_text(text: str) -> str:
    """The words of a plain-text field that arrived with HTML in it: tags go, script/style content goes,
    the text between tags stays. Used only when `has_markup` says so (entities are decoded then)."""
    if _too_many_references(text):
        return strip_unsafe_chars(html.unescape(_ANY_TAG.sub("", text)))
    return strip_unsafe_chars(html.unescape(nh3.clean(text, tags=set())))


def plain(text: str) -> str:
    """A plain-text field made safe to show and to put in a feed (markup removed, unsafe characters removed)."""
    return markup_to_text(text) if has_markup(text) else strip_unsafe_chars(text)


# Scheme text that a browser would run or load if it ever became a URL, and inline event handler syntax. In plain
# text these are harmless (they are escaped), but hostile content uses them to probe, and a copy-paste of the text
# should never yield a live URL or handler. Their ':' / '=' becomes the fullwidth form (：, ＝): still readable,
# never a scheme or attribute, and not an invisible character that a later normalisation step would strip.
_SCHEME_TEXT = re.compile(r"(?i)\b(javascript|vbscript|data)\s*:(?=\S)")
_HANDLER_TEXT = re.compile(r"(?i)\b(on[a-z]{2,})\s*=")


def defang(text: str) -> str:
    if ":" not in text and "=" not in text:
        return text  # both patterns need one (most text has neither: no regex scan)
    return _HANDLER_TEXT.sub("\\1\uff1d", _SCHEME_TEXT.sub("\\1\uff1a", text))


# --- HTML that content may carry ---------------------------------------------------------------------------
# Tags and attributes kept from content Markdown/HTML; everything else (script, style, iframe, form, on*=, ...) goes.
ALLOWED_TAGS = {"a", "abbr", "b", "bdi", "blockquote", "br", "caption", "code", "del", "em", "figcaption",
                "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
                "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
                "thead", "time", "tr", "u", "ul"}
_GENERIC_ATTRS = {"dir", "lang", "title"}
_TAG_ATTRS = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "time": {"datetime"},
              "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
              **{h: {"id"} for h in ("h2", "h3", "h4", "h5", "h6")}}
ALLOWED_ATTRS = {tag: _TAG_ATTRS.get(tag, set()) | _GENERIC_ATTRS for tag in ALLOWED_TAGS}
URL_SCHEMES = {"http", "https", "mailto"}
# Elements removed together with everything inside them (their text is code or form furniture, not prose).
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "applet", "form", "textarea", "select",
                     "noscript", "template", "svg", "math", "frame", "frameset", "noembed", "noframes", "xmp",
                     "title", "head"}
# Ids the page templates use themselves; content must not duplicate them (skip link, day headings).
# <bdo> is not kept (its words are): it reverses the visual order of text, a spoofing tool in news copy.
_RESERVED_ID = re.compile(r"^(?:main|day-.*|summary-title|nf-.*)$")
_ID = re.compile(r"^[^\s\"'<>&]{1,100}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "dir":
        return value.lower() if value.lower() in ("ltr", "rtl", "auto") else None
    if attr == "lang":
        return value if _LANG.match(value) else None
    if attr == "id":
        return value if _ID.match(value) and not _RESERVED_ID.match(value) else None
    if attr in ("width", "height", "colspan", "rowspan"):
        return value if value.isdigit() and len(value) <= 4 else None
    if attr in ("href", "src") and not _url_stays_safe(value):
        return None
    return value


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_IGNORED = re.compile(r"[\x00-\x20]")  # what a browser strips from a URL or skips inside its scheme


def _url_stays_safe(value: str) -> bool:
    """nh3 checks the scheme of the URL as written; a reader that decodes entities once more (some feed readers
    do) would see '&#x09;' or '&#106;' in 'jav&#x09;ascript:' as characters: the scheme must be safe in every
    decoding."""
    for _ in range(3):
        scheme = _SCHEME.match(_URL_IGNORED.sub("", value))
        if scheme and scheme.group(1).lower() not in URL_SCHEMES:
            return False
        decoded = html.unescape(value)
        if decoded == value:
            return True
        value = decoded
    return True


def clean_html(fragment: str) -> str:
    """Sanitise an HTML fragment from content: structure, links and direction kept; script, styles, frames,
    forms, event handlers and javascript:/data: URLs removed; bidi controls and XML-invalid characters removed.
    A fragment with more character references than nh3 reads in bounded time becomes its escaped words."""
    if _too_many_references(fragment):
        return html.escape(markup_to_text(fragment), quote=False)
    return nh3.clean(strip_unsafe_chars(fragment), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                     clean_content_tags=DROP_WITH_CONTENT, generic_attribute_prefixes=set(),
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer", strip_comments=True,
                     attribute_filter=_attribute_filter)


_LOCAL = threading.local()


def _markdown() -> "markdown_lib.Markdown":
    # A Markdown instance keeps state between convert() calls: one per thread, so parallel rendering is safe.
    # Imported here: most builds (no change, plain wire articles) never need the Markdown library.
    md = getattr(_LOCAL, "markdown", None)
    if md is None:
        import markdown as markdown_lib

        md = _LOCAL.markdown = markdown_lib.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return md


# --- bounds on what reaches the Markdown library ---------------------------------------------------------------
# Python-Markdown recurses once per level of nested lists/quotes (RecursionError past ~300 levels) and its inline
# patterns rescan the rest of a paragraph from every unmatched opener ('[', '![', '<', '`', '*'): quadratic time.
# A block nested deeper than MAX_MARKDOWN_NESTING, or whose syntax characters x length would cost more than what
# is left of MAX_MARKDOWN_WORK for the article, is flattened: its words kept as plain text, its syntax escaped.
MAX_MARKDOWN_NESTING = 12
MAX_MARKDOWN_WORK = 4_000_000  # ~1 s of Python-Markdown's worst case per article body; real articles use < 5%
_MD_SYNTAX = re.compile(r"[\\`*_{}\[\]()#+\-.!<>&|~]")
_MD_CONTAINER = re.compile(r"[ \t]*(?:[-*+>]|\d{1,9}[.)])(?=[ \t]|$)")
_MD_LEADING_CONTAINERS = re.compile(r"^(?:[ \t]*(?:[-*+>]|\d{1,9}[.)])(?=[ \t]|$))+")


def _nesting(block: str) -> int:
    """How deep the lists and quotes of a block go: container marks opening a line plus indentation levels."""
    deepest = 0
    for line in block.split("\n"):
        marks = 0
        pos = 0
        while marks <= MAX_MARKDOWN_NESTING:
            found = _MD_CONTAINER.match(line, pos)
            if not found:
                break
            marks += 1
            pos = found.end()
        indent = len(line) - len(line.lstrip(" \t"))
        deepest = max(deepest, marks + line[:indent].expandtabs(4).count(" ") // 2)
    return deepest


def flatten_markdown(block: str) -> str:
    """A block's words on one line: the list and quote marks opening its lines removed, the rest kept as written."""
    return " ".join(" ".join(_MD_LEADING_CONTAINERS.sub("", line) for line in block.split("\n")).split())


class MarkdownBudget:
    """What one article body may cost the Markdown library; tame() spends it block by block."""

    def __init__(self, work: int = MAX_MARKDOWN_WORK) -> None:
        self.left = work

    def tame(self, block: str) -> tuple[str, str | None]:
        """(the block, or its flattened text; why it was flattened or None)."""
        if _nesting(block) > MAX_MARKDOWN_NESTING:
            return flatten_markdown(block), f"nested more than {MAX_MARKDOWN_NESTING} levels deep"
        cost = len(_MD_SYNTAX.findall(block)) * len(block)
        if cost > self.left:
            return flatten_markdown(block), "too much Markdown syntax in one paragraph to interpret safely"
        self.left -= cost
        return block, None

    def affordable(self, block: str) -> bool:
        """The block can go through the Markdown library (and its cost is spent); else show it as plain text."""
        return self.tame(block)[1] is None


def markdown_to_html(text: str) -> str:
    """Sanitised HTML of Markdown content: structure, links and dir/lang/heading ids; nothing that could run.
    Blocks past the nesting or work bounds (see MarkdownBudget) never reach Python-Markdown: a one-time marker
    paragraph stands in for each, replaced afterwards by a paragraph of its escaped words."""
    text = strip_unsafe_chars(text)
    paragraphs = text.strip("\n")
    if paragraphs and not _MARKDOWN_SYNTAX.search(text):
        # Plain paragraphs (most articles and English files): what Python-Markdown makes of them, at a sixth of
        # the cost (1,751 of 1,800 English news files; tests/test_markdown_plain.py compares the two).
        return clean_html("\n".join(f"<p>{block}</p>" for block in re.split(r"\n\n+", paragraphs)))
    md = _markdown()
    md.reset()
    budget = MarkdownBudget()
    marker = f"flattened{secrets.token_hex(8)}n"  # unguessable: content cannot forge it
    blocks, flat = [], []
    for block in re.split(r"\n[ \t]*\n", text):
        if budget.affordable(block):
            blocks.append(block)
        else:
            blocks.append(f"{marker}{len(flat)}")
            flat.append(f"<p>{html.escape(flatten_markdown(block), quote=False)}</p>")
    out = clean_html(md.convert("\n\n".join(blocks)))
    if flat:  # escaped text made here: it needs no sanitising (nh3 is quadratic in a text's character references)
        out = re.sub(rf"<p>{marker}(\d+)</p>|{marker}(\d+)",
                     lambda m: flat[int(m.group(1) or m.group(2))], out)
    return out


# What may make Python-Markdown (with the tables and sane_lists extensions) write more than one <p> per block of
# lines: inline marks, escapes, HTML and entities, tabs and no-break spaces, table pipes, a line starting with a
# space (code, lazy list items), a block mark (heading, quote, list, rule, setext underline, fence, definition) or a
# number with '.' or ')', trailing spaces (line breaks) and carriage returns. Text with none of these is plain.
_MARKDOWN_SYNTAX = re.compile(r"[`*_\[\]<>&\\|\t\r\u00a0]| $|^[ #>+=*~:-]|^\d+[.)]", re.MULTILINE)

_EMPHASIS_LEFT = re.compile(r"\*\*+|__+")  # marks of an emphasis cut in two by a sentence boundary


def markdown_to_text(text: str) -> str:
    """The words of Markdown content on one line, without its syntax (emphasis marks, link targets, heading and
    list marks): for summaries, which appear in teasers, feeds and meta descriptions as plain text."""
    # Entities decode to text here (&lt;b&gt; becomes "<b>"): it is text, escaped wherever it is output (feeds
    # escape descriptions for HTML too), so an article about HTML keeps its words.
    words = strip_tags(markdown_to_html(text))
    return " ".join(_EMPHASIS_LEFT.sub("", words).split())


# A tag of HTML that nh3 wrote: attribute values are always double-quoted and text never holds a raw '<', so this
# finds every tag in one linear pass.
_SANITISED_TAG = re.compile(r'<[^<>"]*(?:"[^"]*"[^<>"]*)*>')


def strip_tags(sanitised: str) -> str:
    """The text of HTML that clean_html made (tags dropped, entities decoded), in linear time: markup_to_text
    would re-parse it with nh3, whose cost grows with the square of a text's character references."""
    return strip_unsafe_chars(html.unescape(_SANITISED_TAG.sub("", sanitised)))


# Markdown or HTML constructs in a Markdown source block that would be removed at render time anyway. The reader
# removes them up front too, so that text derived from the source (summary, translation) never carries them.
_DANGEROUS = re.compile(r"(?i)<\s*/?\s*(?:" + "|".join(sorted(DROP_WITH_CONTENT | {"link", "meta", "base", "input",
                                                                                      "button"})) + r")\b"
                        r"|<[^<>]*\son[a-z]+\s*=|\b(?:javascript|vbscript|data)\s*:|\bon[a-z]{2,}\s*=")
_BAD_MD_LINK = re.compile(r"(?i)(!?)\[([^\[\]\n]*)\]\(\s*<?\s*(?:javascript|vbscript|data)\s*:(?:[^()\n]|\([^()\n]*\))*\)")
_BAD_MD_REF = re.compile(r"(?im)^ {0,3}\[[^\]\n]+\]:\s*<?\s*(?:javascript|vbscript|data)\s*:.*$")


def defuse_markdown(block: str) -> str:
    """A Markdown block without script-capable HTML or javascript:/data: links (their link text is kept)."""
    if not _DANGEROUS.search(block):
        return block
    block = _BAD_MD_LINK.sub(lambda m: m.group(2), block)
    block = _BAD_MD_REF.sub("", block)
    if has_markup(block):
        block = html.unescape(clean_html(block))
    return defang(block)


def is_dangerous(text: str) -> bool:
    return bool(_DANGEROUS.search(text))

"""The cleaning every text field of an article gets, whatever its format: invisible control characters dropped,
markup in plain-text fields reduced to its words, script-like text neutralised, the headline's length bounded, and
a paragraph cut into its sentences."""
from __future__ import annotations

from digest.language import split_sentences
from digest.read.problems import ArticleError, Notes
from digest.site.safety import count_unsafe_chars, defang, has_markup, markup_to_text, strip_unsafe_chars


def clean_chars(text: str, notes: Notes) -> str:
    """Drop bidi controls and HTML/XML-invalid characters, saying how many and where the first one was."""
    count, first = count_unsafe_chars(text)
    if count:
        notes.add(f"removed {count} invisible control character(s) (bidi overrides/isolates or characters not "
                  "allowed in HTML/XML) that could disturb the page layout or break feeds",
                  line=text.count("\n", 0, first) + 1)
        text = strip_unsafe_chars(text)
    return text


def plain_field(text: str, what: str, notes: Notes, line: int | None) -> str:
    """A field that is plain text by definition (headline, wire paragraph, summary): markup goes, words stay."""
    if has_markup(text):
        cleaned = markup_to_text(text)
        notes.add(f"HTML markup removed from the {what} (plain text only); the words between tags were kept", line)
        text = cleaned
    defanged = defang(text)
    if defanged != text:
        notes.add(f"script-like text (javascript:/data: or on...=) in the {what} was neutralised", line)
    return defanged


MAX_HEADLINE_CHARS = 300  # the longest headline in the wire corpus has 210; longer is a body on line 1


class HeadlineTooLong(ArticleError):
    """The first line is a paragraph, not a headline (plain text with no headline line); .length in characters."""

    def __init__(self, message: str, line: int | None = None, length: int = 0):
        super().__init__(message, line)
        self.length = length


def check_headline(headline: str, line: int | None) -> None:
    if len(headline) > MAX_HEADLINE_CHARS:
        raise HeadlineTooLong(f"the headline is {len(headline)} characters long (at most {MAX_HEADLINE_CHARS}): "
                              "the first line must be a short headline, with the text on the lines after it",
                              line=line, length=len(headline))


def paragraph_sentences(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(text)) or (text,)

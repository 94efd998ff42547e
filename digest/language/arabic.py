"""Arabic text helpers: display normalisation, sentence splitting, matching normalisation,
tokens, stop words and a light stemmer. Pure Python and regex only, so importing is instant."""
from __future__ import annotations

import re
from functools import lru_cache

# --- display normalisation -------------------------------------------------------------

# Persian/Urdu look-alikes that show up in Arabic wire copy typed on Persian keyboards.
_DISPLAY_MAP = str.maketrans({
    "\u06cc": "\u064a",  # Persian yeh ی -> Arabic yeh ي
    "\u06a9": "\u0643",  # keheh ک -> kaf ك
    "\u06aa": "\u0643",  # swash kaf ڪ -> kaf ك
    "\u06d5": "\u0647",  # ae ە -> heh ه
    "\u200b": None,  # zero-width space: invisible and never meaningful in Arabic text
    "\ufeff": None,  # BOM / zero-width no-break space
    "\u2060": None,  # word joiner
})


def to_arabic_letters(text: str) -> str:
    """Display normalisation: Persian look-alike letters become Arabic ones; all else verbatim
    (tatweel, diacritics, punctuation and digits are kept for display)."""
    return text.translate(_DISPLAY_MAP) if _DISPLAY_CHARS.search(text) else text


_DISPLAY_CHARS = re.compile("[\u06cc\u06a9\u06aa\u06d5\u200b\ufeff\u2060]")  # the keys of _DISPLAY_MAP


# Letters of the Arabic script (Arabic, Persian and Urdu blocks and presentation forms; not its punctuation or
# digits): a text with none of them needs no translation from Arabic, and none may be left on an English page.
ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff"
                           "\ufe70-\ufefc]")


def has_arabic_letter(text: str) -> bool:
    return ARABIC_LETTER.search(text) is not None


# --- sentence splitting ----------------------------------------------------------------

# A terminator run: ! ? ؟ … or one or more full stops (".." and "..." act as sentence
# breaks in Arabic news prose), optionally followed by closing quotes/brackets, and then
# whitespace, the end of the paragraph or an Arabic letter (sloppy copy often has no space:
# "للأرض.اكتشف"). A full stop between digits (2.5) or inside a Latin name (spa.gov.sa) is
# followed by neither, so numbers and web addresses survive without a special case.
_BOUNDARY = re.compile(r"(?:[.!?؟…]+)[\"'»”’)\]]*(?=\s|$|[\u0621-\u064a\u0671-\u06d3])")
_OPENERS = {"«": "»", "“": "”", "(": ")", "[": "]"}
# Latin abbreviations that end with a full stop but rarely end a sentence (titles and months too: the same
# splitter cuts the English of a human translation into sentences, to align them with the Arabic ones).
_LATIN_ABBR = {"mr", "mrs", "ms", "dr", "prof", "st", "no", "vs", "inc", "ltd", "co", "jr", "sr", "gen", "corp",
               "sen", "sens", "rep", "reps", "gov", "govs", "pres", "lt", "col", "capt", "cpt", "sgt", "maj", "adm",
               "cmdr", "rev", "hon", "messrs", "mt", "ft", "dept", "univ", "fig", "approx", "jan", "feb", "mar", "apr",
               "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_NUMBERISH = re.compile(r"^[\d٠-٩۰-۹][\d٠-٩۰-۹.,٫٬%٪]*$")


_MARKS = re.compile('["«“(\\[»”)\\]]')
_CLOSING = re.compile('["»”)\\]]')


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans (open index, close index) of balanced quotes and brackets. A terminator inside one
    is not a sentence break, so quoted speech stays whole. Unbalanced marks are ignored so one
    stray quote cannot swallow the rest of the paragraph."""
    if not _CLOSING.search(text):
        return []  # nothing closes: no span (a line of 900,000 '(' is not walked mark by mark)
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    open_count: dict[str, int] = {}  # closer -> openers of its kind on the stack
    straight: int | None = None
    for mark in _MARKS.finditer(text):  # only the marks: a Python step per character cost ~0.4 s per 2 MB
        i, ch = mark.start(), mark.group()
        if ch == '"':
            if straight is None:
                straight = i
            else:
                spans.append((straight, i))
                straight = None
        elif ch in _OPENERS:
            stack.append((_OPENERS[ch], i))
            open_count[_OPENERS[ch]] = open_count.get(_OPENERS[ch], 0) + 1
        elif stack and ch == stack[-1][0]:
            spans.append((stack.pop()[1], i))
            open_count[ch] -= 1
        elif ch in "»”)]" and open_count.get(ch):  # counted: a stray closer never rescans the stack
            # a closer with no matching opener on top: drop any opener of its kind still open
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == ch:
                    spans.append((stack[k][1], i))
                    for closer, _ in stack[k:]:
                        open_count[closer] -= 1
                    del stack[k:]
                    break
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at index `dot` ends an abbreviation such as د. (Dr) or U.S.,
    not a sentence. A single letter right after a number (1770 م.) is a unit/era marker that
    usually does end the sentence, so it is not treated as an abbreviation."""
    # The word before the dot, from a window of the text (string methods, not a Python step per character: a
    # paragraph of 600,000 "ا." calls this for every dot). A word longer than the window is no abbreviation.
    window = text[max(0, dot - _MAX_ABBREVIATION - 1):dot]
    if not window or window[-1].isspace():
        return False
    raw = window.rsplit(None, 1)[-1]
    if len(raw) > _MAX_ABBREVIATION:
        return False
    start = dot - len(raw)
    word = raw.strip("(\"«“'")
    if not word:
        return False
    if "." in word and _INITIALS.fullmatch(word):
        return True  # U.S., a.m. ("at 5 a.m. Eastern time"): ends a sentence only at the end of the paragraph
    if len(word) == 1 and word.isalpha():
        # the word before it: a split, not a regex search (r"(\S+)\s*$" retries from every position of the
        # window: 600,000 "ا." took 10 s)
        prev = text[max(0, start - 2 * _MAX_ABBREVIATION):start].rsplit(None, 1)[-1:]
        return not (prev and _NUMBERISH.match(prev[0]))
    return word.lower() in _LATIN_ABBR


_MAX_ABBREVIATION = 40
_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_NEXT_CHAR = re.compile(r"\s*(\S)")


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph (one line) into its sentences: verbatim, stripped, in order.
    Breaks after . ! ? ؟ … (and .. / ...) when followed by whitespace, never on ، ؛ or :,
    never inside numbers, after abbreviations, or inside quoted speech and brackets."""
    text = paragraph.strip()
    if not text:
        return []
    spans = sorted(_protected_spans(text))
    cuts: list[int] = []
    # One pass, linear in the paragraph: the widest protected span opened before each boundary, and whether a
    # letter or digit was seen since the last cut, are carried along instead of rescanned per boundary.
    next_span, reach = 0, -1
    scanned, seen_alnum = 0, False
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        while next_span < len(spans) and spans[next_span][0] < m.start():
            reach = max(reach, spans[next_span][1])
            next_span += 1
        if end <= reach:
            continue  # the terminator sits inside a quote or bracket that continues
        run = m.group(0).rstrip("\"'»”’)]")
        if run != m.group(0):
            # «... انتهى.» followed by more words: the quote usually sits inside a longer
            # sentence (قال «...» مضيفا ...), and a fragment starting mid-clause is worse than
            # a long sentence
            continue
        if run == "." and _is_abbreviation(text, m.start()):
            continue
        if not seen_alnum and scanned < m.start():
            seen_alnum = any(ch.isalnum() for ch in text[scanned:m.start()])
        scanned = max(scanned, m.start())
        if not seen_alnum:
            continue  # a leading "..." is not a sentence of its own
        following = _NEXT_CHAR.match(text, end)
        if not following:
            continue
        nxt = following.group(1)
        if nxt in "،؛,;:" or nxt.islower():
            continue  # the clause goes on (Latin lower case or a comma after the mark)
        cuts.append(end)
        scanned, seen_alnum = end, False
    parts: list[str] = []
    prev = 0
    for cut in cuts + [len(text)]:
        piece = text[prev:cut].strip()
        prev = cut
        if not piece:
            continue
        if parts and not any(ch.isalnum() for ch in piece):
            parts[-1] = parts[-1] + " " + piece  # a lone mark is not a sentence
        else:
            parts.append(piece)
    return parts


# --- matching normalisation --------------------------------------------------------------

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # + tatweel
_MATCH_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ئ": "ي",
    "ؤ": "و",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه",
    "ک": "ك", "ڪ": "ك", "گ": "ك",
    "٫": ".", "٬": ",", "،": ",", "؛": ";", "؟": "?", "٪": "%",
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
    "\u200b": None, "\u200c": None, "\u200d": None, "\u200e": None, "\u200f": None, "\ufeff": None,
})


def normalize(text: str) -> str:
    """Matching normalisation (never for display): drop diacritics and tatweel, unify alef and
    hamza carriers, ya/alef maqsura, ta marbuta and Persian letters, Western digits, lower case."""
    if len(text) <= _CACHED_CHARS:
        return _normalize_sentence(text)
    return _DIACRITICS.sub("", text).translate(_MATCH_MAP).lower()


# The summarizer normalises each sentence twice (its terms, then the boilerplate rules): sentence-sized texts are
# cached, so the second time is a lookup. Bounded in count and size (at most 2,048 x 1,000 characters).
_CACHED_CHARS = 1000


@lru_cache(maxsize=2048)
def _normalize_sentence(text: str) -> str:
    return _DIACRITICS.sub("", text).translate(_MATCH_MAP).lower()


_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+")


def tokenize(text: str) -> list[str]:
    """Normalised word tokens; digits and letters are separate tokens (1827م -> 1827, م), so
    the same date written with or without a space matches."""
    return _TOKEN.findall(normalize(text))


# --- stop words and light stemming -------------------------------------------------------

# Function words of news Arabic, in normalised spelling.
STOP_WORDS = frozenset(normalize(w) for w in """
في من على الى إلى عن مع عند لدى منذ حتى بين خلال ضد نحو حول دون غير سوى عبر تحت فوق أمام وراء
بعد قبل ثم او أو أم بل لكن لكنه لكنها ولكن إن ان أن إنه انه أنه إنها أنها انها قد لقد كان كانت يكون
تكون كانوا ليس ليست لم لن لا ما ماذا لماذا متى أين كيف كم هل هو هي هم هن هما أنا نحن أنت انت
هذا هذه ذلك تلك هؤلاء أولئك هناك هنا التي الذي الذين اللذين اللتين اللاتي اللواتي كل بعض أي أيضا
ايضا كما وقد وكان وكانت وهو وهي وهذا وهذه وفي ومن وعلى وإلى والى وعن ومع وأن وان وإن ولا ولم
فيه فيها منه منها عليه عليها إليه اليه إليها اليها به بها له لها لهم لهذا لذلك بذلك وذلك عليهم
منهم بهم فيهم إذا اذا إذ لو لولا كي حيث بينما عندما كلما مما ممن فيما بما لما إلا الا أكثر اكثر
أقل اقل جدا فقط يتم تم قال وقال قالت وقالت أضاف وأضاف اضاف واضاف أكد وأكد أشار وأشار أوضح وأوضح
ذات ذو نفس عدة عدد أحد احد إحدى احدى يوم اليوم الى أمس امس فإن فان بأن بان كذلك هكذا ثمة
""".split())

_PREFIXES = ("وال", "فال", "بال", "كال", "ولل", "لل", "ال")
_SUFFIXES = ("هما", "كما", "تين", "تان", "ات", "ون", "ين", "ان", "ها", "هم", "هن", "كم", "نا", "يه", "ه", "ي")


def stem(token: str) -> str:
    """Light stemmer for normalised tokens: strip one article/preposition prefix and one
    common suffix, keeping at least three letters. Roots (ISRI) would merge too much."""
    if len(token) <= 3 or not token.isalpha():
        return token
    for p in _PREFIXES:
        if token.startswith(p) and len(token) - len(p) >= 3:
            token = token[len(p):]
            break
    else:
        if token[0] in "وف" and len(token) >= 5:
            token = token[1:]
    for s in _SUFFIXES:
        if token.endswith(s) and len(token) - len(s) >= 3:
            return token[: -len(s)]
    return token


def content_terms(text: str) -> list[str]:
    """Stems of the non-stop-word tokens of `text`: what the summarizer compares."""
    terms = []
    for t in tokenize(text):
        term = _TERMS.get(t)
        if term is None:
            term = "" if t in STOP_WORDS or len(t) <= 1 else stem(t)
            if len(_TERMS) < _MAX_TERMS:
                _TERMS[t] = term
        if term:
            terms.append(term)
    return terms


# token -> its stem, or "" for a stop word or a single character: a news vocabulary repeats (a million tokens in
# 5,000 articles, a few tens of thousands distinct), so each distinct token is stemmed once per process.
_TERMS: dict[str, str] = {}
_MAX_TERMS = 200_000

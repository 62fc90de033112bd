"""Turn Markdown-ish text into words and sentences without losing offsets.

Everything works on a *masked* copy of the text: Markdown syntax, code, URLs, e-mail addresses,
hashtags and mentions are overwritten with spaces (newlines kept), so an offset found in the
mask is the same offset in the author's text. That lets the caller underline a hint in the
original without parsing the Markdown a second time.

Line breaks matter in share texts (a LinkedIn post is a stack of short lines), so a line break
ends a sentence, unless the next line starts with a lowercase letter: that is a hard-wrapped
paragraph (e-mail templates, translation files), and splitting it would make long sentences look
short. Blank lines, headings, list items and rules always end a sentence.

A full stop after an abbreviation is not always a sentence end: the lists in
``data/abbreviations_*.tsv`` say which abbreviations never end one (titles, "e.g.", "nl.") and
which may (they end one only before a capital: "10 a.m. Families", not "Jan. 15" or "2 mln.
euro"); see `_is_abbreviation`. An ellipsis, or a "?" or "!" inside closing quotes, goes on
when the next word starts in lower case.
"""

import re
from dataclasses import dataclass

from .abbreviations import all_abbreviations

WORD_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:(?:['’\-]|(?<=\d)[.,:](?=\d))[^\W_]+)*")

_LETTER_DOTS_RE = re.compile(r"(?:[^\W\d_]\.){2,}")
_INITIAL_RE = re.compile(r"[^\W\d_]\.", re.UNICODE)
_OPENING = "(\"'“‘«[¿¡"
_CLOSERS = "\"'”’»)]"
# Written after "a.m."/"p.m." without starting a sentence.
_TIME_ZONES = frozenset({"CET", "CEST", "GMT", "UTC", "BST", "WET", "EET", "EST", "EDT", "CST",
                         "CDT", "PST", "PDT", "IST", "JST", "AEST"})  # fmt: skip

_END_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|\Z)")

_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_INLINE_CODE_RE = re.compile(r"(`+)[^\n]*?\1")
_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK_RE = re.compile(r"(\[)([^\]\n]*)(\]\([^)\n]*\)|\]\[[^\]\n]*\])")
_LINK_DEFINITION_RE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[^\n]*$", re.M)
_HTML_RE = re.compile(r"</?[A-Za-z][^<>\n]*>|<(?:https?://|mailto:)[^<>\s]+>|&#?\w+;")
_URL_RE = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?'\")\]]")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TAG_RE = re.compile(r"(?<![\w#@&/])[#@]\w+")
_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}(?=[ \t]|$)", re.M)
_LIST_ITEM_RE = re.compile(r"^[ \t]*(?:[-*+•‣◦]|\d{1,3}[.)])(?=[ \t])", re.M)
_QUOTE_RE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
_RULE_RE = re.compile(r"^[ \t]*(?:([-*_=])(?:[ \t]*\1){2,}|=+|-+)[ \t]*$", re.M)
_PIPE_RE = re.compile(r"\|")
_SYMBOLS_RE = re.compile(r"[*~#\\]+")
_UNDERSCORE_RE = re.compile(r"(?<![^\W_])_+|_+(?![^\W_])")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    words: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Segmented:
    """``abbreviation_stops`` holds the offsets of full stops that belong to an abbreviation
    and did not end a sentence ("Jan. 15", "2 mln. euro"): those words are read out in full."""

    masked: str
    sentences: tuple[Sentence, ...]
    abbreviation_stops: frozenset[int] = frozenset()


_NOT_NEWLINE_RE = re.compile(r"[^\n]")


def _spaces(fragment: str) -> str:
    return _NOT_NEWLINE_RE.sub(" ", fragment) if "\n" in fragment else " " * len(fragment)


def _blank(match: re.Match[str]) -> str:
    return _spaces(match.group())


def _blank_link_syntax(match: re.Match[str]) -> str:
    return " " + match.group(2) + _spaces(match.group(3))


def _lines(text: str, pattern: re.Pattern[str]) -> set[int]:
    return {text.count("\n", 0, m.start()) for m in pattern.finditer(text)}


def _blank_all(text: str, pattern: re.Pattern[str], *triggers: str) -> str:
    """Skip patterns whose trigger strings are absent: most texts have no URL or code."""
    if any(trigger in text for trigger in triggers):
        return pattern.sub(_blank, text)
    return text


def _mask(text: str) -> tuple[str, set[int], set[int]]:
    """Return the masked text and the line numbers that stand alone or start a sentence."""
    text = _blank_all(text, _FENCE_RE, "```", "~~~")
    text = _blank_all(text, _INLINE_CODE_RE, "`")
    text = _blank_all(text, _IMAGE_RE, "!")
    if "[" in text:
        text = _LINK_RE.sub(_blank_link_syntax, text)
        text = _blank_all(text, _LINK_DEFINITION_RE, "[")
    text = _blank_all(text, _HTML_RE, "<", "&")
    text = _blank_all(text, _URL_RE, "://", "www.")
    text = _blank_all(text, _EMAIL_RE, "@")
    text = _blank_all(text, _TAG_RE, "#", "@")
    standalone = _lines(text, _HEADING_RE) if "#" in text else set()
    new_start = _lines(text, _LIST_ITEM_RE)
    text = _blank_all(text, _HEADING_RE, "#")
    text = _blank_all(text, _LIST_ITEM_RE, "-", "*", "+", "•", "‣", "◦", ".", ")")
    text = _blank_all(text, _QUOTE_RE, ">")
    text = _blank_all(text, _PIPE_RE, "|")
    standalone |= _lines(text, _RULE_RE)
    text = _blank_all(text, _RULE_RE, "-", "*", "_", "=")
    text = _blank_all(text, _SYMBOLS_RE, "*", "~", "#", "\\")
    return _blank_all(text, _UNDERSCORE_RE, "_"), standalone, new_start


def _previous_word(masked: str, begin: int) -> str:
    before = masked[:begin].rstrip()
    stop = len(before)
    while stop > 0 and (before[stop - 1].isalnum() or before[stop - 1] in "'’-"):
        stop -= 1
    return before[stop:].lower()


def _next_word(masked: str, end: int) -> str:
    following = masked[end : end + 40].lstrip(" \t").lstrip(_OPENING)
    return following.split(None, 1)[0] if following.strip() else ""


def _is_abbreviation(masked: str, start: int, end: int) -> bool:
    """True when the full stop at masked[start] belongs to an abbreviation, not a sentence
    end; ``end`` is where the next word may start (after closing brackets or quotes).

    Rules (lists in data/abbreviations_*.tsv): titles ("Dr.", also joined: "Prof.dr.") and
    linking abbreviations ("e.g.", "nl.") never end a sentence; the others ("a.m.", "etc.",
    "mln.", "Jan.", "U.K.", unlisted lower-case letter-dot groups) end one only when the next
    word starts with a capital letter that is not a time zone ("5 p.m. CET"). Capitals with
    full stops that are not listed ("J. Smith", "J.R.R. Tolkien") are a name's initials,
    unless a label word such as "size" or "the" comes before them ("size S. Fits", "the
    C.E.O. Then" split).
    """
    begin = start
    while begin > 0 and not masked[begin - 1].isspace():
        begin -= 1
    token = masked[begin : start + 1].lstrip(_OPENING)
    lowered = token.lower()
    table = all_abbreviations()
    kind = table.get(lowered)
    if kind is None or kind == "label":
        pieces = [piece + "." for piece in lowered.split(".")[:-1]]
        if len(pieces) > 1 and all(table.get(piece) == "title" for piece in pieces):
            return True  # joined titles: Prof.dr., mr.drs.
        if _INITIAL_RE.fullmatch(token) and token[0].isupper():
            if table.get(_previous_word(masked, begin)) != "label":
                return True  # an initial: J. Smith, John F. Kennedy
            kind = "final"
        elif _LETTER_DOTS_RE.fullmatch(lowered):
            if token.isupper() and table.get(_previous_word(masked, begin)) != "label":
                return True  # initials written together: J.P. Balkenende, not "the C.E.O."
            kind = "final"
        else:
            return False
    if kind in ("title", "inner"):
        return True
    following = _next_word(masked, end)
    return not following[:1].isupper() or following.rstrip(".,;:!?") in _TIME_ZONES


def _no_break(masked: str, start: int, end: int, stops: set[int]) -> bool:
    """True when the end mark at masked[start:end] does not end the sentence.

    A single full stop is checked against the abbreviations (and, when it is one, recorded in
    ``stops`` so the word is counted as read out). An ellipsis, or a question or exclamation
    mark inside closing quotes, goes on when the next word starts in lower case ("We
    waited... and waited", "He asked “why?” and left").
    """
    mark = masked[start:end]
    core = mark.rstrip(_CLOSERS)
    if core == ".":
        if _is_abbreviation(masked, start, end):
            stops.add(start)
            return True
        return False
    ellipsis = len(core) > 1 and set(core) <= {".", "…"} or core == "…"
    quoted = len(core) < len(mark) and core.strip("?!") == ""
    if ellipsis or quoted:
        return _next_word(masked, end)[:1].islower()
    return False


def _breaks(masked: str, standalone: set[int], new_start: set[int], stops: set[int]) -> list[int]:
    breaks = [
        match.end()
        for match in _END_RE.finditer(masked)
        if not _no_break(masked, *match.span(), stops)
    ]
    lines = masked.split("\n")
    offset = 0
    for number, line in enumerate(lines[:-1]):
        offset += len(line)
        following = lines[number + 1].lstrip()
        hard = (
            not line.strip()
            or not following
            or number in standalone
            or number + 1 in standalone
            or number + 1 in new_start
        )
        if hard or not following[0].islower():
            breaks.append(offset)
        offset += 1
    breaks.append(len(masked))
    return sorted(set(breaks))


def segment(text: str) -> Segmented:
    """Split text into sentences of word spans; sentences without words are dropped."""
    masked, standalone, new_start = _mask(text)
    words = [m.span() for m in WORD_RE.finditer(masked)]
    sentences: list[Sentence] = []
    position = 0
    index = 0
    stops: set[int] = set()
    for end in _breaks(masked, standalone, new_start, stops):
        first = index
        while index < len(words) and words[index][1] <= end:
            index += 1
        if index > first:
            start = words[first][0]
            stop = len(masked[position:end].rstrip()) + position
            sentences.append(
                Sentence(start, max(stop, words[index - 1][1]), tuple(words[first:index]))
            )
        position = end
    return Segmented(masked, tuple(sentences), frozenset(stops))

"""Jargon lists and the matcher built from them.

All terms of a language (with generated inflections) are compiled into one regular expression
shaped like a trie, so the engine follows only the branch that matches the letters at hand
instead of trying every term at every word. Building it costs milliseconds, so the matcher is
cached per (language, caller's extra terms); the extra terms come from the database and rarely
change, which keeps the cache hit rate high.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "nl")

_SEPARATOR = " "
_APOSTROPHE = "'"
_SEPARATORS_RE = re.compile(r"[\s\-]+")
_END = ""


@dataclass(frozen=True, slots=True)
class JargonHit:
    start: int
    end: int
    term: str
    suggestion: str


_SUFFIX = "-"
# Letters a compound needs before a word-part entry ("-traject" finds "verandertraject" but
# not "traject" on its own, nor "re-creatie"-like words with a short head).
_MIN_HEAD = 4


def normalise_term(term: str) -> str:
    """Fold case, apostrophes and hyphen/space runs so "Low-hanging  fruit" is one key.

    A leading hyphen marks a word part ("-traject") and is kept."""
    term = term.replace("’", _APOSTROPHE).strip().lower()
    if term.startswith(_SUFFIX) and len(term) > 1:
        return _SUFFIX + _SEPARATORS_RE.sub(_SEPARATOR, term[1:]).strip()
    return _SEPARATORS_RE.sub(_SEPARATOR, term)


def parse_jargon(text: str, *, source: str = "<string>") -> tuple[tuple[str, str], ...]:
    """Parse `term<TAB>suggestion` lines; malformed or duplicate lines fail loudly at load."""
    entries: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        term, tab, suggestion = raw.partition("\t")
        term, suggestion = term.strip(), suggestion.strip()
        if not tab or not term or not suggestion:
            raise ValueError(f"{source}:{number}: expected 'term<TAB>suggestion'")
        key = normalise_term(term)
        if key in seen:
            raise ValueError(f"{source}:{number}: {term!r} repeats line {seen[key]}")
        if key == normalise_term(suggestion):
            raise ValueError(f"{source}:{number}: suggestion equals the term {term!r}")
        seen[key] = number
        entries.append((term.lower(), suggestion))
    return tuple(entries)


@lru_cache(maxsize=len(LANGUAGES))
def load_jargon(language: str) -> tuple[tuple[str, str], ...]:
    """The shipped (term, suggestion) pairs for a language, read once per process."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    name = f"jargon_{language}.tsv"
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return parse_jargon(text, source=name)


def _en_forms(word: str) -> list[str]:
    if len(word) < 3 or not word.isalpha():
        return []
    if len(word) == 3:
        return [word + "s", word + "'s"]
    if word.endswith(("s", "x", "ch", "sh", "z")):
        return [word + "es", word + "ed", word + "ing"]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    if word.endswith("e"):
        return [word + "s", word + "d", word[:-1] + "ing"]
    return [word + "s", word + "ed", word + "ing"]


_NL_LONG_VOWEL_RE = re.compile(r"(.*[^aeiou])(aa|ee|oo|uu)([^aeiouy])")
_NL_UNSTRESSED_PREFIXES = ("be", "ge", "her", "ver", "ont", "er")
_NL_KOFSCHIP = "tkfschp"


def _nl_participle(stem: str, ending: str) -> str:
    if stem.startswith(_NL_UNSTRESSED_PREFIXES):
        return stem + ending
    first = {"e": "ë", "i": "ï", "u": "ü"}.get(stem[0], stem[0])
    return "ge" + first + stem[1:] + ending


def _nl_forms(word: str) -> list[str]:
    if len(word) < 3 or not word.isalpha():
        return []
    forms = [word + "s"]
    if word[-1] in "aeiouy":
        forms.append(word + "'s")
    if word.endswith("e"):
        forms.append(word + "n")
    else:
        base = word
        if long_vowel := _NL_LONG_VOWEL_RE.fullmatch(word):
            base = long_vowel[1] + long_vowel[2][0] + long_vowel[3]
        forms += [base + "e", base + "en"]
    if word.endswith("ëren"):  # initiëren → initieer, creëren → creëer
        stem = word[:-4] + ("eer" if word[-5] == "i" else "ëer")
    elif word.endswith("eren") and len(word) > 6:
        stem = word[:-4] + "eer"
    elif word.endswith("en") and len(word) > 5 and word[-3] not in "aeiou":
        stem = word[:-2]
        if stem[-1] == stem[-2]:
            stem = stem[:-1]
    else:
        return forms
    ending = "t" if stem[-1] in _NL_KOFSCHIP else "d"
    past = "te" if ending == "t" else "de"
    forms += [stem, stem if stem.endswith("t") else stem + "t", stem + past, stem + past + "n"]
    forms.append(_nl_participle(stem, "" if stem.endswith(("t", "d")) else ending))
    return forms


_NL_IRREGULAR_FINITE = {
    "zijn": ("is", "ben", "bent", "zijn", "was", "waren"),
    "hebben": ("heb", "hebt", "heeft", "hebben", "had", "hadden"),
    "gaan": ("ga", "gaat", "gaan", "ging", "gingen"),
    "staan": ("sta", "staat", "staan", "stond", "stonden"),
    "doen": ("doe", "doet", "doen", "deed", "deden"),
}
_NL_VOWELS = "aeiou"
# Separable verb prefixes: in a main clause "inzetten op" reads "(we) zetten in op".
_NL_SEPARABLE = ("aan", "af", "bij", "door", "in", "mee", "na", "om", "op", "over", "terug",
                 "toe", "uit", "voor", "weg", "samen", "vast", "bij")  # fmt: skip


def _nl_finite(infinitive: str) -> tuple[str, ...]:
    """Present-tense forms of a Dutch verb ("dragen" → draag, draagt, dragen), for the main
    clause, where the verb comes before the rest of a fixed phrase ("wij dragen zorg voor")."""
    if infinitive in _NL_IRREGULAR_FINITE:
        return _NL_IRREGULAR_FINITE[infinitive]
    if not infinitive.endswith("en") or len(infinitive) < 5 or not infinitive.isalpha():
        return ()
    stem = infinitive[:-2]
    if stem[-1] == stem[-2] and stem[-1] not in _NL_VOWELS:
        stem = stem[:-1]  # stellen → stel
    elif stem[-2] in _NL_VOWELS and stem[-3] not in _NL_VOWELS and stem[-1] not in _NL_VOWELS:
        stem = stem[:-1] + stem[-2] + stem[-1]  # dragen → draag, nemen → neem
    stem = stem[:-1] + {"v": "f", "z": "s"}.get(stem[-1], stem[-1])  # geven → geef
    third = stem if stem.endswith("t") else stem + "t"
    return (stem, third, infinitive)


def variants(key: str, language: str) -> list[str]:
    """Simple inflections of a normalised term; unlikely forms are harmless, they never occur.

    English phrases also inflect their first word ("driving forward"); Dutch phrases with a
    verb also match in main-clause order, verb first ("zorg dragen voor" → "draagt zorg voor",
    "ter beschikking stellen" → "stelt ter beschikking")."""
    words = key.split(_SEPARATOR)
    forms = _en_forms if language == "en" else _nl_forms
    result = [" ".join([*words[:-1], form]) for form in forms(words[-1])]
    if language == "en" and len(words) > 1:
        result += [" ".join([form, *words[1:]]) for form in forms(words[0])]
    if language == "nl" and len(words) > 1:
        for index in range(len(words)):
            rest = words[:index] + words[index + 1 :]
            result += [" ".join([form, *rest]) for form in _nl_finite(words[index])]
        first = words[0]
        for prefix in _NL_SEPARABLE:
            verb = first[len(prefix) :]
            if first.startswith(prefix) and len(verb) >= 5:
                result += [" ".join([form, prefix, *words[1:]]) for form in _nl_finite(verb)]
    return result


# A character trie: each key is one character (or _END), each value the subtree after it.
_Trie = dict[str, "_Trie"]


def _trie_pattern(keys: Iterable[str]) -> str:
    root: _Trie = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[_END] = {}

    def emit(node: _Trie) -> str:
        branches = []
        for char in sorted(node):
            if char == _END:
                continue
            if char == _SEPARATOR:
                head = r"[\s\-]+"
            elif char == _APOSTROPHE:
                head = "['’]"
            else:
                head = re.escape(char)
            branches.append(head + emit(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if _END in node:
            return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"
        return body

    return emit(root)


@dataclass(frozen=True, slots=True, eq=False)
class Matcher:
    """``pattern`` finds whole terms; ``suffixes`` (longest first) are the forms of word-part
    entries ("-traject": traject, trajecten...) that end a compound ("verandertraject"), and
    ``suffix_cores`` their bare parts, to skip texts without any; ``allowed`` are words the
    caller allow-listed, never reported."""

    pattern: re.Pattern[str] | None
    lookup: dict[str, tuple[str, str]]
    suffixes: tuple[tuple[str, tuple[str, str]], ...] = ()
    suffix_cores: tuple[str, ...] = ()
    allowed: frozenset[str] = frozenset()

    def _compounds(self, masked: str) -> list[tuple[int, int, int, tuple[str, str] | None]]:
        """Words that end in a word-part entry; only words holding a bare part are looked at."""
        lowered = masked.lower()
        if len(lowered) != len(masked):  # a rare letter whose lower case is longer ("İ")
            lowered = "".join(c if len(c.lower()) > 1 else c.lower() for c in masked)
        found: dict[int, tuple[int, int, int, tuple[str, str] | None]] = {}
        for core in self.suffix_cores:
            position = lowered.find(core)
            while position != -1:
                start = position
                while start > 0 and lowered[start - 1].isalpha():
                    start -= 1
                end = position + len(core)
                while end < len(lowered) and lowered[end].isalpha():
                    end += 1
                position = lowered.find(core, end)
                word = lowered[start:end]
                outside = lowered[start - 1 : start] + lowered[end : end + 1]
                if (
                    start in found
                    or "-" in outside
                    or any(c.isdigit() or c == "_" for c in outside)
                ):
                    continue
                for form, entry in self.suffixes:
                    if word.endswith(form):
                        if len(word) - len(form) >= _MIN_HEAD and word not in self.allowed:
                            # Name the word found ("verandertraject"), not the word part.
                            found[start] = (start, end, 1, (word, entry[1]))
                        break
        return list(found.values())

    def find(self, masked: str) -> list[JargonHit]:
        """All hits, longest first when they overlap, returned in text order."""
        candidates: list[tuple[int, int, int, tuple[str, str] | None]] = []
        if self.pattern is not None:
            candidates += [(*m.span(1), 0, None) for m in self.pattern.finditer(masked)]
        if self.suffixes:
            candidates += self._compounds(masked)
        # Longest first; for the same span a whole-term entry beats a word-part entry.
        candidates.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
        taken: list[tuple[int, int, tuple[str, str] | None]] = []
        for start, end, _kind, entry in candidates:
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, entry))
        hits = []
        for start, end, entry in sorted(taken, key=lambda t: t[0]):
            if entry is None:
                entry = self.lookup.get(normalise_term(masked[start:end]))
            if entry is not None:  # None only for exotic case folds the regex allows
                hits.append(JargonHit(start, end, *entry))
        return hits


def normalise_extra(extra: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A hashable, order-independent key; the caller's later entries win over earlier ones."""
    merged: dict[str, str] = {}
    for term, suggestion in extra:
        key = normalise_term(term)
        if key:
            merged[key] = suggestion.strip()
    return tuple(sorted(merged.items()))


@lru_cache(maxsize=64)
def matcher(language: str, extra: tuple[tuple[str, str], ...]) -> Matcher:
    """Build the matcher; an extra entry with an empty suggestion allow-lists that term."""
    layers = [(load_jargon(language), False), (extra, True)]
    explicit: dict[str, tuple[str, str]] = {}
    inflected: dict[str, tuple[str, str]] = {}
    for entries, from_caller in layers:
        for term, suggestion in entries:
            key = normalise_term(term)
            if from_caller:
                inflected.pop(key, None)
                if explicit.pop(key, None) is not None:
                    inflected = {k: v for k, v in inflected.items() if normalise_term(v[0]) != key}
                if not suggestion:
                    continue
            value = (term.strip().lower(), suggestion)
            explicit[key] = value
            for form in variants(key, language):
                if from_caller or form not in inflected:
                    inflected[form] = value
    lookup = {**inflected, **explicit}
    allowed = frozenset(normalise_term(term) for term, suggestion in extra if not suggestion)
    suffixes: dict[str, tuple[str, str]] = {}
    cores: list[str] = []
    for key in [k for k in lookup if k.startswith(_SUFFIX)]:
        value = lookup.pop(key)
        part = key[len(_SUFFIX) :]
        cores.append(part)
        for form in [part, *variants(part, language)]:
            suffixes.setdefault(form, value)
    ordered = tuple(sorted(suffixes.items(), key=lambda item: -len(item[0])))
    if not lookup:
        return Matcher(None, {}, ordered, tuple(cores), allowed)
    body = _trie_pattern(lookup)
    pattern = re.compile(rf"(?<!\w)(?=({body})(?!\w))", re.IGNORECASE)
    return Matcher(pattern, lookup, ordered, tuple(cores), allowed)

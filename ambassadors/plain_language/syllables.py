"""Syllable counts: pyphen's hyphenation dictionaries, plus spoken counts for English loanwords
in Dutch text.

pyphen ships its dictionaries inside the wheel, so counting works offline and without global
state (textstat downloads cmudict at run time and keeps its language in a module global).
Hyphenation dictionaries never split off one letter at the edge of a word, so words pyphen
leaves whole ("area", "idee") fall back to counting vowel groups, and in Dutch each piece
counts its vowel groups ("over|na|me" is o-ver-na-me).

Dutch texts are full of English words, and the Dutch patterns count them as if they were
Dutch ("online" on-li-ne, "linedance" li-ne-dan-ce). In Dutch, a word is counted as spoken:

1. an English word from ``data/english_nl.tsv`` (common English words that are not clearly
   Dutch, with their CMU Pronouncing Dictionary syllable counts; see that file for sources and
   licences) gets its English count ("update" 2, "game" 1), also with Dutch verb endings
   ("downloaden" 3, "geliket" 2);
2. a common Dutch word from ``data/dutch_words.txt`` is counted with the Dutch rules, whole,
   unless it is a Dutch head with an English tail ("klantenservice" = klanten + service);
3. a compound of two such words, at least one of them English and each at least three letters
   ("linedance" = line + dance, "teamuitje" = team + uitje, "klantservice" = klant + service,
   also with a linking s: "bedrijfsupdate"), adds up the counts of its parts;
4. anything else is counted with the Dutch rules.
"""

import re
from functools import lru_cache
from importlib import resources

import pyphen

_DICTIONARIES = {"en": "en_US", "nl": "nl_NL"}
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_EN_VOWELS_RE = re.compile(r"[aeiouy]+")
# A diaeresis marks a new syllable ("ideeën", "geïnteresseerd"), so it starts its own group;
# so does an e after a diphthong ending in i ("mooi-e", "bui-en", "ei-e-ren").
_NL_VOWELS_RE = re.compile(r"[äëïöü]|(?:aai|ooi|oei|ui|ei)(?=e)|[aeiouyáéíóúàèâêîôû]+")
_EN_SILENT_ED_RE = re.compile(r"[^aeiouytd]ed$")
# A cheap test before counting an edge piece's vowel groups: two vowels apart, or a diaeresis.
_NL_MAYBE_TWO_GROUPS_RE = re.compile(r"[aeiouy][^aeiouy]+[aeiouy]|[äëïöü]|[iy]e|[ioe]ie")
_MIN_PART = 3


@lru_cache(maxsize=4)
def _hyphenator(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_DICTIONARIES[language])


def _data_lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def english_loanwords() -> dict[str, int]:
    """{English word: spoken syllables} from data/english_nl.tsv, read once per process."""
    table: dict[str, int] = {}
    for line in _data_lines("english_nl.tsv"):
        word, _tab, count = line.partition("\t")
        table[word.strip()] = int(count)
    return table


@lru_cache(maxsize=1)
def dutch_words() -> frozenset[str]:
    """Common Dutch words that are not English (data/dutch_words.txt), read once per process."""
    return frozenset(line.strip() for line in _data_lines("dutch_words.txt"))


def _vowel_groups(word: str, language: str) -> int:
    if language == "nl":
        return len(_NL_VOWELS_RE.findall(word))
    count = len(_EN_VOWELS_RE.findall(word))
    if count > 1 and (
        (word.endswith("e") and not word.endswith(("le", "ee", "ye")) and word[-2] not in "aeiou")
        or _EN_SILENT_ED_RE.search(word)
    ):
        count -= 1
    return count


def _by_rules(part: str, language: str) -> int:
    positions = _hyphenator(language).positions(part)
    if not positions:
        return max(1, _vowel_groups(part, language))
    count = len(positions) + 1
    if language == "nl":
        # Dutch pieces are syllables except at the edges, where one vowel is never split off
        # ("over" stays whole in "over-na-me"): count the vowel groups of the edge pieces.
        for edge in (part[: positions[0]], part[positions[-1] :]):
            if _NL_MAYBE_TWO_GROUPS_RE.search(edge):
                count += max(0, _vowel_groups(edge, "nl") - 1)
    return count


_NL_ENDINGS = (("en", 1), ("n", 1), ("t", 0), ("d", 0))
# Spellings English has and Dutch has not: a common Dutch word ("idealen") is only read as an
# English stem with Dutch endings when the stem shows one ("download", "like", "managed").
_ENGLISH_SPELLING_RE = re.compile(r"oa|ow|ay|aw|[^aeiouy]e$|[^aeiouy]ed$")
_ENGLISH_VOWELS_RE = re.compile(r"oa|ow|ay|aw")


def _english_with_dutch_endings(part: str, english: dict[str, int]) -> tuple[str, int] | None:
    """(English stem, spoken syllables) of an English word with Dutch verb endings
    ("downloaden", "geliket", "gemanaged", "chatten"), or None. Stems must have four letters,
    so Dutch words such as "gehad" keep the Dutch rules."""
    extra = 0
    stem = part
    if stem.startswith("ge") and len(stem) > 5:
        stem, extra = stem[2:].lstrip("ë"), 1
        if stem in english and len(stem) >= 4:
            return stem, extra + english[stem]
    for ending, syllables in _NL_ENDINGS:
        base = stem[: -len(ending)]
        if not stem.endswith(ending) or len(base) < 4:
            continue
        if base[-1] == base[-2] and base[-1] not in "aeiou":
            base = base[:-1]  # chatten → chat
        if base in english:
            return base, extra + english[base] + syllables
    return None


def _dutch_part(part: str) -> int:
    english = english_loanwords()
    if part in english:
        return english[part]
    dutch = dutch_words()
    known_dutch = part in dutch
    # For a common Dutch word the Dutch rules already agree with an English stem ending in a
    # silent e plus "-en" ("liken" li-ken), so only participles and English vowel spellings
    # need the look-up; this keeps the common case cheap.
    if not known_dutch or part.startswith("ge") or _ENGLISH_VOWELS_RE.search(part):
        inflected = _english_with_dutch_endings(part, english)
        if inflected is not None and (not known_dutch or _ENGLISH_SPELLING_RE.search(inflected[0])):
            return inflected[1]
    if len(part) < 2 * _MIN_PART:
        return _by_rules(part, "nl")
    if known_dutch:
        # A common Dutch word is only split into a Dutch head and an English tail
        # ("klantenservice"), never into two English-looking parts ("overname").
        for cut in range(_MIN_PART, len(part) - _MIN_PART - 1):
            head, tail = part[:cut], part[cut:]
            if tail in english and (head in dutch or (head[-1] == "s" and head[:-1] in dutch)):
                return _by_rules(head, "nl") + english[tail]
        return _by_rules(part, "nl")
    for cut in range(len(part) - _MIN_PART, _MIN_PART - 1, -1):
        head, tail = part[:cut], part[cut:]
        head_english, tail_english = head in english, tail in english
        if not (head_english or tail_english):
            continue
        head_known = head_english or head in dutch or (head[-1] == "s" and head[:-1] in dutch)
        if not head_known or not (tail_english or tail in dutch):
            continue
        head_count = english[head] if head_english else _by_rules(head, "nl")
        tail_count = english[tail] if tail_english else _by_rules(tail, "nl")
        return head_count + tail_count
    return _by_rules(part, "nl")


@lru_cache(maxsize=65536)
def count_syllables(word: str, language: str) -> int:
    """Count syllables in one word token for "en" or "nl"; numbers and letterless tokens count
    as one. Dutch counts English loanwords as spoken (see the module docstring)."""
    total = 0
    for part in _LETTERS_RE.findall(word.lower().replace("'", "").replace("’", "")):
        total += _dutch_part(part) if language == "nl" else _by_rules(part, language)
    return max(1, total)

"""Syllable counts from pyphen's hyphenation dictionaries.

pyphen ships its dictionaries inside the wheel, so counting works offline and without global
state (textstat downloads cmudict at run time and keeps its language in a module global).
Hyphenation dictionaries never split off one letter at the edge of a word, so words pyphen
leaves whole ("area", "idee") fall back to counting vowel groups.
"""

import re
from functools import lru_cache

import pyphen

_DICTIONARIES = {"en": "en_US", "nl": "nl_NL"}
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_EN_VOWELS_RE = re.compile(r"[aeiouy]+")
# A diaeresis marks a new syllable ("ideeën", "geïnteresseerd"), so it starts its own group.
_NL_VOWELS_RE = re.compile(r"[äëïöü]|[aeiouyáéíóúàèâêîôû]+")
_EN_SILENT_ED_RE = re.compile(r"[^aeiouytd]ed$")


@lru_cache(maxsize=4)
def _hyphenator(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_DICTIONARIES[language])


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


@lru_cache(maxsize=65536)
def count_syllables(word: str, language: str) -> int:
    """Count syllables in one word token; numbers and letterless tokens count as one."""
    total = 0
    for part in _LETTERS_RE.findall(word.lower().replace("'", "").replace("’", "")):
        positions = _hyphenator(language).positions(part)
        total += len(positions) + 1 if positions else max(1, _vowel_groups(part, language))
    return max(1, total)

"""Rough passive-voice hints, one rule set per language.

These are hints for a writer, not grammar: a short word list beats a parser that would need a
model download. The rules lean towards silence. English allows only adverbs between the form
of "to be" and the participle, and skips adjectives that look like participles ("we are
excited"). Dutch "zijn" also builds the active perfect ("we zijn begonnen") and is a possessive,
so it needs the participle close by or "door" in the sentence; "worden" needs neither. "Zijn"
with a participle used as an adjective names a state ("wij zijn verheugd"): not a passive.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .segment import Sentence


@dataclass(frozen=True, slots=True)
class PassiveHint:
    start: int
    end: int
    text: str


_EN_AUX = frozenset(
    {"am", "is", "are", "was", "were", "be", "been", "being", "isn't", "aren't", "wasn't",
     "weren't"}
)  # fmt: skip
_EN_ADVERBS = frozenset(
    {"not", "never", "also", "always", "still", "already", "just", "often", "now", "yet",
     "even", "only", "all", "both", "then", "soon", "ever", "being", "been", "usually",
     "currently", "rarely", "sometimes", "first", "widely", "fully", "newly"}
)  # fmt: skip
_EN_IRREGULAR = frozenset(
    {"arisen", "awoken", "beaten", "begun", "bent", "bitten", "blown", "bought", "bound",
     "broken", "brought", "built", "caught", "chosen", "cut", "dealt", "done", "drawn",
     "driven", "eaten", "fallen", "fed", "felt", "forbidden", "forgiven", "forgotten",
     "foreseen", "found", "frozen", "given", "grown", "heard", "held", "hidden", "hit",
     "hung", "hurt", "kept", "known", "laid", "led", "left", "lent", "lost", "made", "meant",
     "met", "overseen", "overtaken", "paid", "put", "read", "rewritten", "ridden", "run",
     "said", "seen", "sent", "set", "shaken", "shown", "shut", "sold", "sought", "spent",
     "spoken", "spread", "stolen", "struck", "sung", "sworn", "taken", "taught", "thrown",
     "told", "thought", "torn", "understood", "undertaken", "upheld", "withdrawn", "withheld",
     "won", "worn", "woven", "written"}
)  # fmt: skip
# Words ending in -ed that are adjectives or nouns after "to be" far more often than passives.
_EN_NOT_PARTICIPLE = frozenset(
    {"bed", "red", "shed", "wed", "hundred", "sacred", "naked", "wicked", "rugged", "ragged",
     "wretched", "kindred", "beloved", "excited", "interested", "thrilled", "delighted",
     "pleased", "honoured", "honored", "humbled", "blessed", "worried", "tired", "bored",
     "amazed", "surprised", "overwhelmed", "convinced", "determined", "committed",
     "dedicated", "inspired", "supposed", "based", "located", "qualified", "experienced",
     "skilled", "talented", "related", "married", "engaged", "ashamed", "scared",
     "frightened", "relieved", "satisfied", "disappointed", "concerned", "motivated",
     "advanced", "detailed", "limited", "complicated", "united",
     "sophisticated", "varied", "aged"}
)  # fmt: skip
_EN_EED_PARTICIPLES = frozenset({"agreed", "freed", "guaranteed", "decreed", "refereed"})

_NL_WORDEN = frozenset({"word", "wordt", "worden", "werd", "werden"})
_NL_ZIJN = frozenset({"is", "zijn", "was", "waren"})
_NL_HEBBEN = frozenset({"heb", "hebt", "heeft", "hebben", "had", "hadden"})
_NL_MODALS = frozenset(
    {"moet", "moeten", "kan", "kunnen", "zal", "zullen", "mag", "mogen", "zou", "zouden",
     "wil", "willen"}
)  # fmt: skip
_NL_IRREGULAR = frozenset(
    {"besproken", "beschreven", "besloten", "bevonden", "ontvangen", "ontworpen", "ontslagen",
     "verkregen", "verzonden", "vergeten", "verboden", "vervangen", "verloren", "vermeden",
     "herschreven", "aanbevolen", "overwogen", "ondernomen", "onderschreven", "gedaan",
     "gezien", "gestaan", "toegestaan", "voldaan", "bedongen", "bedreven", "verweten",
     "verzocht", "bezocht", "gebracht", "gedacht", "gekocht", "gezocht"}
)  # fmt: skip
# Active perfect with "zijn" ("we zijn gestart") and adjectives that look like participles.
_NL_NOT_PARTICIPLE = frozenset(
    {"gegaan", "gekomen", "geworden", "gebleven", "begonnen", "geweest", "gestorven",
     "gevallen", "gebleken", "geslaagd", "gestopt", "gegroeid", "gestegen", "gedaald",
     "vertrokken", "verdwenen", "verschenen", "ontstaan", "opgegroeid", "aangekomen",
     "teruggekomen", "toegenomen", "afgenomen", "gelukt", "mislukt", "gebeurd", "gestart",
     "verhuisd", "overgestapt", "geboren", "geïnteresseerd", "gewend", "gezond", "gebied",
     "gezondheid", "bericht", "verband", "verstand", "bestand", "verkeerd", "bereid",
     "bewust", "geschikt", "gerust", "beroemd", "verplicht", "ontbijt", "gemeend", "gelijk",
     "gewoon", "geheel", "beleid", "besluit", "bezit", "verzet", "gedicht", "gezicht",
     "verbaasd", "benieuwd", "gemotiveerd"}
)  # fmt: skip
# Participles used as adjectives: after "zijn" they name a state, not something done to the
# subject ("wij zijn verheugd", "zij is betrokken", "het kantoor is gevestigd in Delft"). With
# "worden", or with "door" in the sentence ("we zijn verrast door de klant"), they stay passive.
_NL_STATIVE = frozenset(
    {"verheugd", "verbaasd", "verrast", "betrokken", "geïnteresseerd", "gemotiveerd",
     "teleurgesteld", "opgelucht", "ontroerd", "geschokt", "geraakt", "overtuigd", "bezorgd",
     "gespannen", "verliefd", "verbonden", "gehecht", "geïnspireerd", "gedreven", "toegewijd",
     "vereerd", "verrukt", "gecharmeerd", "gefrustreerd", "geïrriteerd", "verbijsterd",
     "gespecialiseerd", "gekwalificeerd", "bevoegd", "gevestigd", "gelegen", "verzekerd",
     "opgetogen", "verwonderd", "verontrust", "gestrest", "vermoeid"}
)  # fmt: skip
_NL_SEPARABLE = (
    "aan|af|bij|door|in|mee|na|om|onder|op|over|terug|toe|uit|vast|voor|weg|samen|goed|vrij"
    "|thuis|binnen|buiten|neer|rond|tegen|klaar|los|dicht|open|mis|kennis|plaats|bekend"
)
_NL_GE_PARTICIPLE_RE = re.compile(rf"(?:{_NL_SEPARABLE})?ge[^\W\d_]{{2,}}(?:d|t|en)")
_CLAUSE_BREAK_RE = re.compile(r"[,;:()–—]")
_NL_PREFIXED_PARTICIPLE_RE = re.compile(r"(?:be|ver|ont|her|er)[^\W\d_]{3,}(?<!en)(?:d|t)")


def _is_en_participle(word: str) -> bool:
    if word in _EN_IRREGULAR:
        return True
    if word in _EN_NOT_PARTICIPLE or len(word) < 4 or not word.endswith("ed"):
        return False
    return not word.endswith("eed") or word in _EN_EED_PARTICIPLES


def _nl_participle(word: str, *, after_aux: bool) -> bool:
    if word in _NL_IRREGULAR:
        return True
    if word in _NL_NOT_PARTICIPLE:
        return False
    if _NL_GE_PARTICIPLE_RE.fullmatch(word):
        # Strong participles end in -en like plural nouns ("gesprekken zijn"): only after the verb.
        return after_aux or not word.endswith("en")
    return bool(_NL_PREFIXED_PARTICIPLE_RE.fullmatch(word))


def _joined(masked: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    return not masked[left[1] : right[0]].strip()


def _english(
    masked: str, spans: Sequence[tuple[int, int]], words: list[str]
) -> list[tuple[int, int]]:
    found = []
    i = 0
    while i < len(words):
        if words[i] not in _EN_AUX:
            i += 1
            continue
        j = i + 1
        while (
            j < len(words)
            and j - i <= 3
            and (words[j] in _EN_ADVERBS or words[j].endswith("ly"))
            and _joined(masked, spans[j - 1], spans[j])
        ):
            j += 1
        if (
            j < len(words)
            and _joined(masked, spans[j - 1], spans[j])
            and _is_en_participle(words[j])
        ):
            end = spans[j][1]
            if (
                j + 1 < len(words)
                and words[j + 1] == "by"
                and _joined(masked, spans[j], spans[j + 1])
            ):
                end = spans[j + 1][1]
            found.append((spans[i][0], end))
            i = j + 1
        else:
            i += 1
    return found


def _clause_end(masked: str, spans: Sequence[tuple[int, int]], i: int, reach: int) -> int:
    """Index after the last word of the clause that starts after word i, within reach."""
    j = i + 1
    while j < len(spans) and j <= i + reach:
        if _CLAUSE_BREAK_RE.search(masked, spans[j - 1][1], spans[j][0]):
            break
        j += 1
    return j


def _dutch(
    masked: str, spans: Sequence[tuple[int, int]], words: list[str]
) -> list[tuple[int, int]]:
    """Dutch puts the participle at the end of the clause, so the last candidate wins."""
    found = []
    used: set[int] = set()
    has_door = "door" in words
    for i, word in enumerate(words):
        worden = word in _NL_WORDEN
        if not worden and word not in _NL_ZIJN:
            continue
        if word == "zijn" and _NL_HEBBEN.intersection(words[:i]):
            continue  # "heeft zijn werk gedaan": a possessive, not a passive
        reach = 8 if worden or has_door else 3
        state = () if worden or has_door else _NL_STATIVE
        after = [
            j
            for j in range(i + 1, _clause_end(masked, spans, i, reach))
            if _nl_participle(words[j], after_aux=True)
            and words[j - 1] != "te"
            and j not in used
            and words[j] not in state
        ]
        before = [i - 1] if i > 0 else []
        if i > 1 and words[i - 1] in _NL_MODALS:
            before.append(i - 2)
        before = [
            j
            for j in before
            if j not in used
            and _nl_participle(words[j], after_aux=has_door)
            and words[j] not in state
        ]
        if after or before:
            j = after[-1] if after else before[0]
            used.add(j)
            found.append((min(spans[i][0], spans[j][0]), max(spans[i][1], spans[j][1])))
    return found


def find_passive(
    text: str, masked: str, sentences: Sequence[Sentence], *, language: str
) -> list[PassiveHint]:
    hints = []
    for sentence in sentences:
        spans = sentence.words
        words = [masked[s:e].lower().replace("’", "'") for s, e in spans]
        found = _english(masked, spans, words) if language == "en" else _dutch(masked, spans, words)
        hints += [PassiveHint(start, end, text[start:end]) for start, end in found]
    return hints

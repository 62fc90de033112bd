"""Readability score, band and hints for one text in English or Dutch.

Reason codes (`Report.reason`), kept few so the Django layer can translate each one:

- ``too_short``: under `MIN_SCORED_WORDS` words; a score would swing on a single word, so
  there is no score or band, only hints.
- ``ok``: the band is "plain".
- ``long_sentences``: not plain, and the average sentence is over the language's limit.
- ``long_words``: not plain, and the average word has more syllables than the limit.
- ``both``: not plain, and both averages are over their limits.

When a text is not plain while both averages stay under their limits, the reason names the
average that is closest to its limit, so the writer always gets one thing to work on.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .abbreviations import spoken_forms
from .detect import detect_language
from .jargon import LANGUAGES, JargonHit, matcher, normalise_extra
from .passive import PassiveHint, find_passive
from .segment import segment
from .syllables import count_syllables

MIN_SCORED_WORDS = 30
REASONS = ("too_short", "ok", "long_sentences", "long_words", "both")

# (a, b, c) in a − b·words/sentences − c·syllables/words: Flesch, and Flesch–Douma for Dutch.
_FORMULAS = {"en": (206.835, 1.015, 84.6), "nl": (206.835, 0.93, 77.0)}
# (plain from, fair from)
_BANDS = {"en": (60.0, 30.0), "nl": (60.0, 40.0)}
# (words per sentence, syllables per word) above which the reason names that average.
_LIMITS = {"en": (20.0, 1.5), "nl": (15.0, 1.6)}


@dataclass(frozen=True, slots=True)
class LongSentence:
    index: int
    start: int
    end: int
    words: int


@dataclass(frozen=True, slots=True)
class Report:
    """Plain data only, so it can be stored in a JSONField and compared in tests.

    Offsets index the text that was checked, so hints can be highlighted in place.
    ``language`` is the language the text was scored in: the detected one when the text is
    clearly in another language than ``declared_language`` (the item's), else the declared one.
    ``detected_language`` is None when the text is too short or mixed to tell.
    """

    language: str
    words: int
    sentences: int
    syllables: int
    score: float | None
    band: str | None
    reason: str
    avg_words_per_sentence: float
    avg_syllables_per_word: float
    long_sentences: tuple[LongSentence, ...]
    passive_hints: tuple[PassiveHint, ...]
    jargon: tuple[JargonHit, ...]
    declared_language: str = ""
    detected_language: str | None = None

    @property
    def language_mismatch(self) -> bool:
        """True when the text is clearly written in another language than the declared one."""
        return self.detected_language is not None and self.detected_language != (
            self.declared_language or self.language
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for field in ("long_sentences", "passive_hints", "jargon"):
            data[field] = list(data[field])
        return data


def normalise_language(language: str) -> str:
    """Accept Django language codes ("nl-be", "en_GB") and reduce them to "nl" / "en"."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return code


def flesch(language: str, *, words: int, sentences: int, syllables: int) -> float:
    """Unrounded Flesch (en) or Flesch–Douma (nl) reading ease."""
    base, per_sentence, per_syllable = _FORMULAS[language]
    return base - per_sentence * words / sentences - per_syllable * syllables / words


def _band(language: str, score: float) -> str:
    plain, fair = _BANDS[language]
    if score >= plain:
        return "plain"
    return "fair" if score >= fair else "corporate"


def _reason(language: str, band: str, words_per_sentence: float, syllables_per_word: float) -> str:
    if band == "plain":
        return "ok"
    sentence_ratio = words_per_sentence / _LIMITS[language][0]
    word_ratio = syllables_per_word / _LIMITS[language][1]
    if sentence_ratio > 1 and word_ratio > 1:
        return "both"
    return "long_sentences" if sentence_ratio >= word_ratio else "long_words"


def _spoken_difference(
    masked: str, spans: list[tuple[int, int]], stops: frozenset[int], language: str
) -> int:
    """Syllables to add because abbreviations that did not end their sentence are read out in
    full ("Jan. 15" as "January", "2 mln. euro" as "miljoen"); see data/abbreviations_*.tsv."""
    spoken = spoken_forms(language)
    starts = {end: start for start, end in spans}
    difference = 0
    for stop in stops:
        if stop in starts:  # "Jan" then "."
            start, end = starts[stop], stop
        elif stop + 1 in starts:  # "a.m." holds its last full stop
            start, end = starts[stop + 1], stop + 1
        else:
            continue
        said = spoken.get(masked[start : stop + 1].lower())
        if said:
            difference += sum(count_syllables(word, language) for word in said.split())
            difference -= count_syllables(masked[start:end], language)
    return difference


def check(
    text: str,
    *,
    language: str,
    extra_jargon: Iterable[tuple[str, str]] = (),
    long_sentence_words: int = 25,
    detect: bool = True,
) -> Report:
    """Check one text; deterministic and offline, so it can run inside a request or a test.

    `language` is the item's language ("en", "nl" or a Django code such as "nl-be"; ValueError
    for others). With `detect`, a text clearly written in the other language (see
    `detect.detect_language`) is scored, segmented and checked for jargon and passive voice in
    the language it is written in, and the report says so. `extra_jargon` (from the database)
    is merged over the shipped list of the language checked: the caller's suggestion wins, and
    an empty suggestion allow-lists a term.
    """
    declared = normalise_language(language)
    detected = detect_language(text) if detect else None
    lang = detected or declared
    if long_sentence_words < 1:
        raise ValueError("long_sentence_words must be at least 1")
    segmented = segment(text)
    masked, sentences = segmented.masked, segmented.sentences

    words = sum(len(sentence.words) for sentence in sentences)
    spans = [span for sentence in sentences for span in sentence.words]
    syllables = sum(count_syllables(masked[start:end], lang) for start, end in spans)
    if segmented.abbreviation_stops:
        syllables += _spoken_difference(masked, spans, segmented.abbreviation_stops, lang)
    words_per_sentence = words / len(sentences) if sentences else 0.0
    syllables_per_word = syllables / words if words else 0.0

    score: float | None = None
    band: str | None = None
    reason = "too_short"
    if words >= MIN_SCORED_WORDS:
        raw = flesch(lang, words=words, sentences=len(sentences), syllables=syllables)
        score = round(raw, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
        band = _band(lang, score)  # from the rounded score, so 60.0 shown is never "fair"
        reason = _reason(lang, band, words_per_sentence, syllables_per_word)

    long_sentences = tuple(
        LongSentence(index, sentence.start, sentence.end, len(sentence.words))
        for index, sentence in enumerate(sentences)
        if len(sentence.words) > long_sentence_words
    )
    return Report(
        language=lang,
        words=words,
        sentences=len(sentences),
        syllables=syllables,
        score=score,
        band=band,
        reason=reason,
        avg_words_per_sentence=round(words_per_sentence, 2),
        avg_syllables_per_word=round(syllables_per_word, 2),
        long_sentences=long_sentences,
        passive_hints=tuple(find_passive(text, masked, sentences, language=lang)),
        jargon=tuple(matcher(lang, normalise_extra(extra_jargon)).find(masked)),
        declared_language=declared,
        detected_language=detected,
    )

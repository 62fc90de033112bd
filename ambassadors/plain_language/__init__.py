"""Plain-language checker for English and Dutch texts: pure Python, no Django.

Usage::

    report = check(text, language="nl", extra_jargon=[("klantreis", "wat de klant meemaakt")])
    report.band, report.reason, report.jargon
    report.language_mismatch  # the text is clearly in the other language; scored in that one

See `checker` for the reason codes and `jargon` for the word-list format.
"""

from .checker import MIN_SCORED_WORDS, REASONS, LongSentence, Report, check, flesch
from .detect import detect_language
from .jargon import LANGUAGES, JargonHit, load_jargon, parse_jargon
from .passive import PassiveHint

__all__ = [
    "LANGUAGES",
    "MIN_SCORED_WORDS",
    "REASONS",
    "JargonHit",
    "LongSentence",
    "PassiveHint",
    "Report",
    "check",
    "detect_language",
    "flesch",
    "load_jargon",
    "parse_jargon",
]

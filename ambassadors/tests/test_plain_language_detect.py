"""A text written in the other language than the item's is detected, scored in its own
language, and reported as a mismatch."""

from pathlib import Path

import pytest

from ambassadors.plain_language import check, detect_language
from ambassadors.tests.test_plain_language import PLAIN
from ambassadors.tests.test_plain_language_loanwords import ISSUE_TEXT

DATA = Path(__file__).parent / "data"

LAB = (
    "Our new lab in Delft opens its doors to the public on Saturday at 10 a.m. Families can "
    "try simple experiments, meet our engineers and take a short tour of the clean room. "
    "Entry is free for everyone."
)


def _paragraphs(language: str, size: int = 5) -> list[str]:
    text = (DATA / f"plain_sentences_{language}.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [" ".join(lines[i : i + size]) for i in range(0, len(lines) - size + 1, size)]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_paragraph_of_the_plain_corpora_is_recognised(language):
    paragraphs = _paragraphs(language)
    assert len(paragraphs) == 40
    assert [detect_language(p) for p in paragraphs] == [language] * 40


def test_english_text_marked_dutch_is_scored_as_english():
    as_dutch = check(LAB, language="nl")
    as_english = check(LAB, language="en")

    assert (as_dutch.declared_language, as_dutch.detected_language) == ("nl", "en")
    assert as_dutch.language == "en"
    assert as_dutch.language_mismatch is True
    assert (as_dutch.score, as_dutch.band) == (as_english.score, as_english.band)
    assert as_dutch.syllables == as_english.syllables
    assert as_english.language_mismatch is False


def test_dutch_text_marked_english_is_scored_as_dutch():
    report = check(PLAIN["nl"], language="en")
    assert (report.language, report.declared_language, report.detected_language) == (
        "nl",
        "en",
        "nl",
    )
    assert report.language_mismatch is True
    assert report.score == check(PLAIN["nl"], language="nl").score


def test_dutch_full_of_english_loanwords_stays_dutch():
    report = check(ISSUE_TEXT, language="nl")
    assert report.detected_language == "nl"
    assert report.language_mismatch is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hallo!",
        "Team update",
        "We are happy.",
        "Kom je ook naar de borrel? Bring your friends and your family too, it is free!",
    ],
)
def test_short_or_mixed_texts_get_no_verdict(text):
    assert detect_language(text) is None
    report = check(text, language="nl")
    assert (report.language, report.detected_language, report.language_mismatch) == (
        "nl",
        None,
        False,
    )


def test_jargon_is_looked_up_in_the_language_the_text_is_written_in():
    text = "Going forward, we will leverage the new tool and share it with the whole team."
    report = check(text, language="nl", extra_jargon=[("tool", "gereedschap")])
    assert report.language == "en"
    assert [(h.term, h.suggestion) for h in report.jargon] == [
        ("going forward", "from now on"),
        ("leverage", "use"),
        ("tool", "gereedschap"),
    ]


def test_detection_can_be_switched_off():
    report = check(LAB, language="nl", detect=False)
    assert (report.language, report.detected_language, report.language_mismatch) == (
        "nl",
        None,
        False,
    )


def test_mismatch_is_stored_with_the_report():
    data = check(LAB, language="nl").as_dict()
    assert (data["language"], data["declared_language"], data["detected_language"]) == (
        "en",
        "nl",
        "en",
    )

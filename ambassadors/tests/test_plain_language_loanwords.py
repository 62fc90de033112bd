"""English loanwords in Dutch text are counted as spoken (test list written before the rules)."""

from pathlib import Path

import pytest

from ambassadors.plain_language import check
from ambassadors.plain_language.syllables import count_syllables, english_loanwords

DATA = Path(__file__).parent / "data" / "loanwords_nl.tsv"
PACKAGE_DATA = Path(__file__).resolve().parents[1] / "plain_language" / "data"


def _loanwords() -> list[tuple[str, int]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, count = line.split("\t")
            rows.append((word, int(count)))
    return rows


LOANWORDS = _loanwords()

ISSUE_TEXT = (
    "De nieuwe software van ons office team staat vanaf vandaag online op de homepage van onze "
    "website. In de update vind je een nieuwe timeline, betere service en een handige intake "
    "voor nieuwe collega's. Lees de update en deel hem met je netwerk."
)


def test_the_list_is_long_enough():
    assert len(LOANWORDS) >= 100
    assert len({word for word, _ in LOANWORDS}) == len(LOANWORDS)


@pytest.mark.parametrize(("word", "spoken"), LOANWORDS, ids=[w for w, _ in LOANWORDS])
def test_loanword_counted_as_spoken(word, spoken):
    assert count_syllables(word, "nl") == spoken


@pytest.mark.parametrize(
    ("word", "spoken"),
    [
        ("linedance", 2),
        ("online", 2),
        ("website", 2),
        ("update", 2),
        ("software", 2),
        ("service", 2),
        ("office", 2),
        ("homepage", 2),
        ("timeline", 2),
        ("game", 1),
        ("date", 1),
        ("score", 1),
        # Capitals and plural or possessive endings do not change the rule.
        ("Online", 2),
        ("Updates", 2),
        ("game's", 1),
    ],
)
def test_the_issue_words(word, spoken):
    assert count_syllables(word, "nl") == spoken


@pytest.mark.parametrize(
    ("word", "spoken"),
    [
        ("teamuitje", 3),  # team + uitje
        ("klantservice", 3),  # klant + service
        ("nieuwsupdate", 3),  # nieuws + update
        ("bedrijfsupdate", 4),  # bedrijf + s + update
        ("feedbackgesprek", 4),
        ("websitebezoekers", 5),
        ("salesteam", 2),
        ("kick-offmeeting", 4),
        # Common Dutch compounds with an English tail.
        ("klantenservice", 4),
        ("afdelingsmanager", 6),
        ("verkoopteam", 3),
    ],
)
def test_compounds_with_an_english_part(word, spoken):
    assert count_syllables(word, "nl") == spoken


@pytest.mark.parametrize(
    ("word", "spoken"),
    [
        ("downloaden", 3),
        ("gedownload", 3),
        ("geliket", 2),
        ("gemanaged", 3),
        ("geüpdatet", 4),
        ("deleten", 3),
        ("liken", 2),
        ("chatten", 2),
        # Dutch verbs and plurals that look like English stems with endings stay Dutch.
        ("idealen", 4),
        ("materialen", 5),
        ("geboren", 3),
        ("gegeven", 3),
        ("gehad", 2),
    ],
)
def test_english_stems_with_dutch_endings(word, spoken):
    assert count_syllables(word, "nl") == spoken


@pytest.mark.parametrize(
    ("word", "spoken"),
    [
        # Dutch words spelled like English ones keep their Dutch reading (final -e spoken).
        ("code", 2),
        ("route", 2),
        ("type", 2),
        ("stage", 2),
        ("gave", 2),
        ("made", 2),
        ("rode", 2),
        ("lange", 2),
        ("mode", 2),
        ("zone", 2),
        ("college", 3),
        ("garage", 3),
        # Ordinary Dutch words and compounds are never split into English-looking parts.
        ("samenwerking", 4),
        ("overname", 4),
        ("nieuwe", 2),
        ("collega", 3),
        ("gemeente", 3),
        ("bestand", 2),
        ("handdoek", 2),
        ("vergadering", 4),
        ("werkzaamheden", 4),
        ("methode", 3),
        ("periode", 4),
        ("reclame", 3),
        ("kantine", 3),
    ],
)
def test_dutch_words_keep_dutch_counts(word, spoken):
    assert count_syllables(word, "nl") == spoken


def test_english_counting_is_unchanged_by_the_table():
    # The loanword table is for Dutch text; English text keeps its own rules.
    assert count_syllables("code", "en") == 1
    assert count_syllables("online", "en") == 2


def test_the_issue_text_scores_plain():
    report = check(ISSUE_TEXT, language="nl")
    assert (report.words, report.sentences, report.syllables) == (43, 3, 67)
    assert report.score == 73.5
    assert (report.band, report.reason) == ("plain", "ok")


def test_table_is_large_and_names_its_sources():
    assert len(english_loanwords()) > 20_000
    for name in ("english_nl.tsv", "dutch_words.txt", "dutch_homographs.txt"):
        header = (PACKAGE_DATA / name).read_text(encoding="utf-8")[:1500]
        assert header.startswith("#"), name
    header = (PACKAGE_DATA / "english_nl.tsv").read_text(encoding="utf-8")[:1500]
    assert "CC BY-SA 4.0" in header
    assert "Carnegie Mellon" in header

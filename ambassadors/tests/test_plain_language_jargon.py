"""The grown jargon lists: recall on a held-back set, no false flags on plain sentences, sources.

The held-back files (data/jargon_heldback_*.txt) were written before the lists were grown and
were not used to tune them; the plain corpora (data/plain_sentences_*.txt) hold ordinary
sentences, including literal uses of words that are jargon only in the abstract ("deliver the
parcel", "the key is under the mat").
"""

from pathlib import Path

import pytest

from ambassadors.plain_language import check, load_jargon

DATA = Path(__file__).parent / "data"
PACKAGE_DATA = Path(__file__).resolve().parents[1] / "plain_language" / "data"


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _terms(text: str, language: str, extra=()) -> list[tuple[str, str, str]]:
    report = check(text, language=language, extra_jargon=extra)
    return [(text[h.start : h.end], h.term, h.suggestion) for h in report.jargon]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_plain_sentences_get_no_jargon_hints(language):
    sentences = _lines(f"plain_sentences_{language}.txt")
    assert len(sentences) >= 200
    flagged = {s: _terms(s, language) for s in sentences if check(s, language=language).jargon}
    assert flagged == {}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_held_back_jargon_is_mostly_caught(language):
    sentences = _lines(f"jargon_heldback_{language}.txt")
    assert len(sentences) >= 50
    caught = [s for s in sentences if check(s, language=language).jargon]
    assert len(caught) / len(sentences) >= 0.9


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "nl",
            "De waardecreatie is groot.",
            [("waardecreatie", "waardecreatie", "waarde toevoegen")],
        ),
        (
            "nl",
            "Het verandertraject start in mei.",
            [("verandertraject", "verandertraject", "project / aanpak")],
        ),
        (
            "nl",
            "De implementatietrajecten lopen nog.",
            [("implementatietrajecten", "implementatietrajecten", "project / aanpak")],
        ),
        (
            "en",
            "Our transformation journey starts now.",
            [("transformation journey", "transformation journey", "change")],
        ),
        # Suggestions say the same thing in plainer words.
        ("en", "A scheme whereby staff pay less.", [("whereby", "whereby", "where / so that")]),
        (
            "nl",
            "Het team werkt proactief.",
            [("proactief", "proactief", "uit jezelf / vooruitdenkend")],
        ),
        ("nl", "We borgen de kwaliteit.", [("borgen", "borgen", "zorgen dat het blijft")]),
        # Dutch fixed phrases also match with the verb first, as in a main clause.
        (
            "nl",
            "Wij dragen zorg voor de sleutels.",
            [("dragen zorg voor", "zorg dragen voor", "zorgen voor")],
        ),
        ("nl", "We zetten in op groei.", [("zetten in op", "inzetten op", "kiezen voor")]),
        (
            "nl",
            "De regels treden in werking.",
            [("treden in werking", "in werking treden", "ingaan")],
        ),
        # Separable verbs in a main clause, and "action" as a verb.
        ("nl", "De vergadering vangt aan om negen uur.", [("vangt aan", "vangt aan", "begint")]),
        ("nl", "We stemmen af met HR.", [("stemmen af", "stemmen af", "overleggen")]),
        ("en", "The team will action it.", [("will action", "will action", "will do")]),
        (
            "en",
            "End with a call to action.",
            [("call to action", "call to action", "what you ask people to do")],
        ),
        # Abstract phrases from the GOV.UK list; the literal word stays free.
        ("en", "We will deliver results.", [("deliver results", "deliver results", "get results")]),
        ("en", "The storm impacted the trains.", [("impacted", "impacted", "affected")]),
    ],
)
def test_new_entries(language, text, expected):
    assert _terms(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "Het traject van Utrecht naar Delft is dicht."),
        ("nl", "De recreatie aan het meer is druk."),
        ("en", "The driver will deliver the parcel."),
        ("en", "The key is in the drawer."),
        ("en", "We drive to the coast."),
    ],
)
def test_word_parts_and_literal_words_are_not_flagged(language, text):
    assert _terms(text, language) == []


def test_a_caller_can_allow_list_a_compound_found_by_a_word_part():
    text = "Het leertraject start in mei. Het verandertraject ook."
    assert _terms(text, "nl", extra=[("leertraject", "")]) == [
        ("verandertraject", "verandertraject", "project / aanpak")
    ]


@pytest.mark.parametrize(
    ("name", "licences"),
    [
        ("jargon_en.tsv", ["Open Government Licence v3.0", "public domain"]),
        ("jargon_nl.tsv", ["CC0 1.0"]),
    ],
)
def test_lists_name_their_sources_and_licences(name, licences):
    text = (PACKAGE_DATA / name).read_text(encoding="utf-8")
    for licence in licences:
        assert licence in text


@pytest.mark.parametrize(("language", "minimum"), [("en", 400), ("nl", 440)])
def test_lists_grew(language, minimum):
    assert len(load_jargon(language)) >= minimum

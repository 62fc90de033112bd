"""The plain-language checker is pure Python: these tests need no database and no Django."""

import json

import pytest

from ambassadors.plain_language import (
    MIN_SCORED_WORDS,
    REASONS,
    JargonHit,
    LongSentence,
    PassiveHint,
    Report,
    check,
    load_jargon,
    parse_jargon,
)
from ambassadors.plain_language.jargon import normalise_term

LANGUAGES = ["en", "nl"]

CORPORATE = {
    "en": (
        "Going forward, we will leverage our cross-functional synergies to facilitate the "
        "implementation of a holistic, data-driven engagement strategy, thereby empowering key "
        "stakeholders across the organisation to proactively operationalise best practices. "
        "The initiative is being finalised by the transformation office and will subsequently "
        "be communicated to all relevant business units in accordance with established "
        "governance procedures."
    ),
    "nl": (
        "Teneinde de betrokkenheid van medewerkers te optimaliseren, zal middels een integrale "
        "aanpak betreffende de externe communicatie een programma worden geïmplementeerd, "
        "hetgeen derhalve structureel dient te worden geborgd. Inzake de prioritering van de "
        "werkzaamheden wordt door de stuurgroep op korte termijn een besluit genomen, waarna de "
        "uitrol conform de vastgestelde planning zal plaatsvinden in samenwerking met alle "
        "relevante stakeholders."
    ),
}
PLAIN = {
    "en": (
        "From now on, teams will work together to try a new way of sharing news. We want you "
        "to help. Pick a post you like. Add a line in your own words. Then post it on your own "
        "page. It takes a minute. You choose what to post and when. If you have a question, ask "
        "us. We are glad you are here."
    ),
    "nl": (
        "Vanaf nu kun je nieuws van ons bedrijf makkelijk met je netwerk delen. Zo werkt het. "
        "Kies een bericht dat je mooi vindt. Schrijf er een zin bij in je eigen woorden. Zet het "
        "op je eigen pagina. Dat kost je maar een minuut. Jij kiest wat je deelt en wanneer. Heb "
        "je een vraag? Stuur ons dan een mail. Fijn dat je meedoet!"
    ),
}
BAND_ORDER = {"plain": 0, "fair": 1, "corporate": 2}


def hits(report: Report, text: str) -> list[tuple[str, str, str]]:
    return [(text[hit.start : hit.end], hit.term, hit.suggestion) for hit in report.jargon]


@pytest.mark.parametrize("language", LANGUAGES)
def test_corporate_paragraph_lands_in_a_worse_band_than_its_rewrite(language):
    corporate = check(CORPORATE[language], language=language)
    plain = check(PLAIN[language], language=language)

    assert corporate.words >= 40
    assert plain.words >= 40
    assert BAND_ORDER[corporate.band] > BAND_ORDER[plain.band]
    assert (corporate.band, corporate.reason) == ("corporate", "both")
    assert (plain.band, plain.reason) == ("plain", "ok")
    assert plain.jargon == ()


@pytest.mark.parametrize(
    ("language", "words", "sentences", "syllables", "score"),
    # "stakeholders" is an English loanword: 3 syllables as spoken, not 4 by the Dutch patterns.
    [("en", 55, 2, 122, -8.7), ("nl", 58, 2, 132, 4.6)],
)
def test_corporate_paragraph_exact_counts(language, words, sentences, syllables, score):
    report = check(CORPORATE[language], language=language)

    assert (report.words, report.sentences, report.syllables) == (words, sentences, syllables)
    assert report.score == score
    assert report.avg_words_per_sentence == round(words / sentences, 2)
    assert report.avg_syllables_per_word == round(syllables / words, 2)


def test_english_jargon_found_with_suggestions():
    text = CORPORATE["en"]

    assert hits(check(text, language="en"), text) == [
        ("Going forward", "going forward", "from now on"),
        ("leverage", "leverage", "use"),
        ("synergies", "synergy", "working together"),
        ("facilitate", "facilitate", "help"),
        ("holistic", "holistic", "whole / complete"),
        ("data-driven", "data-driven", "based on data"),
        ("empowering", "empower", "let / allow"),
        ("key stakeholders", "key stakeholders", "the people involved"),
        ("proactively", "proactively", "in advance"),
        ("operationalise", "operationalise", "put into practice"),
        ("best practices", "best practices", "good ways of working"),
        ("finalised", "finalise", "finish"),
        ("transformation", "transformation", "change"),
        ("subsequently", "subsequently", "later"),
        ("in accordance with", "in accordance with", "following"),
        ("governance", "governance", "oversight / rules"),
    ]


def test_dutch_jargon_found_with_suggestions():
    text = CORPORATE["nl"]

    assert hits(check(text, language="nl"), text) == [
        ("Teneinde", "teneinde", "om"),
        ("optimaliseren", "optimaliseren", "verbeteren"),
        ("middels", "middels", "met"),
        ("integrale", "integraal", "samen / als geheel"),
        ("betreffende", "betreffende", "over"),
        ("geïmplementeerd", "implementeren", "invoeren"),
        ("hetgeen", "hetgeen", "wat"),
        ("derhalve", "derhalve", "daarom"),
        ("structureel", "structureel", "blijvend"),
        ("dient te", "dient te", "moet"),
        ("geborgd", "borgen", "zorgen dat het blijft"),
        ("Inzake", "inzake", "over"),
        ("prioritering", "prioritering", "keuze wat eerst komt"),
        ("werkzaamheden", "werkzaamheden", "werk"),
        ("op korte termijn", "op korte termijn", "snel"),
        ("uitrol", "uitrol", "invoering"),
        ("conform", "conform", "volgens"),
        ("in samenwerking met", "in samenwerking met", "samen met"),
        ("stakeholders", "stakeholders", "betrokkenen"),
    ]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "We LEVERAGED two KPIs. Low hanging fruit; reached out; best in class.",
            [
                ("LEVERAGED", "leverage", "use"),
                ("KPIs", "kpis", "measures of success"),
                ("Low hanging fruit", "low-hanging fruit", "quick wins"),
                ("reached out", "reach out", "contact"),
                ("best in class", "best-in-class", "best"),
            ],
        ),
        (
            "nl",
            "Wij faciliteren dit; zij faciliteert; het werd gefaciliteerd. Prioriteiten, KPI's.",
            [
                ("faciliteren", "faciliteren", "helpen / mogelijk maken"),
                ("faciliteert", "faciliteren", "helpen / mogelijk maken"),
                ("gefaciliteerd", "faciliteren", "helpen / mogelijk maken"),
                ("Prioriteiten", "prioriteit", "voorrang"),
                ("KPI's", "kpi", "meetbaar doel"),
            ],
        ),
    ],
)
def test_jargon_matches_case_inflections_and_hyphens(language, text, expected):
    assert hits(check(text, language=language), text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Our leverageable, synergyst and unleveraged plans."),
        ("nl", "Het middelsoort, de prioriteitenlijst en de teneindeweg."),
    ],
)
def test_jargon_matches_whole_words_only(language, text):
    assert check(text, language=language).jargon == ()


def test_overlapping_jargon_resolves_to_the_longest_term():
    text = "We take this offline. Key stakeholders agree."

    assert hits(check(text, language="en"), text) == [
        ("take this offline", "take this offline", "talk about it later"),
        ("Key stakeholders", "key stakeholders", "the people involved"),
    ]


def test_dutch_score_uses_flesch_douma():
    # 30 words, 3 sentences, 37 syllables: counted by hand.
    text = (
        "Ik zag de kat van mijn buur in de tuin. "
        "Morgen gaan we samen lopen langs het water in Delft. "
        "Dan eten we soep en drinken we thee bij oma."
    )
    report = check(text, language="nl")
    w, s, syl = report.words, report.sentences, report.syllables
    douma = round(206.835 - 0.93 * w / s - 77 * syl / w, 1)
    flesch = round(206.835 - 1.015 * w / s - 84.6 * syl / w, 1)

    assert (w, s, syl) == (30, 3, 37)
    assert report.score == douma == 102.6
    assert flesch == 92.3
    assert report.score != flesch
    assert report.band == "plain"


def test_english_score_uses_flesch():
    text = PLAIN["en"]
    report = check(text, language="en")
    w, s, syl = report.words, report.sentences, report.syllables

    assert report.score == round(206.835 - 1.015 * w / s - 84.6 * syl / w, 1)


@pytest.mark.parametrize(
    ("language", "text", "suggestion"),
    [
        ("en", "Going forward we leverage synergy.", "use"),
        ("nl", "Wij zullen dit middels een formulier implementeren.", "met"),
    ],
)
def test_short_text_gets_hints_but_no_score(language, text, suggestion):
    report = check(text, language=language)

    assert report.words < MIN_SCORED_WORDS
    assert (report.score, report.band, report.reason) == (None, None, "too_short")
    assert suggestion in [hit.suggestion for hit in report.jargon]


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_text(language):
    report = check("  \n ", language=language)

    assert (report.words, report.sentences, report.syllables) == (0, 0, 0)
    assert (report.score, report.band, report.reason) == (None, None, "too_short")
    assert (report.avg_words_per_sentence, report.avg_syllables_per_word) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "The report was written by the team. Mistakes were made. It is not yet fully "
            "tested. We are excited to announce it. This is a shared document. He is a teacher.",
            ["was written by", "were made", "is not yet fully tested"],
        ),
        (
            "nl",
            "Het plan wordt door de stuurgroep besproken. De tekst is gisteren goedgekeurd. "
            "Ik weet dat het rapport door Anna geschreven is. Hij heeft zijn werk gedaan. "
            "We zijn vorige week begonnen. Het bericht is klaar. We zijn er om je te helpen.",
            ["wordt door de stuurgroep besproken", "is gisteren goedgekeurd", "geschreven is"],
        ),
    ],
)
def test_passive_hints(language, text, expected):
    report = check(text, language=language)

    assert [hint.text for hint in report.passive_hints] == expected
    assert all(text[hint.start : hint.end] == hint.text for hint in report.passive_hints)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "zijn" + a participle used as an adjective names a state: no passive.
        ("Wij zijn verheugd dat je er bent.", []),
        ("We zijn erg verrast.", []),
        ("Het kantoor is gevestigd in Delft.", []),
        ("Iedereen was zeer betrokken bij de verhuizing.", []),
        ("Ik weet dat zij gemotiveerd zijn.", []),
        # With "worden", or with an agent ("door"), the same words are passive.
        ("We worden verrast met taart.", ["worden verrast"]),
        ("We zijn verrast door de klant.", ["zijn verrast"]),
        ("De tekst is gisteren goedgekeurd.", ["is gisteren goedgekeurd"]),
    ],
)
def test_dutch_zijn_with_an_adjectival_participle_is_a_state(text, expected):
    report = check(text, language="nl")

    assert [hint.text for hint in report.passive_hints] == expected


def test_passive_hint_shape():
    text = "Mistakes were made."

    assert check(text, language="en").passive_hints == (PassiveHint(9, 18, "were made"),)


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_sentences_are_flagged(language):
    short = "Dit is kort." if language == "nl" else "This is short."
    long = " ".join(["woord" if language == "nl" else "word"] * 26) + "."
    text = f"{short} {long} {short}"

    report = check(text, language=language)

    start = len(short) + 1
    assert report.long_sentences == (LongSentence(1, start, start + len(long), 26),)
    assert check(text, language=language, long_sentence_words=26).long_sentences == ()
    assert len(check(text, language=language, long_sentence_words=2).long_sentences) == 3


def test_long_sentence_threshold_must_be_positive():
    with pytest.raises(ValueError, match="long_sentence_words"):
        check("Hello.", language="en", long_sentence_words=0)


@pytest.mark.parametrize(
    ("language", "text", "extra", "expected"),
    [
        (
            "en",
            "We leverage synergy to improve the customer journey.",
            [
                ("leverage", "make use of"),
                ("synergy", ""),
                ("Customer Journey", "what buyers go through"),
            ],
            [
                ("leverage", "leverage", "make use of"),
                ("customer journey", "customer journey", "what buyers go through"),
            ],
        ),
        (
            "nl",
            "Wij faciliteren middels de klantreis.",
            [("faciliteren", "helpen"), ("middels", ""), ("klantreis", "wat de klant meemaakt")],
            [
                ("faciliteren", "faciliteren", "helpen"),
                ("klantreis", "klantreis", "wat de klant meemaakt"),
            ],
        ),
    ],
)
def test_extra_jargon_overrides_adds_and_allow_lists(language, text, extra, expected):
    assert hits(check(text, language=language, extra_jargon=extra), text) == expected


def test_extra_jargon_also_matches_inflections_and_later_entries_win():
    text = "Two customer journeys."
    extra = [("customer journey", "first"), ("customer journey", "buyer's path")]

    assert hits(check(text, language="en", extra_jargon=extra), text) == [
        ("customer journeys", "customer journey", "buyer's path")
    ]


def test_allow_listing_a_term_also_drops_its_inflections():
    text = "Our stakeholders and one stakeholder."

    report = check(text, language="en", extra_jargon=[("stakeholder", ""), ("stakeholders", "")])

    assert report.jargon == ()


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_list_is_large_unique_and_useful(language):
    entries = load_jargon(language)
    keys = [normalise_term(term) for term, _ in entries]

    assert len(entries) >= 150
    assert len(set(keys)) == len(keys)
    for term, suggestion in entries:
        assert suggestion.strip()
        assert normalise_term(suggestion) != normalise_term(term)
    product_words = {"ambassador", "ambassadors", "ambassadeur", "ambassadeurs", "share", "delen"}
    assert product_words.isdisjoint(keys)


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_list_is_cached(language):
    assert load_jargon(language) is load_jargon(language)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("leverage\n", "expected 'term<TAB>suggestion'"),
        ("leverage\t \n", "expected 'term<TAB>suggestion'"),
        ("leverage\tuse\nLeverage\tapply\n", "repeats line 1"),
        ("use\tUse\n", "suggestion equals the term"),
    ],
)
def test_malformed_lists_fail_loudly(text, message):
    with pytest.raises(ValueError, match=message):
        parse_jargon(text)


def test_list_comments_and_blank_lines_are_skipped():
    assert parse_jargon("# words\n\nLeverage\tuse\n") == (("leverage", "use"),)


def test_markdown_and_urls_are_not_scored():
    text = (
        "## Going forward\n"
        "Read [the **synergy** guide](https://example.com/leverage.html) at "
        "https://example.com/utilise, e.g. today. Tag #synergy and @leverage.\n"
        "- first item\n"
        "- second item\n"
        "`leverage()` is code."
    )

    report = check(text, language="en")

    assert hits(report, text) == [
        ("Going forward", "going forward", "from now on"),
        ("synergy", "synergy", "working together"),
    ]
    # Going forward | Read the synergy guide at, e.g. today | Tag and | first item |
    # second item is code (a lowercase line continues the item above)
    assert (report.words, report.sentences) == (17, 5)


@pytest.mark.parametrize(
    ("language", "text", "sentences"),
    [
        ("en", "We use tools, e.g. the portal, i.e. this site. Mr. Smith agrees.", 2),
        ("en", "We bought pens, paper etc. and ink. Then we left etc. The end.", 3),
        ("en", "This line is wrapped\nacross two lines. This is another one", 2),
        ("en", "Line one\nLine two\n\nline three", 3),
        ("nl", "Er zijn bijv. pennen, d.w.z. spullen. Dat is o.a. 3.5 keer zo duur.", 2),
        ("nl", "J. Jansen zegt het. Echt? Ja! Zeker...", 4),
    ],
)
def test_sentence_splitting(language, text, sentences):
    assert check(text, language=language).sentences == sentences


@pytest.mark.parametrize("language", LANGUAGES)
def test_report_is_json_serialisable_and_deterministic(language):
    text = CORPORATE[language]
    report = check(text, language=language)

    data = json.loads(json.dumps(report.as_dict()))

    assert report == check(text, language=language)
    assert data["language"] == language
    assert data["band"] == "corporate"
    assert data["reason"] in REASONS
    assert data["jargon"][0] == {
        "start": report.jargon[0].start,
        "end": report.jargon[0].end,
        "term": report.jargon[0].term,
        "suggestion": report.jargon[0].suggestion,
    }
    assert len(data["long_sentences"]) == len(report.long_sentences)
    assert len(data["passive_hints"]) == len(report.passive_hints)


def test_jargon_hit_offsets_point_into_the_original_text():
    text = "**Going** forward: we *leverage* it."

    assert check(text, language="en").jargon == (
        JargonHit(2, 17, "going forward", "from now on"),
        JargonHit(23, 31, "leverage", "use"),
    )


@pytest.mark.parametrize(("code", "language"), [("nl-be", "nl"), ("en_GB", "en"), ("EN", "en")])
def test_django_language_codes_are_accepted(code, language):
    assert check("Hallo.", language=code).language == language


@pytest.mark.parametrize("code", ["de", "", "english"])
def test_unknown_language_is_refused(code):
    with pytest.raises(ValueError, match="unsupported language"):
        check("Hallo.", language=code)


@pytest.mark.parametrize("language", LANGUAGES)
def test_load_jargon_refuses_unknown_language(language):
    with pytest.raises(ValueError, match="unsupported language"):
        load_jargon(language.upper())


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_thousand_words(language):
    text = " ".join([CORPORATE[language], PLAIN[language]] * 40)
    words = check(CORPORATE[language], language=language).words
    words += check(PLAIN[language], language=language).words

    report = check(text, language=language)

    assert report.words == 40 * words
    assert report.words >= 2000
    assert report.band in BAND_ORDER

"""The studio's live plain-language panel (htmx POST) and comms' own jargon terms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ambassadors.models import JargonTerm
from ambassadors.tests.factories import UserFactory
from ambassadors.tests.test_publishing import CORPORATE_EN, PLAIN_EN
from ambassadors.views.studio.plain_language import BANDS, REASONS

PLAIN_NL = (
    "We hebben een nieuw kantoor in Utrecht. Het ligt naast het station. Er is plek voor "
    "tweehonderd mensen. Je kunt je fiets in de kelder zetten. Op het dak is een tuin met "
    "bankjes. Kom gerust kijken. We zien je graag."
)
CORPORATE_NL = (
    "Teneinde de organisatorische transformatie te faciliteren, wordt van alle "
    "belanghebbenden verwacht dat zij de synergetische capaciteiten optimaal benutten en de "
    "multidisciplinaire implementatietrajecten conform de strategische doelstellingen "
    "operationaliseren, waarbij de duurzame waardecreatie binnen het gehele "
    "organisatie-ecosysteem gewaarborgd dient te worden middels geïntegreerde "
    "prioriteringskaders."
)

PANEL = "/studio/plain-language/"


def panel(client, *, title="", body="", language="en"):
    response = client.post(
        PANEL, {"title": title, "body": body, "language": language}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("language", "text", "band"),
    [
        ("en", PLAIN_EN, "plain"),
        ("en", CORPORATE_EN, "corporate"),
        ("nl", PLAIN_NL, "plain"),
        ("nl", CORPORATE_NL, "corporate"),
    ],
)
def test_panel_shows_band_and_reason_in_words(client_as, comms_user, language, text, band):
    response = panel(client_as(comms_user), title="News", body=text, language=language)
    report = response.context["report"]
    assert report.band == band
    assert report.language == language
    html = response.content.decode()
    assert str(BANDS[band]) in html
    assert str(REASONS[report.reason]) in html
    assert "<html" not in html  # a fragment for htmx, not a whole page


def test_corporate_text_lists_long_sentences_and_jargon(client_as, comms_user):
    response = panel(client_as(comms_user), title="Update", body=CORPORATE_EN)
    context = response.context
    assert context["long_sentences"][0]["words"] > 30
    assert context["long_sentences"][0]["start"].startswith("In order to facilitate")
    terms = {entry["term"].lower() for entry in context["jargon"]}
    assert {"leverage", "stakeholders"} & terms


def test_short_text_gets_no_band_but_still_word_hints(client_as, comms_user):
    JargonTerm.objects.create(language="en", term="flurbify", suggestion="tidy up")
    response = panel(client_as(comms_user), title="", body="Let us flurbify it next week.")
    report = response.context["report"]
    assert (report.band, report.reason) == (None, "too_short")
    html = response.content.decode()
    assert str(REASONS["too_short"]) in html
    assert response.context["jargon"] == [{"term": "flurbify", "suggestion": "tidy up", "count": 1}]


def test_passive_hints_are_shown(client_as, comms_user):
    response = panel(client_as(comms_user), body="The office was opened by the mayor.")
    assert response.context["passive_hints"]
    assert "was opened by" in response.content.decode()


def test_every_reason_code_has_words():
    assert set(REASONS) == {"ok", "long_sentences", "long_words", "both", "too_short"}


def test_unknown_language_falls_back_to_english(client_as, comms_user):
    response = panel(client_as(comms_user), body=PLAIN_EN, language="xx")
    assert response.context["report"].language == "en"


def test_panel_is_post_only(client_as, comms_user):
    assert client_as(comms_user).get(PANEL).status_code == 405


def test_panel_is_for_comms_only(client_as, ambassador, client):
    assert client.post(PANEL, {"body": PLAIN_EN}).status_code == 302
    assert client_as(ambassador.user).post(PANEL, {"body": PLAIN_EN}).status_code == 403


def test_comms_jargon_is_cached_between_typing_pauses(client_as, comms_user):
    JargonTerm.objects.create(language="en", term="flurbify", suggestion="tidy up")
    client = client_as(comms_user)
    with CaptureQueriesContext(connection) as first:
        panel(client, body="We flurbify the plan.")
    with CaptureQueriesContext(connection) as second:
        response = panel(client, body="We flurbify the plan.")
    assert len(second) == len(first) - 1
    assert response.context["jargon"] == [{"term": "flurbify", "suggestion": "tidy up", "count": 1}]


@pytest.fixture
def admin_client_user(db):
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


def jargon_found(client, body: str) -> dict[str, str]:
    return {e["term"].lower(): e["suggestion"] for e in panel(client, body=body).context["jargon"]}


def test_jargon_changed_in_the_admin_shows_at_once(client_as, comms_user, admin_client_user):
    # A made-up word, so the shipped lists cannot interfere.
    term = JargonTerm.objects.create(language="en", term="flurbify", suggestion="tidy up")
    client = client_as(comms_user)
    assert jargon_found(client, "We flurbify the plan.")["flurbify"] == "tidy up"

    client.force_login(admin_client_user)
    response = client.post(
        f"/admin/ambassadors/jargonterm/{term.pk}/change/",
        {"language": "en", "term": "flurbify", "suggestion": "clean up"},
    )
    assert response.status_code == 302
    client.force_login(comms_user)
    assert jargon_found(client, "We flurbify the plan.")["flurbify"] == "clean up"

    client.force_login(admin_client_user)
    client.post(f"/admin/ambassadors/jargonterm/{term.pk}/delete/", {"post": "yes"})
    assert not JargonTerm.objects.exists()
    client.force_login(comms_user)
    assert "flurbify" not in jargon_found(client, "We flurbify the plan.")


def test_jargon_added_in_the_admin_shows_at_once(client_as, comms_user, admin_client_user):
    client = client_as(comms_user)
    assert "flurbify" not in jargon_found(client, "We flurbify the plan.")  # now cached
    client.force_login(admin_client_user)
    client.post(
        "/admin/ambassadors/jargonterm/add/",
        {"language": "en", "term": "flurbify", "suggestion": "tidy up"},
    )
    client.force_login(comms_user)
    assert jargon_found(client, "We flurbify the plan.")["flurbify"] == "tidy up"


LAB_EN = (
    "Our new lab in Delft opens its doors to the public on Saturday at 10 a.m. Families can "
    "try simple experiments, meet our engineers and take a short tour of the clean room. "
    "Entry is free for everyone."
)


def test_text_in_the_other_language_gets_a_warning_and_its_own_score(client_as, comms_user):
    JargonTerm.objects.create(language="en", term="flurbify", suggestion="tidy up")
    JargonTerm.objects.create(language="nl", term="flurbify", suggestion="opruimen")
    body = LAB_EN + " We flurbify the hall first."
    response = panel(client_as(comms_user), title="Open day", body=body, language="nl")
    report = response.context["report"]
    assert (report.language, report.declared_language, report.language_mismatch) == (
        "en",
        "nl",
        True,
    )
    expected = (
        "This text seems to be in English, but the item's language is Dutch. We scored it as "
        "English. Change the item's language if the text is right."
    )
    assert response.context["language_warning"] == expected
    assert expected.replace("'", "&#x27;") in response.content.decode()
    # Comms' own words for the language the text is written in.
    assert response.context["jargon"] == [{"term": "flurbify", "suggestion": "tidy up", "count": 1}]


def test_text_in_the_item_language_gets_no_warning(client_as, comms_user):
    response = panel(client_as(comms_user), title="Open day", body=LAB_EN, language="en")
    assert response.context["language_warning"] == ""
    assert "seems to be in" not in response.content.decode()


def test_language_warning_in_dutch(client_as, comms_user):
    from ambassadors.plain_language import check
    from ambassadors.views.studio.plain_language import language_warning

    with translation.override("nl"):
        text = language_warning(check(LAB_EN, language="nl"))
    assert text == (
        "Deze tekst lijkt in het Engels te zijn, maar de taal van het bericht is Nederlands. "
        "We geven de score voor het Engels. Pas de taal van het bericht aan als de tekst klopt."
    )


def test_item_page_repeats_the_warning_from_the_stored_report(client_as, comms_user):
    from ambassadors.publishing.items import item_create

    item = item_create(
        by=comms_user, title="Open day", body=LAB_EN, language="nl", link="https://example.com/"
    )
    assert item.plain_language["detected_language"] == "en"
    response = client_as(comms_user).get(f"/studio/items/{item.pk}/")
    assert response.status_code == 200
    assert "seems to be in English" in response.content.decode()


# --- What is scored: the text, not the title ----------------------------------------------------

SHORT_TEXT = (  # 27 words: too few for a score
    "We opened a new office in the city. It is next to the station. "
    "There is room for two hundred people and a garden on the roof."
)
LONG_TITLE = "Leverage our synergies to facilitate a new office next to the station today"


def test_panel_counts_and_scores_the_text_without_the_title(client_as, comms_user):
    response = panel(client_as(comms_user), title=LONG_TITLE, body=SHORT_TEXT)
    report = response.context["report"]
    assert (report.words, report.sentences) == (27, 3)
    assert report.reason == "too_short"  # with the title's 13 words it would be scored
    assert report.score is None
    assert report.jargon == ()  # "leverage", "facilitate" are in the title only
    assert "27 words, 3 sentences" in response.content.decode()


def test_every_place_that_scores_an_item_ignores_its_title(client_as, comms_user):
    """The panel, the stored report (list badges, the publish check) and the publish page
    agree, because they all score through publishing.rules.plain_language_check."""
    from ambassadors.publishing.items import item_create
    from ambassadors.publishing.rules import plain_language_check

    report = plain_language_check(title=LONG_TITLE, body=SHORT_TEXT, language="en")
    without_title = plain_language_check(title="", body=SHORT_TEXT, language="en")
    assert report == without_title
    item = item_create(by=comms_user, title=LONG_TITLE, body=SHORT_TEXT, language="en")
    assert item.plain_language == without_title.as_dict()
    shown = panel(client_as(comms_user), title=LONG_TITLE, body=SHORT_TEXT)
    assert shown.context["report"] == without_title

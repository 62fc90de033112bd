"""The disclosure line ("#employee" / "#medewerker", a site setting with a per-item
override) reaches every post, also when the ambassador replaces the suggested text: the
share service adds it after the text unless the text holds it already, for every network
and the phone's share sheet, and the counters count it."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from ambassadors import intents
from ambassadors.models import SiteSettings, TrackedLink
from ambassadors.sharing import share_intent
from ambassadors.tests.factories import ItemFactory, ShareTextFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    SiteSettings.load()
    return ItemFactory(live=True, slug="office", title="Our new office", language="en")


def _post(client, item, network, text, **extra):
    response = client.post(f"/items/{item.slug}/share/{network}/", {"text": text, **extra})
    link = TrackedLink.objects.get(network=network)
    return response, f"http://testserver/s/{link.code}"


def _param(location: str, name: str) -> str:
    return parse_qs(urlsplit(location).query)[name][0]


@pytest.mark.parametrize(
    ("network", "post_of"),
    [
        # The post each network gets, from the intent URL; the link after the line.
        ("linkedin", lambda loc, link: _param(loc, "text")),
        ("threads", lambda loc, link: _param(loc, "text")),
        ("bluesky", lambda loc, link: _param(loc, "text")),
        ("whatsapp", lambda loc, link: _param(loc, "text")),
        ("mastodon", lambda loc, link: _param(loc, "text")),
        ("x", lambda loc, link: f"{_param(loc, 'text')}\n\n{_param(loc, 'url')}"),
        (
            "email",
            lambda loc, link: unquote(loc.split("body=", 1)[1]).replace("\r\n", "\n"),
        ),
    ],
)
def test_an_edited_text_gets_the_disclosure_on_every_network(
    client_as, ambassador, item, network, post_of
):
    ambassador.mastodon_instance = "mastodon.social"
    ambassador.save()
    response, link = _post(client_as(ambassador.user), item, network, "My own words")
    assert response.status_code == 302
    post = post_of(response["Location"], link)
    separator = "\n" if network == "bluesky" else "\n\n"
    assert post == f"My own words\n\n#employee{separator}{link}"


@pytest.mark.parametrize("network", ["facebook", "copy"])
def test_the_text_to_paste_holds_the_disclosure(client_as, ambassador, item, network):
    """Facebook takes only the link and copy has no share page: the copied text has it."""
    client = client_as(ambassador.user)
    response = client.post(
        f"/items/{item.slug}/share/{network}/",
        {"text": "My own words"},
        headers={"HX-Request": "true"},
    )
    link = TrackedLink.objects.get(network=network)
    html = response.content.decode()
    url = f"http://testserver/s/{link.code}"
    assert 'data-share-text="My own words\n\n#employee"' in html
    if network == "copy":
        assert f">My own words\n\n#employee\n\n{url}</textarea>" in html


def test_the_phone_share_sheet_gets_the_line_and_the_page_says_so(client_as, ambassador, item):
    client = client_as(ambassador.user)
    page = client.get(f"/items/{item.slug}/").content.decode()
    assert (
        'id="text-native" lang="en" name="text" rows="5" maxlength="5000" '
        'data-disclosure="#employee">Our new office</textarea>' in page
    )
    response = client.post(
        f"/items/{item.slug}/share/native/",
        {"text": "From my phone"},
        headers={"HX-Request": "true"},
    )
    assert 'data-share-text="From my phone\n\n#employee"' in response.content.decode()


@pytest.mark.parametrize(
    "text",
    ["Proud of it.\n\n#employee", "Proud #employee of it.", "#employee Proud of it."],
)
def test_a_text_that_holds_the_line_gets_it_once(ambassador, item, text):
    result = share_intent(ambassador=ambassador, item=item, network="linkedin", text=text)
    post = _param(result["intent"], "text")
    assert post.count("#employee") == 1
    assert post == f"{text}\n\n{result['url']}"


def test_a_suggested_text_with_the_line_shows_it_once(client_as, ambassador, item):
    ShareTextFactory(item=item, network="linkedin", text="Proud of it. #employee")
    ambassador.networks = ["linkedin"]
    ambassador.save()
    response = client_as(ambassador.user).get(f"/items/{item.slug}/")
    option = response.context["options"][0]
    assert (option.network, option.text, option.adds_disclosure) == (
        "linkedin",
        "Proud of it. #employee",
        False,
    )
    html = response.content.decode()
    assert (
        '<p class="helptext share-disclosure" data-disclosure-line hidden>'
        "We add this line after your text: #employee</p>"
    ) in html


@pytest.mark.parametrize(
    ("language", "override", "line"),
    [("nl", "", "#medewerker"), ("en", "#colleague", "#colleague"), ("nl", "#collega", "#collega")],
)
def test_the_line_follows_the_item_language_and_its_override(ambassador, language, override, line):
    SiteSettings.load()
    item = ItemFactory(live=True, language=language, disclosure=override)
    result = share_intent(ambassador=ambassador, item=item, network="threads", text="Kijk")
    assert _param(result["intent"], "text") == f"Kijk\n\n{line}\n\n{result['url']}"


@pytest.mark.parametrize(("network", "limit"), [("x", 280), ("bluesky", 300), ("threads", 500)])
def test_shortening_keeps_the_line_and_the_post_fits(ambassador, item, network, limit):
    text = "Wij openen een nieuw kantoor in Utrecht " * 20
    result = share_intent(ambassador=ambassador, item=item, network=network, text=text)
    assert result["shortened"]
    sent = intents.fit(network, result["text"], result["url"], keep="#employee")
    assert sent.endswith("…\n\n#employee")
    assert intents.post_length(network, sent, result["url"]) <= limit


def test_an_empty_text_still_carries_the_line(ambassador, item):
    result = share_intent(ambassador=ambassador, item=item, network="linkedin", text="  ")
    assert _param(result["intent"], "text") == f"#employee\n\n{result['url']}"


@pytest.mark.parametrize(
    ("network", "link_length"),
    # What the counter adds for the link: X and Mastodon 23, Bluesky a new line, the rest
    # an empty line, plus the tracked link (http://testserver/s/ + 10).
    [("x", 24), ("bluesky", 31), ("threads", 32), ("mastodon", 25), ("linkedin", 32)],
)
def test_the_live_counter_gets_the_line_and_the_link(
    client_as, ambassador, item, network, link_length
):
    page = client_as(ambassador.user).get(f"/items/{item.slug}/").content.decode()
    assert (
        f'data-count="{network}" data-limit="{intents.POST_LIMITS[network]}" '
        f'data-link-length="{link_length}" aria-describedby="count-{network}" '
        'data-disclosure="#employee">Our new office</textarea>'
    ) in page

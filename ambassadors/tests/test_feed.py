"""The ambassador's feed: targeting, order, translations, filters, search, paging."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.feed import feed_page, items_for_feed
from ambassadors.models import Item
from ambassadors.tests.factories import (
    AmbassadorFactory,
    DepartmentFactory,
    ItemFactory,
    ShareFactory,
    ShareTextFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def titles(ambassador, **filters):
    return [item.title for item in items_for_feed(ambassador=ambassador, **filters)]


def test_feed_shows_live_items_only(ambassador):
    now = timezone.now()
    ItemFactory(live=True, title="Live")
    ItemFactory(title="Draft")
    ItemFactory(status=Item.Status.IN_REVIEW, title="In review")
    ItemFactory(status=Item.Status.ARCHIVED, publish_at=now - timedelta(days=1), title="Old")
    ItemFactory(live=True, publish_at=now + timedelta(hours=1), title="Scheduled")
    ItemFactory(live=True, expires_at=now - timedelta(minutes=1), title="Expired")
    ItemFactory(live=True, expires_at=now + timedelta(days=1), title="Expires later")
    assert sorted(titles(ambassador)) == ["Expires later", "Live"]


def test_scheduled_item_appears_when_its_time_comes(ambassador, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    ItemFactory(live=True, publish_at=now + timedelta(hours=2), title="Later")
    ItemFactory(live=True, expires_at=now + timedelta(hours=3), title="Until three")
    assert titles(ambassador) == ["Until three"]
    time_machine.move_to(now + timedelta(hours=2, seconds=1), tick=False)
    assert sorted(titles(ambassador)) == ["Later", "Until three"]
    time_machine.move_to(now + timedelta(hours=3), tick=False)
    assert titles(ambassador) == ["Later"]


def test_feed_respects_the_audience(guidelines):
    sales, it = DepartmentFactory(name="Sales"), DepartmentFactory(name="IT")
    seller = AmbassadorFactory(department=sales)
    nobody = AmbassadorFactory(department=None)
    ItemFactory(live=True, title="Everyone")
    ItemFactory(live=True, title="For sales", audience=[sales])
    ItemFactory(live=True, title="For IT", audience=[it])
    ItemFactory(live=True, title="For both", audience=[sales, it])
    assert sorted(titles(seller)) == ["Everyone", "For both", "For sales"]
    assert titles(nobody) == ["Everyone"]


@pytest.mark.parametrize(
    ("content_languages", "expected"),
    [
        ("en", ["English story"]),
        ("nl", ["Nederlands verhaal"]),
        ("both", ["English story", "Nederlands verhaal"]),
    ],
)
def test_feed_respects_content_languages(guidelines, content_languages, expected):
    reader = AmbassadorFactory(content_languages=content_languages)
    ItemFactory(live=True, language="en", title="English story")
    ItemFactory(live=True, language="nl", title="Nederlands verhaal")
    assert sorted(titles(reader)) == expected


@pytest.mark.parametrize(
    ("interface", "expected"),
    [("nl", ["Nieuw kantoor", "Only English"]), ("en", ["New office", "Only English"])],
)
def test_bilingual_ambassador_sees_one_version_of_a_story(guidelines, interface, expected):
    reader = AmbassadorFactory(content_languages="both", language=interface)
    original = ItemFactory(live=True, language="en", title="New office")
    ItemFactory(live=True, language="nl", title="Nieuw kantoor", translation_of=original)
    ItemFactory(live=True, language="en", title="Only English")
    assert sorted(titles(reader)) == expected


def test_translation_shows_when_the_preferred_version_is_not_live(guidelines):
    reader = AmbassadorFactory(content_languages="both", language="nl")
    original = ItemFactory(live=True, language="en", title="New office")
    ItemFactory(language="nl", title="Nieuw kantoor", translation_of=original)  # draft
    assert titles(reader) == ["New office"]


def test_language_filter_shows_that_version_even_if_another_is_preferred(guidelines):
    reader = AmbassadorFactory(content_languages="both", language="nl")
    original = ItemFactory(live=True, language="en", title="New office")
    ItemFactory(live=True, language="nl", title="Nieuw kantoor", translation_of=original)
    assert titles(reader, language="en") == ["New office"]


def test_order_urgent_featured_followed_then_newest(guidelines):
    jobs = TopicFactory(slug="jobs", name="Jobs")
    reader = AmbassadorFactory(topics=[jobs])
    now = timezone.now()
    ItemFactory(live=True, title="Newest", publish_at=now - timedelta(minutes=1))
    ItemFactory(live=True, title="Old", publish_at=now - timedelta(days=3))
    ItemFactory(live=True, title="Followed", topics=[jobs], publish_at=now - timedelta(days=2))
    ItemFactory(live=True, title="Featured", is_featured=True, publish_at=now - timedelta(days=4))
    ItemFactory(live=True, title="Urgent", is_urgent=True, publish_at=now - timedelta(days=5))
    assert titles(reader) == ["Urgent", "Featured", "Followed", "Newest", "Old"]


def test_filters_topic_and_network(ambassador):
    jobs = TopicFactory(slug="jobs", name="Jobs")
    job = ItemFactory(live=True, title="We are hiring", topics=[jobs])
    other = ItemFactory(live=True, title="Other news")
    ShareTextFactory(item=other, network="x", text="Short")
    ShareTextFactory(item=job, network="linkedin", text="Long")
    assert titles(ambassador, topic="jobs") == ["We are hiring"]
    # Every live item can be shared on every network: a text written for one is a
    # suggestion, not a condition, so the network filter hides nothing.
    assert titles(ambassador, network="x") == ["Other news", "We are hiring"]
    assert titles(ambassador, network="bluesky") == ["Other news", "We are hiring"]


def test_network_filter_shows_every_shareable_post_and_leads_to_that_network(
    client_as, ambassador, django_assert_num_queries
):
    for n in range(5):
        item = ItemFactory(live=True, title=f"Post {n}", slug=f"post-{n}")
        ShareTextFactory(item=item, network="linkedin", text="For LinkedIn")
    client = client_as(ambassador.user)
    client.get("/")
    with django_assert_num_queries(13):
        page = client.get("/?network=whatsapp").content.decode()
    assert "Nothing matches" not in page
    for n in range(5):
        assert f'href="/items/post-{n}/?network=whatsapp#share-whatsapp"' in page
    assert page.count("Share on WhatsApp") == 5
    detail = client.get("/items/post-0/?network=whatsapp").content.decode()
    assert '<details class="share-option" id="share-whatsapp" open>' in detail


def test_featured_story_stays_featured_in_its_translation(guidelines):
    now = timezone.now()
    dutch_reader = AmbassadorFactory(language="nl", content_languages="nl")
    original = ItemFactory(
        live=True, title="Big news", is_featured=True, publish_at=now - timedelta(days=9)
    )
    ItemFactory(live=True, language="nl", title="Nieuwer", publish_at=now - timedelta(days=1))
    ItemFactory(
        live=True,
        language="nl",
        title="Groot nieuws",
        translation_of=original,
        publish_at=now - timedelta(days=8),
    )
    assert titles(dutch_reader) == ["Groot nieuws", "Nieuwer"]
    rows, _more = feed_page(
        items_for_feed(ambassador=dutch_reader), ambassador=dutch_reader, page=1
    )
    assert [(row.title, row.featured) for row in rows] == [
        ("Groot nieuws", True),
        ("Nieuwer", False),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("office", ["New office in Utrecht"]),
        ("UTRECHT", ["New office in Utrecht"]),
        ("fiets", ["Met de fiets naar het werk"]),
        ("nothing here", []),
    ],
)
def test_search(ambassador, query, expected):
    ItemFactory(live=True, title="New office in Utrecht", body="Come and visit.")
    ItemFactory(live=True, language="nl", title="Met de fiets naar het werk", body="Wij fietsen.")
    ItemFactory(live=True, title="Annual report", body="Numbers.")
    assert titles(ambassador, query=query) == expected


@pytest.mark.services("postgres")
def test_full_text_search_stems_words_on_postgresql(ambassador):
    ItemFactory(live=True, title="We opened offices", body="Come and visit.")
    ItemFactory(live=True, language="nl", title="Nieuwe kantoren", body="Wij fietsen graag.")
    assert titles(ambassador, query="office") == ["We opened offices"]
    assert titles(ambassador, query="fietsen") == ["Nieuwe kantoren"]


def test_feed_page_renders_with_filters_and_marks_my_shares(client_as, ambassador):
    mine = ItemFactory(live=True, title="Shared before")
    ItemFactory(live=True, title="Not shared")
    ShareFactory(ambassador=ambassador, item=mine)
    response = client_as(ambassador.user).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("You shared this") == 1
    assert f'href="/items/{mine.slug}/"' in html
    response = client_as(ambassador.user).get("/", {"q": "before"})
    assert [i.title for i in response.context["items"]] == ["Shared before"]


def test_load_more_with_htmx_and_plain_pages(client_as, ambassador):
    now = timezone.now()
    for n in range(25):
        ItemFactory(live=True, title=f"Story {n:02d}", publish_at=now - timedelta(minutes=n))
    client = client_as(ambassador.user)
    first = client.get("/")
    assert len(first.context["items"]) == 20
    assert 'hx-get="?page=2"' in first.content.decode()
    more = client.get("/", {"page": "2"}, headers={"HX-Request": "true"})
    html = more.content.decode()
    assert "<html" not in html
    assert html.count('class="card item-card') == 5
    assert "Story 24" in html
    assert 'hx-swap-oob="outerHTML"' in html
    assert "Show more" not in html
    plain = client.get("/", {"page": "2"})
    assert [i.title for i in plain.context["items"]][-1] == "Story 24"
    assert 'href="?page=1"' in plain.content.decode()


def test_load_more_keeps_the_filters(client_as, ambassador):
    for n in range(21):
        ItemFactory(live=True, title=f"Office {n}", language="en")
    response = client_as(ambassador.user).get("/", {"q": "office", "language": "en"})
    assert 'hx-get="?q=office&amp;language=en&amp;page=2"' in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_feed_query_count_does_not_grow_with_items(
    client_as, ambassador, django_assert_num_queries, count
):
    jobs = TopicFactory(slug="jobs", name="Jobs")
    ambassador.topics.set([jobs])
    for n in range(count):
        item = ItemFactory(
            live=True, topics=[jobs, TopicFactory()], language="en" if n % 2 else "nl"
        )
        ShareTextFactory(item=item)
        ShareFactory(ambassador=ambassador, item=item)
    client = client_as(ambassador.user)
    client.get("/")  # warm the session
    with django_assert_num_queries(13):
        response = client.get("/")
    assert len(response.context["items"]) == min(count, 20)


def test_card_excerpt_is_plain_text_and_escaped(client_as, ambassador):
    ItemFactory(
        live=True,
        body="## Big news\n\nWe opened a **new office** in [Utrecht](https://x.nl). <b>Hi</b>",
    )
    html = client_as(ambassador.user).get("/").content.decode()
    assert (
        '<p class="card-excerpt">Big news We opened a new office in Utrecht. '
        "&lt;b&gt;Hi&lt;/b&gt;</p>"
    ) in html


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["9999999999999999999", "100000000", "-3", "x"])
def test_odd_page_numbers_answer_normally(client_as, ambassador, page):
    response = client_as(ambassador.user).get("/", {"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("Open from 10 to 4. Bring your family.", "Open from 10 to 4. Bring your family."),
        ("Score 5 - 10 and 3 + 4 here", "Score 5 - 10 and 3 + 4 here"),
        (
            "# Title\n\n- one\n  * two\n1. first\n> quote **bold** _it_",
            "Title one two first quote bold it",
        ),
    ],
)
def test_card_excerpt_removes_markup_but_keeps_every_word(markdown, plain):
    from ambassadors.templatetags.feed_tags import excerpt

    assert excerpt(markdown) == plain

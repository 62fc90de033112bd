"""Suggestions: ambassadors send links, comms accept them into drafts or decline with a reason."""

import pytest
from django.test import Client
from django.utils import timezone

from ambassadors.models import Item, ItemEvent, Suggestion
from ambassadors.tests import report_data
from ambassadors.tests.factories import AmbassadorFactory, SuggestionFactory

QUEUE_QUERIES = 7


@pytest.fixture
def suggester(db, guidelines):
    return AmbassadorFactory(user__first_name="Sam", user__last_name="Idea")


def test_an_ambassador_sends_a_suggestion(client_as, suggester):
    client = client_as(suggester.user)
    response = client.post(
        "/suggestions/", {"link": "https://news.example.com/story?id=1", "note": "Great story"}
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.ambassador, suggestion.link, suggestion.note, suggestion.status) == (
        suggester,
        "https://news.example.com/story?id=1",
        "Great story",
        "new",
    )
    html = client.get("/suggestions/").content.decode()
    assert "https://news.example.com/story?id=1" in html
    assert "The comms team has not looked at it yet." in html


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "ftp://files.example.com/a", "not a link", "", "data:text/html,hi"],
)
def test_only_web_links_are_accepted(client_as, suggester, link):
    response = client_as(suggester.user).post("/suggestions/", {"link": link, "note": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["link"]
    assert not Suggestion.objects.exists()


def test_suggestions_are_rate_limited(client_as, suggester, settings):
    settings.SUGGESTION_RATE_LIMIT = (2, 3600)
    client = client_as(suggester.user)
    for n in range(2):
        response = client.post("/suggestions/", {"link": f"https://example.com/{n}"})
        assert response.status_code == 302
    response = client.post("/suggestions/", {"link": "https://example.com/3"})
    assert response.status_code == 429
    assert "You sent many suggestions in a short time." in response.content.decode()
    assert Suggestion.objects.count() == 2


def test_nobody_sees_the_suggestions_of_someone_else(client_as, suggester):
    SuggestionFactory(ambassador=suggester, link="https://example.com/secret-idea")
    other = AmbassadorFactory()
    html = client_as(other.user).get("/suggestions/").content.decode()
    assert "secret-idea" not in html
    assert "You have not sent any suggestions yet." in html


def test_accepting_creates_a_draft_that_credits_the_suggester(client_as, comms_user, suggester):
    suggestion = SuggestionFactory(
        ambassador=suggester,
        link="https://example.com/solar",
        note="Our solar roof is in the paper\nPage 3 of the local paper.",
    )
    suggester.language = "nl"  # the draft takes the suggester's language
    suggester.save(update_fields=["language"])
    response = client_as(comms_user).post(f"/studio/suggestions/{suggestion.pk}/accept/")
    assert response.status_code == 302
    item = Item.objects.get()
    assert response["Location"] == f"/studio/items/{item.pk}/edit/"  # straight to the draft
    assert item.status == Item.Status.DRAFT
    assert item.title == "Our solar roof is in the paper"
    assert item.slug == "our-solar-roof-is-in-the-paper"
    assert item.link == "https://example.com/solar"
    assert item.body == suggestion.note
    assert item.author == comms_user
    assert item.language == "nl"
    event = ItemEvent.objects.get(item=item)
    assert (event.action, event.actor, event.note) == (
        ItemEvent.Action.CREATED,
        comms_user,
        "From a suggestion by Sam Idea.",
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.item, suggestion.decided_by) == (
        "accepted",
        item,
        comms_user,
    )


def test_a_title_comes_from_the_link_when_there_is_no_note(client_as, comms_user, suggester):
    suggestion = SuggestionFactory(ambassador=suggester, link="https://example.com/a/b/", note="")
    client_as(comms_user).post(f"/studio/suggestions/{suggestion.pk}/accept/")
    assert Item.objects.get().title == "example.com/a/b"


def test_a_suggestion_is_accepted_only_once(client_as, comms_user, comms_user_2, suggester):
    suggestion = SuggestionFactory(ambassador=suggester)
    client_as(comms_user).post(f"/studio/suggestions/{suggestion.pk}/accept/")
    client = client_as(comms_user_2)
    client.post(f"/studio/suggestions/{suggestion.pk}/accept/")
    client.post(f"/studio/suggestions/{suggestion.pk}/decline/", {"reason": "Too late"})
    assert Item.objects.count() == 1
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by, suggestion.decline_reason) == (
        "accepted",
        comms_user,
        "",
    )
    response = client.get("/studio/suggestions/")
    assert "Someone already handled this suggestion." in response.content.decode()


def test_declining_shows_the_reason_to_the_suggester(client_as, comms_user, suggester):
    suggestion = SuggestionFactory(ambassador=suggester)
    response = client_as(comms_user).post(
        f"/studio/suggestions/{suggestion.pk}/decline/",
        {"reason": "We shared this last week already."},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decline_reason) == (
        "declined",
        "We shared this last week already.",
    )
    assert not Item.objects.exists()
    html = client_as(suggester.user).get("/suggestions/").content.decode()
    assert "We shared this last week already." in html
    assert "Not this time" in html


def test_declining_needs_a_reason(client_as, comms_user, suggester):
    suggestion = SuggestionFactory(ambassador=suggester)
    client = client_as(comms_user)
    client.post(f"/studio/suggestions/{suggestion.pk}/decline/", {"reason": "  "})
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decline_reason, suggestion.decided_at) == (
        "new",
        "",
        None,
    )
    assert "Write a short reason" in client.get("/studio/suggestions/").content.decode()


def test_an_accepted_item_is_linked_once_it_is_published(client_as, comms_user, suggester):
    suggestion = SuggestionFactory(ambassador=suggester, note="Nice")
    client_as(comms_user).post(f"/studio/suggestions/{suggestion.pk}/accept/")
    html = client_as(suggester.user).get("/suggestions/").content.decode()
    assert "The comms team is writing a post about it." in html
    assert "/items/nice/" not in html
    Item.objects.update(status=Item.Status.PUBLISHED, publish_at=timezone.now())
    html = client_as(suggester.user).get("/suggestions/").content.decode()
    assert '<a href="/items/nice/">' in html


@pytest.mark.parametrize(("count", "shares"), [(3, 10), (30, 1000)])
def test_queue_queries_do_not_grow(client_as, comms_user, django_assert_num_queries, count, shares):
    report_data.bulk_activity(shares=shares)
    SuggestionFactory.create_batch(count)
    client = client_as(comms_user)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get("/studio/suggestions/")
    assert len(response.context["page"].object_list) == min(count, 20)


def test_decided_suggestions_are_listed_with_their_outcome(client_as, comms_user, suggester):
    declined = SuggestionFactory(ambassador=suggester, link="https://example.com/no")
    client = client_as(comms_user)
    client.post(f"/studio/suggestions/{declined.pk}/decline/", {"reason": "Off topic"})
    html = client.get("/studio/suggestions/", {"status": "declined"}).content.decode()
    assert "https://example.com/no" in html
    assert "Off topic" in html
    assert "https://example.com/no" not in client.get("/studio/suggestions/").content.decode()


STUDIO_URLS = [
    ("get", "/studio/suggestions/"),
    ("post", "/studio/suggestions/{pk}/accept/"),
    ("post", "/studio/suggestions/{pk}/decline/"),
    ("get", "/studio/reports/"),
    ("get", "/studio/reports/over-time.csv"),
]


@pytest.mark.parametrize(("method", "url"), STUDIO_URLS)
def test_studio_pages_need_comms(client, client_as, suggester, method, url):
    suggestion = SuggestionFactory(ambassador=suggester)
    url = url.format(pk=suggestion.pk)
    response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = getattr(client_as(suggester.user), method)(url, {"reason": "x"})
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == "new"
    assert not Item.objects.exists()


def test_accept_and_decline_are_post_only(client_as, comms_user, suggester):
    suggestion = SuggestionFactory(ambassador=suggester)
    client = client_as(comms_user)
    assert client.get(f"/studio/suggestions/{suggestion.pk}/accept/").status_code == 405
    assert client.get(f"/studio/suggestions/{suggestion.pk}/decline/").status_code == 405


def test_accept_needs_the_csrf_token(comms_user, suggester):
    suggestion = SuggestionFactory(ambassador=suggester)
    client = Client(enforce_csrf_checks=True)
    client.force_login(comms_user)
    assert client.post(f"/studio/suggestions/{suggestion.pk}/accept/").status_code == 403
    assert not Item.objects.exists()


def test_suggestions_page_is_for_ambassadors(client, client_as, employee):
    assert client.get("/suggestions/")["Location"].startswith("/accounts/login/")
    response = client_as(employee).post("/suggestions/", {"link": "https://example.com"})
    assert response["Location"] == "/join/"
    assert not Suggestion.objects.exists()

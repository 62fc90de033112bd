"""One ambassador can never read or change another's shares, suggestions, preferences or data."""

import json

import pytest
from django.urls import reverse

from ambassadors.models import Share
from ambassadors.tests.factories import AmbassadorFactory, ShareFactory, SuggestionFactory


@pytest.fixture
def other(guidelines):
    return AmbassadorFactory(user__email="other@example.com", mastodon_instance="other.social")


@pytest.fixture
def their_share(other):
    return ShareFactory(ambassador=other, post_url="https://example.com/posts/other")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ambassadors:share_confirm", "ambassadors:share_undo"])
def test_another_ambassadors_share_cannot_be_changed(client_as, ambassador, their_share, name):
    response = client_as(ambassador.user).post(
        reverse(name, args=[their_share.pk]), {"post_url": "https://evil.example/"}
    )
    assert response.status_code == 404
    unchanged = Share.objects.get(pk=their_share.pk)
    assert unchanged.undone_at is None
    assert unchanged.confirmed_at is None
    assert unchanged.post_url == "https://example.com/posts/other"


@pytest.mark.django_db
def test_pages_show_only_the_requesters_own_things(client_as, ambassador, other, their_share):
    SuggestionFactory(ambassador=other, link="https://example.com/their-idea")
    client = client_as(ambassador.user)
    assert "their-idea" not in client.get(reverse("ambassadors:suggestions")).content.decode()
    assert "other.social" not in client.get(reverse("ambassadors:preferences")).content.decode()
    data = json.loads(client.get(reverse("ambassadors:my_data_export")).content)
    assert data["account"]["email"] == "amber@example.com"
    assert data["shares"] == []
    impact = client.get(reverse("ambassadors:impact")).content.decode()
    assert their_share.item.title not in impact


@pytest.mark.django_db
def test_preferences_are_saved_on_the_requester_only(client_as, ambassador, other):
    client_as(ambassador.user).post(
        reverse("ambassadors:preferences"),
        {"language": "nl", "content_languages": "nl", "digest_weekday": "2",
         "time_zone": "Europe/Amsterdam", "pk": other.pk, "user": other.user_id},
    )  # fmt: skip
    other.refresh_from_db()
    ambassador.refresh_from_db()
    assert (other.language, other.content_languages, other.digest_weekday) == ("en", "both", 1)
    assert (ambassador.language, ambassador.digest_weekday) == ("nl", 2)
    assert ambassador.user.email == "amber@example.com"

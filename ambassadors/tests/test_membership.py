"""Opt-in, preferences, opt-out and re-acceptance of new guidelines."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Ambassador
from ambassadors.tests.factories import (
    AmbassadorFactory,
    DepartmentFactory,
    GuidelinesFactory,
    TopicFactory,
)

AMBASSADOR_PAGES = ["ambassadors:preferences"]


@pytest.mark.django_db
def test_an_employee_sees_the_invitation_and_the_guidelines(client_as, employee, guidelines):
    client = client_as(employee)
    home = client.get("/").content.decode()
    assert "Help us tell our story" in home
    join = client.get(reverse("ambassadors:join")).content.decode()
    assert "Share what you like." in join
    assert "Version 1" in join


@pytest.mark.django_db
def test_the_guidelines_show_in_dutch_for_a_dutch_reader(client_as, employee, guidelines):
    client = client_as(employee)
    client.cookies["portal_language"] = "nl"
    assert "Deel wat je leuk vindt." in client.get(reverse("ambassadors:join")).content.decode()


@pytest.mark.django_db
def test_joining_needs_the_tick_and_then_leads_to_preferences(client_as, employee, guidelines):
    client = client_as(employee)
    response = client.post(reverse("ambassadors:join"), {})
    assert response.status_code == 200
    assert "Tick the box to join." in response.content.decode()
    assert not Ambassador.objects.exists()

    response = client.post(reverse("ambassadors:join"), {"accept": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ambassadors:preferences")
    ambassador = Ambassador.objects.get(user=employee)
    assert ambassador.guidelines_version == 1
    assert ambassador.is_active
    assert "Ready to share" in client.get("/").content.decode()


@pytest.mark.django_db
def test_preferences_are_saved(client_as, ambassador):
    department = DepartmentFactory(name="Sales")
    topic = TopicFactory(slug="jobs", name="Jobs")
    response = client_as(ambassador.user).post(
        reverse("ambassadors:preferences"),
        {
            "language": "nl",
            "content_languages": "nl",
            "department": department.pk,
            "topics": [topic.pk],
            "networks": ["linkedin", "mastodon"],
            "mastodon_instance": "https://Mastodon.Social/",
            "digest_enabled": "on",
            "digest_weekday": "3",
            "leaderboard_visible": "on",
            "time_zone": "America/New_York",
        },
    )
    assert response.status_code == 302
    ambassador.refresh_from_db()
    assert ambassador.language == "nl"
    assert ambassador.content_languages == "nl"
    assert ambassador.department == department
    assert list(ambassador.topics.all()) == [topic]
    assert ambassador.networks == ["linkedin", "mastodon"]
    assert ambassador.mastodon_instance == "mastodon.social"
    assert ambassador.digest_enabled is True
    assert ambassador.digest_weekday == 3
    assert ambassador.urgent_alerts is False
    assert ambassador.leaderboard_visible is True
    assert ambassador.time_zone == "America/New_York"


@pytest.mark.django_db
def test_bad_preferences_are_explained_and_nothing_changes(client_as, ambassador):
    response = client_as(ambassador.user).post(
        reverse("ambassadors:preferences"),
        {
            "language": "en",
            "content_languages": "both",
            "mastodon_instance": "not a server/path",
            "digest_weekday": "9",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter only the server name" in page
    assert "Select a valid choice" in page
    ambassador.refresh_from_db()
    assert ambassador.mastodon_instance == ""
    assert ambassador.digest_weekday == 1
    assert ambassador.time_zone == "Europe/Amsterdam"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "server", ["my_server.social", "a.b?x", "mastodon.social/about", "no dots", "https://m.nl/x"]
)
def test_a_mastodon_server_the_share_button_cannot_use_is_refused(client_as, ambassador, server):
    response = client_as(ambassador.user).post(
        reverse("ambassadors:preferences"),
        {"language": "en", "content_languages": "both", "digest_weekday": "1",
         "time_zone": "Europe/Amsterdam", "mastodon_instance": server},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Enter only the server name" in response.content.decode()
    ambassador.refresh_from_db()
    assert ambassador.mastodon_instance == ""


@pytest.mark.django_db
def test_opting_out_takes_effect_at_once_and_can_be_undone(client_as, ambassador):
    client = client_as(ambassador.user)
    response = client.post(reverse("ambassadors:opt_out"))
    assert response.status_code == 302
    ambassador.refresh_from_db()
    assert ambassador.opted_out_at is not None
    assert not Ambassador.objects.active().filter(pk=ambassador.pk).exists()
    page = client.get("/").content.decode()
    assert "You left the programme" in page
    assert client.get(reverse("ambassadors:preferences")).status_code == 302

    client.post(reverse("ambassadors:rejoin"))
    ambassador.refresh_from_db()
    assert ambassador.opted_out_at is None
    assert Ambassador.objects.active().filter(pk=ambassador.pk).exists()


@pytest.mark.django_db
def test_opt_out_needs_a_post(client_as, ambassador):
    assert client_as(ambassador.user).get(reverse("ambassadors:opt_out")).status_code == 405
    ambassador.refresh_from_db()
    assert ambassador.opted_out_at is None


@pytest.mark.django_db
def test_a_new_guidelines_version_asks_for_acceptance_again(client_as, ambassador):
    client = client_as(ambassador.user)
    banner = "Our guidelines have changed"
    assert banner not in client.get("/").content.decode()
    GuidelinesFactory(version=2, body_en="Version two: be kind.")
    assert banner in client.get("/").content.decode()
    assert banner in client.get(reverse("ambassadors:preferences")).content.decode()
    assert "Accept the new guidelines" in client.get(reverse("ambassadors:join")).content.decode()

    response = client.post(reverse("ambassadors:join"), {"accept": "on"})
    assert response["Location"] == reverse("ambassadors:home")
    ambassador.refresh_from_db()
    assert ambassador.guidelines_version == 2
    assert banner not in client.get("/").content.decode()


@pytest.mark.django_db
def test_unpublished_future_guidelines_do_not_count_yet(client_as, ambassador):
    GuidelinesFactory(version=5, published_at=timezone.now() + timezone.timedelta(days=3))
    assert "Our guidelines have changed" not in client_as(ambassador.user).get("/").content.decode()


@pytest.mark.django_db
def test_rejoining_after_a_new_version_asks_for_the_new_guidelines(client_as, ambassador):
    client = client_as(ambassador.user)
    client.post(reverse("ambassadors:opt_out"))
    GuidelinesFactory(version=2)
    response = client.post(reverse("ambassadors:rejoin"))
    assert response["Location"] == reverse("ambassadors:join")
    ambassador.refresh_from_db()
    assert ambassador.opted_out_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("page", AMBASSADOR_PAGES)
def test_a_non_ambassador_cannot_reach_ambassador_pages(client, client_as, employee, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client_as(employee).get(reverse(page))
    assert response.status_code == 302
    assert response["Location"] == reverse("ambassadors:join")


@pytest.mark.django_db
def test_the_users_language_setting_wins_over_the_cookie(client_as, guidelines):
    ambassador = AmbassadorFactory(language="nl")
    client = client_as(ambassador.user)
    client.cookies["portal_language"] = "en"
    assert '<html lang="nl">' in client.get(reverse("ambassadors:preferences")).content.decode()


@pytest.mark.django_db
def test_the_language_switcher_stores_the_choice(client_as, ambassador):
    client = client_as(ambassador.user)
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/me/preferences/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/preferences/"
    ambassador.refresh_from_db()
    assert ambassador.language == "nl"
    page = client.get(reverse("ambassadors:preferences")).content.decode()
    assert "<h1>Je voorkeuren</h1>" in page


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example"])
def test_the_language_switcher_never_redirects_off_site(client, target):
    response = client.post(reverse("set_language"), {"language": "nl", "next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "saved"),
    [("https://Fosstodon.org/@dirk", "fosstodon.org"), ("https://Hachyderm.io/", "hachyderm.io")],
)
def test_mastodon_server_one_rule_for_preferences_and_share_button(
    client_as, ambassador, typed, saved
):
    """The same typing is accepted (and cleaned up) in the preferences and on the item page."""
    from ambassadors.tests.factories import ItemFactory

    client = client_as(ambassador.user)
    response = client.post(
        reverse("ambassadors:preferences"),
        {"language": "en", "content_languages": "both", "digest_weekday": "1",
         "time_zone": "Europe/Amsterdam", "mastodon_instance": typed},
    )  # fmt: skip
    assert response.status_code == 302
    ambassador.refresh_from_db()
    assert ambassador.mastodon_instance == saved
    ambassador.mastodon_instance = ""
    ambassador.save()
    item = ItemFactory(live=True, slug="n")
    response = client.post("/items/n/share/mastodon/", {"text": "Hoi", "instance": typed})
    assert response["Location"].startswith(f"https://{saved}/share?text=Hoi")
    ambassador.refresh_from_db()
    assert ambassador.mastodon_instance == saved
    assert item.shares.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [("nl", "en", "Your preferences are saved."), ("en", "nl", "Je voorkeuren zijn opgeslagen.")],
)
def test_the_saved_message_is_in_the_language_just_chosen(client_as, old, new, expected):
    ambassador = AmbassadorFactory(language=old)
    client = client_as(ambassador.user)
    client.cookies["portal_language"] = old
    response = client.post(
        reverse("ambassadors:preferences"),
        {
            "language": new,
            "content_languages": "both",
            "networks": ["linkedin"],
            "digest_weekday": "1",
            "time_zone": "Europe/Amsterdam",
        },
        follow=True,
    )
    ambassador.refresh_from_db()
    assert ambassador.language == new
    assert [str(m) for m in response.context["messages"]] == [expected]
    assert response["Content-Language"] == new


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), [("nl", "en"), ("en", "nl")])
def test_the_language_switcher_answers_in_the_language_just_chosen(client_as, old, new):
    ambassador = AmbassadorFactory(language=old)
    client = client_as(ambassador.user)
    client.cookies["portal_language"] = old
    response = client.post(reverse("set_language"), {"language": new, "next": "/"})
    assert response.status_code == 302
    assert response["Content-Language"] == new
    ambassador.refresh_from_db()
    assert ambassador.language == new

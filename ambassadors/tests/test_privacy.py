"""Data export and account deletion (anonymising, so links and reports keep working)."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from ambassadors.models import Ambassador, Share, Suggestion, TrackedLink, User
from ambassadors.tests.factories import (
    AmbassadorFactory,
    ClickFactory,
    ShareFactory,
    SuggestionFactory,
    TopicFactory,
    TrackedLinkFactory,
)


@pytest.fixture
def rich_ambassador(ambassador):
    ambassador.mastodon_instance = "mastodon.social"
    ambassador.networks = ["linkedin"]
    ambassador.save()
    ambassador.topics.add(TopicFactory(slug="jobs", name="Jobs"))
    share = ShareFactory(ambassador=ambassador, post_url="https://www.linkedin.com/posts/amber-1")
    link = TrackedLinkFactory(ambassador=ambassador, item=share.item, code="abc123")
    ClickFactory(link=link)
    ClickFactory(link=link, is_bot=True, is_unique=False)
    SuggestionFactory(ambassador=ambassador, note="Our new podcast", status="new")
    SuggestionFactory(ambassador=ambassador, note="Old idea", status="accepted")
    return ambassador


@pytest.mark.django_db
def test_export_contains_the_users_data(client_as, rich_ambassador):
    response = client_as(rich_ambassador.user).get(reverse("ambassadors:my_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "amber@example.com"
    assert data["ambassador"]["mastodon_instance"] == "mastodon.social"
    assert data["ambassador"]["topics"] == ["jobs"]
    assert data["ambassador"]["guidelines_version"] == 1
    assert [s["post_url"] for s in data["shares"]] == ["https://www.linkedin.com/posts/amber-1"]
    assert data["links"] == [
        {
            "code": "abc123",
            "item": rich_ambassador.shares.get().item.title,
            "network": "linkedin",
            "clicks": 1,
            "unique_clicks": 1,
        }
    ]
    assert sorted(s["note"] for s in data["suggestions"]) == ["Old idea", "Our new podcast"]


@pytest.mark.django_db
def test_export_holds_only_the_requesters_data(client_as, rich_ambassador):
    other = AmbassadorFactory(user__email="other@example.com")
    data = json.loads(client_as(other.user).get(reverse("ambassadors:my_data_export")).content)
    assert data["account"]["email"] == "other@example.com"
    assert data["shares"] == []
    assert data["links"] == []
    assert data["suggestions"] == []


@pytest.mark.django_db
def test_deleting_the_account_removes_personal_data_and_keeps_anonymous_totals(
    client_as, rich_ambassador
):
    client = client_as(rich_ambassador.user)
    user_pk = rich_ambassador.user.pk
    response = client.post(reverse("ambassadors:my_data"), {})
    assert response.status_code == 200
    assert User.objects.filter(pk=user_pk).exists()

    response = client.post(reverse("ambassadors:my_data"), {"confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user_pk).exists()
    assert not EmailAddress.objects.filter(email="amber@example.com").exists()
    anonymous = Ambassador.objects.get(pk=rich_ambassador.pk)
    assert anonymous.user is None
    assert str(anonymous) == "former ambassador"
    assert anonymous.mastodon_instance == ""
    assert anonymous.networks == []
    assert anonymous.topics.count() == 0
    assert anonymous.digest_enabled is False
    assert not Ambassador.objects.active().filter(pk=anonymous.pk).exists()
    # Shares and links stay (posted links keep working, reports stay right), without
    # personal content.
    assert Share.objects.filter(ambassador=anonymous).count() == 1
    assert Share.objects.get(ambassador=anonymous).post_url == ""
    assert TrackedLink.objects.filter(ambassador=anonymous, code="abc123").exists()
    assert list(Suggestion.objects.filter(ambassador=anonymous).values_list("note", "status")) == [
        ("", "accepted")
    ]
    # Signed out.
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_employee_without_ambassador_row_can_export_and_delete(client_as, employee):
    client = client_as(employee)
    data = json.loads(client.get(reverse("ambassadors:my_data_export")).content)
    assert data["ambassador"] is None
    client.post(reverse("ambassadors:my_data"), {"confirm": "on"})
    assert not User.objects.filter(pk=employee.pk).exists()


@pytest.mark.django_db
def test_privacy_page_is_public(client):
    page = client.get(reverse("ambassadors:privacy")).content.decode()
    assert "We do not store their IP address" in page


@pytest.mark.django_db
def test_deletion_also_removes_the_name_from_item_history_and_mail_errors(
    client_as, rich_ambassador, comms_user
):
    from ambassadors.models import DigestDelivery, ItemEvent
    from ambassadors.suggestions import suggestion_accept

    rich_ambassador.user.first_name, rich_ambassador.user.last_name = "Zelda", "Secret"
    rich_ambassador.user.save()
    suggestion = Suggestion.objects.get(ambassador=rich_ambassador, status="new")
    item = suggestion_accept(suggestion=suggestion, by=comms_user)
    assert "Zelda Secret" in ItemEvent.objects.get(item=item).note
    DigestDelivery.objects.create(
        ambassador=rich_ambassador, period="2026-W48", status="failed",
        error="SMTPRecipientsRefused: {'amber@example.com': (550, b'No such user')}",
    )  # fmt: skip

    client_as(rich_ambassador.user).post(reverse("ambassadors:my_data"), {"confirm": "on"})

    assert ItemEvent.objects.get(item=item).note == "From a suggestion by a former ambassador."
    assert DigestDelivery.objects.get().error == ""


@pytest.mark.django_db
def test_deleting_a_user_in_the_admin_anonymises_like_self_service(client_as, rich_ambassador):
    admin = User.objects.create_superuser("root@example.com", "root@example.com", "pw-root-1")
    response = client_as(admin).post(
        reverse("admin:ambassadors_user_delete", args=[rich_ambassador.user.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    anonymous = Ambassador.objects.get(pk=rich_ambassador.pk)
    assert anonymous.user is None
    assert anonymous.mastodon_instance == ""
    assert Share.objects.get(ambassador=anonymous).post_url == ""


@pytest.mark.django_db
def test_export_counts_clicks_folded_into_daily_totals(client_as, rich_ambassador):
    from ambassadors.models import ClickDaily

    link = TrackedLink.objects.get(code="abc123")
    ClickDaily.objects.create(link=link, day="2026-01-05", clicks=7, unique_clicks=4, bot_clicks=2)
    data = json.loads(
        client_as(rich_ambassador.user).get(reverse("ambassadors:my_data_export")).content
    )
    assert [(row["clicks"], row["unique_clicks"]) for row in data["links"]] == [(6, 5)]

"""Leavers: deactivation from any source ends sessions at once and stops programme mail."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambassadors.identity.leavers import user_deactivate
from ambassadors.mail.alerts import alert_recipients
from ambassadors.mail.digests.schedule import digest_recipients
from ambassadors.mail.digests.sending import digest_batch_send
from ambassadors.models import Ambassador, Item, SiteSettings, User
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory, UserFactory


def signed_in_clients(user, n=2):
    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.mark.django_db
def test_admin_action_ends_every_session_of_the_leaver_only(client_as, guidelines):
    leaver = AmbassadorFactory(user__email="leaver@example.com").user
    stayer = AmbassadorFactory(user__email="stayer@example.com").user
    leaver_clients = signed_in_clients(leaver)
    stayer_client = signed_in_clients(stayer, 1)[0]
    admin = User.objects.create_superuser("admin@example.com", "admin@example.com", "pw-admin-1")
    response = client_as(admin).post(
        reverse("admin:ambassadors_user_changelist"),
        {"action": "deactivate", "_selected_action": [leaver.pk]},
    )
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert (leaver.is_active, leaver.deactivated_at is not None) == (False, True)
    assert Session.objects.count() == 2  # the stayer's and the admin's
    for client in leaver_clients:
        response = client.get(reverse("ambassadors:preferences"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert stayer_client.get(reverse("ambassadors:preferences")).status_code == 200


@pytest.mark.django_db
def test_unticking_active_in_the_admin_form_ends_sessions_too(client_as, employee):
    signed_in_clients(employee, 1)
    admin = User.objects.create_superuser("admin@example.com", "admin@example.com", "pw-admin-1")
    client = client_as(admin)
    url = reverse("admin:ambassadors_user_change", args=[employee.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "is_active": "",
            "date_joined_0": employee.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": employee.date_joined.strftime("%H:%M:%S"),
            "groups": [],
            "user_permissions": [],
            "department": "",
        }
    )
    data = {k: v for k, v in data.items() if k not in ("last_login", "date_joined")}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    employee.refresh_from_db()
    assert employee.is_active is False
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(employee.pk) for s in Session.objects.all()
    )


@pytest.mark.django_db
def test_a_deactivated_ambassador_gets_no_digest_and_no_alert(guidelines):
    SiteSettings.objects.update_or_create(pk=1, defaults={"digests_enabled": True})
    now = timezone.now()
    ItemFactory(status=Item.Status.PUBLISHED, publish_at=now - timedelta(hours=1))
    urgent = ItemFactory(
        status=Item.Status.PUBLISHED, publish_at=now - timedelta(minutes=1), is_urgent=True
    )
    leaver = AmbassadorFactory(user__email="leaver@example.com")
    stayer = AmbassadorFactory(user__email="stayer@example.com")
    user_deactivate(user=leaver.user, source="admin")
    assert list(digest_recipients()) == [stayer]
    assert list(alert_recipients(item=urgent)) == [stayer]
    assert list(Ambassador.objects.active()) == [stayer]
    # A batch planned before the deactivation sends nothing to the leaver.
    digest_batch_send(run_id=None, period="2026-W48", ambassador_ids=[leaver.pk, stayer.pk])
    assert [m.to for m in mail.outbox] == [["stayer@example.com"]]


@pytest.mark.django_db
def test_deactivating_twice_is_harmless(employee):
    assert user_deactivate(user=employee, source="scim") is True
    assert user_deactivate(user=employee, source="scim") is False
    employee.refresh_from_db()
    assert employee.is_active is False


@pytest.mark.django_db
def test_a_leaver_cannot_sign_in_with_a_password(client):
    user = UserFactory(email="gone@example.com")
    user_deactivate(user=user, source="admin")
    response = client.post(
        reverse("account_login"),
        {"login": "gone@example.com", "password": "correct horse battery"},
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("account_inactive")

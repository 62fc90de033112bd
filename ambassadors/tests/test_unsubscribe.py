"""One-click unsubscribe (RFC 8058): signed tokens that never expire, no login, no CSRF."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from ambassadors.mail.digests.schedule import digest_dispatch
from ambassadors.mail.unsubscribe import (
    InvalidUnsubscribeToken,
    unsubscribe_ambassador_id,
    unsubscribe_token,
    unsubscribe_url,
)
from ambassadors.models import Ambassador, Item, SiteSettings
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory


@pytest.fixture
def member(db):
    return AmbassadorFactory(language="en")


def path_for(ambassador) -> str:
    return f"/unsubscribe/{unsubscribe_token(ambassador_id=ambassador.pk)}/"


def test_token_round_trip(member):
    # Tokens carry a timestamp in seconds: hold the clock so both are made in the same one.
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):
        token = unsubscribe_token(ambassador_id=member.pk)
        url = unsubscribe_url(ambassador_id=member.pk)
    assert unsubscribe_ambassador_id(token=token) == member.pk
    assert url == f"http://testserver/unsubscribe/{token}/"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.split(":")[0],
        lambda token: "MQ:" + token.split(":")[1],
        lambda token: "nonsense",
    ],
)
def test_tampered_token_is_refused(member, mangle):
    with pytest.raises(InvalidUnsubscribeToken):
        unsubscribe_ambassador_id(token=mangle(unsubscribe_token(ambassador_id=member.pk)))


def test_a_year_old_link_still_works(member):
    with time_machine.travel(datetime(2025, 11, 1, 9, 0, tzinfo=UTC), tick=False):
        path = path_for(member)
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        response = Client().post(path)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.digest_enabled is False


def test_get_only_shows_a_button(client, member):
    response = client.get(path_for(member))

    assert response.status_code == 200
    assert b"Stop the weekly e-mail?" in response.content
    assert b'<form method="post">' in response.content
    member.refresh_from_db()
    assert member.digest_enabled is True


def test_one_click_post_without_login_or_csrf_token_unsubscribes(member):
    client = Client(enforce_csrf_checks=True)

    response = client.post(path_for(member), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert b"You will get no more weekly e-mails" in response.content
    member.refresh_from_db()
    assert member.digest_enabled is False
    assert member.urgent_alerts is True
    assert member.opted_out_at is None


def test_unsubscribing_twice_is_fine(client, member):
    assert client.post(path_for(member)).status_code == 200
    assert client.post(path_for(member)).status_code == 200
    assert client.get(path_for(member)).content.count(b"already get no weekly e-mail") == 1
    assert Ambassador.objects.get(pk=member.pk).digest_enabled is False


def test_tampered_link_shows_a_clear_error_and_changes_nothing(client, member):
    token = unsubscribe_token(ambassador_id=member.pk)

    response = client.post(f"/unsubscribe/{token[:-2]}xx/")

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert b"Nothing has changed for you" in response.content
    member.refresh_from_db()
    assert member.digest_enabled is True


def test_link_for_a_missing_ambassador_is_a_clear_404(client, db):
    response = client.post(f"/unsubscribe/{unsubscribe_token(ambassador_id=999999)}/")
    assert response.status_code == 404
    assert b"This link does not work" in response.content


def test_put_is_not_allowed(client, member):
    assert client.put(path_for(member)).status_code == 405
    member.refresh_from_db()
    assert member.digest_enabled is True


def test_unsubscribed_ambassadors_are_not_picked_for_the_next_digest(client, member):
    SiteSettings.load()
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    ItemFactory(status=Item.Status.PUBLISHED, publish_at=now - timedelta(hours=1))
    client.post(path_for(member))
    picked = []

    digest_dispatch(enqueue=lambda run_id, period, ids, numbers: picked.extend(ids), now=now)

    assert picked == []

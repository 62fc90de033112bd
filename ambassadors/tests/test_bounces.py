"""Hard bounces stop programme mail: refused at send time by our SMTP server, or reported by
the e-mail provider's signed webhook (django-anymail, Mailgun's documented shape)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambassadors.mail.bounces import bounce_record
from ambassadors.mail.digests.schedule import digest_period, digest_recipients
from ambassadors.mail.digests.sending import digest_batch_send
from ambassadors.models import Ambassador, BouncedAddress, DeliveryStatus, DigestDelivery, User
from ambassadors.tests.factories import AmbassadorFactory, GuidelinesFactory, ItemFactory
from ambassadors.tests.smtp_sink import SmtpSink

Kind = BouncedAddress.Kind


@pytest.fixture
def readers(db):
    GuidelinesFactory(version=1)
    ItemFactory(live=True, title="Fresh news", publish_at=timezone.now() - timedelta(hours=1))
    return [AmbassadorFactory(user__email=f"r{n}@example.com") for n in range(3)]


def test_a_permanent_refusal_at_send_time_stops_mail_to_that_address(settings, readers):
    with SmtpSink(refuse={"r1@example.com": "550 5.1.1 No such user here"}) as sink:
        for key, value in sink.email_settings().items():
            setattr(settings, key, value)
        period = digest_period(moment=timezone.now(), time_zone="Europe/Amsterdam")
        result = digest_batch_send(
            run_id=None, period=period, ambassador_ids=[a.pk for a in readers]
        )
        assert (result.sent, result.failed) == (2, 1)
        assert sorted(sink.handler.recipients) == ["r0@example.com", "r2@example.com"]

    row = BouncedAddress.objects.get()
    assert (row.email, row.hard_count, row.last_kind, row.last_source) == (
        "r1@example.com",
        1,
        Kind.HARD,
        "smtp",
    )
    assert row.last_reason.startswith("550 5.1.1 No such user here")
    assert row.suppressed_at is not None
    bounced = User.objects.get(email="r1@example.com")
    assert bounced.email_undeliverable_at is not None
    assert DigestDelivery.objects.get(ambassador__user=bounced).status == DeliveryStatus.FAILED
    assert set(digest_recipients().values_list("user__email", flat=True)) == {
        "r0@example.com",
        "r2@example.com",
    }


def test_a_temporary_refusal_is_no_bounce(settings, readers):
    with SmtpSink(refuse={"r1@example.com": "450 4.2.1 Mailbox busy, try later"}) as sink:
        for key, value in sink.email_settings().items():
            setattr(settings, key, value)
        period = digest_period(moment=timezone.now(), time_zone="Europe/Amsterdam")
        digest_batch_send(
            run_id=None, period=period, ambassador_ids=[a.pk for a in readers], final_attempt=True
        )
    assert not BouncedAddress.objects.exists()
    assert User.objects.filter(email_undeliverable_at__isnull=False).count() == 0


def test_soft_bounces_stop_mail_only_after_the_limit_in_a_row(db, settings):
    settings.BOUNCE_SOFT_LIMIT = 3
    person = AmbassadorFactory(user__email="Soft@Example.com")
    for _n in range(2):
        bounce_record(email="soft@example.com", kind=Kind.SOFT, reason="full", source="webhook")
    assert Ambassador.objects.mailable().filter(pk=person.pk).exists()
    from ambassadors.mail.bounces import tracking_event_record

    tracking_event_record(event_type="delivered", recipient="soft@example.com", reason="", esp="x")
    assert BouncedAddress.objects.get().soft_count == 0
    for _n in range(3):
        bounce_record(email="soft@example.com", kind=Kind.SOFT, reason="full", source="webhook")
    assert not Ambassador.objects.mailable().filter(pk=person.pk).exists()


def test_a_spam_complaint_stops_mail_at_once(db):
    person = AmbassadorFactory(user__email="angry@example.com")
    bounce_record(email="angry@example.com", kind=Kind.COMPLAINT, reason="", source="webhook")
    assert not Ambassador.objects.mailable().filter(pk=person.pk).exists()


def test_bounced_people_get_no_urgent_alerts(db):
    from ambassadors.mail.alerts import alert_recipients

    item = ItemFactory(live=True, is_urgent=True)
    kept = AmbassadorFactory(user__email="kept@example.com")
    gone = AmbassadorFactory(user__email="gone@example.com")
    bounce_record(email="gone@example.com", kind=Kind.HARD, reason="550", source="smtp")
    assert list(alert_recipients(item=item)) == [kept]
    assert gone.pk not in set(alert_recipients(item=item).values_list("pk", flat=True))


def test_the_person_sees_a_banner_and_can_say_the_address_works_again(client_as, db):
    person = AmbassadorFactory(user__email="p@example.com")
    bounce_record(email="p@example.com", kind=Kind.HARD, reason="550", source="smtp")
    client = client_as(person.user)
    page = client.get(reverse("ambassadors:home")).content.decode()
    assert "E-mails to p@example.com do not arrive" in page
    assert reverse("account_email") in page

    response = client.post(reverse("ambassadors:mail_retry"))
    assert response.status_code == 302
    person.user.refresh_from_db()
    assert person.user.email_undeliverable_at is None
    assert BouncedAddress.objects.get().suppressed_at is None
    assert "do not arrive" not in client.get(reverse("ambassadors:home")).content.decode()
    assert Ambassador.objects.mailable().filter(pk=person.pk).exists()


def test_changing_the_address_lifts_the_stop(rf, db):
    from allauth.account.signals import email_changed

    person = AmbassadorFactory(user__email="old@example.com")
    bounce_record(email="old@example.com", kind=Kind.HARD, reason="550", source="smtp")
    user = User.objects.get(pk=person.user.pk)
    user.email = "new@example.com"
    user.save()
    email_changed.send(sender=User, request=rf.get("/"), user=user, from_email_address=None,
                       to_email_address=None)  # fmt: skip
    assert User.objects.get(pk=user.pk).email_undeliverable_at is None


def test_comms_see_the_bouncing_addresses_with_constant_queries(
    client_as, comms_user, django_assert_num_queries
):
    client = client_as(comms_user)
    for n in range(3):
        bounce_record(email=f"b{n}@example.com", kind=Kind.HARD, reason="550 gone", source="smtp")
    client.get(reverse("ambassadors:studio_bounces"))
    with CaptureQueriesContext(connection) as small:
        page = client.get(reverse("ambassadors:studio_bounces")).content.decode()
    for n in range(3, 30):
        bounce_record(email=f"b{n}@example.com", kind=Kind.SOFT, reason="full", source="smtp")
    with django_assert_num_queries(len(small.captured_queries)):
        big = client.get(reverse("ambassadors:studio_bounces")).content.decode()
    assert "b0@example.com" in page
    assert big.count("@example.com</td>") == 30


def test_ambassadors_cannot_see_the_bouncing_addresses(client_as, ambassador):
    assert client_as(ambassador.user).get(reverse("ambassadors:studio_bounces")).status_code == 403


# --- Provider webhooks (django-anymail) -----------------------------------------------------

AUTH = "Basic " + base64.b64encode(b"hook:test-only-secret").decode()


def mailgun_event(event: str, recipient: str, *, key: str = "test-key", **extra) -> dict:
    """Mailgun's documented webhook body: a signature block and the event data."""
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": float(timestamp),
            "recipient": recipient,
            "message": {"headers": {"message-id": "20130503182626.18666.16540@example.com"}},
            **extra,
        },
    }


def post_hook(client, body: dict, auth: str = AUTH):
    return client.post(
        "/anymail/mailgun/tracking/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


def test_a_signed_permanent_failure_from_the_provider_stops_mail(client, db):
    person = AmbassadorFactory(user__email="gone@example.com")
    body = mailgun_event(
        "failed",
        "gone@example.com",
        severity="permanent",
        reason="bounce",
        **{"delivery-status": {"code": 550, "message": "5.1.1 User unknown", "description": ""}},
    )
    response = post_hook(client, body)
    assert response.status_code == 200
    row = BouncedAddress.objects.get()
    assert (row.email, row.last_kind, row.last_source) == (
        "gone@example.com",
        "hard",
        "webhook:Mailgun",
    )
    assert not Ambassador.objects.mailable().filter(pk=person.pk).exists()


def test_a_temporary_failure_from_the_provider_is_a_soft_bounce(client, db):
    body = mailgun_event("failed", "busy@example.com", severity="temporary", reason="generic")
    assert post_hook(client, body).status_code == 200
    assert BouncedAddress.objects.get().last_kind == "soft"
    assert BouncedAddress.objects.get().suppressed_at is None


@pytest.mark.parametrize(
    ("body", "auth"),
    [
        (mailgun_event("failed", "x@example.com", key="wrong-key", severity="permanent"), AUTH),
        (mailgun_event("failed", "x@example.com", severity="permanent"), "Basic Zm9vOmJhcg=="),
        (mailgun_event("failed", "x@example.com", severity="permanent"), ""),
    ],
    ids=["bad signature", "wrong basic auth", "no basic auth"],
)
def test_unsigned_or_unauthenticated_webhooks_change_nothing(client, db, body, auth):
    person = AmbassadorFactory(user__email="x@example.com")
    response = post_hook(client, body, auth=auth)
    assert response.status_code in (400, 401, 403)
    assert not BouncedAddress.objects.exists()
    assert Ambassador.objects.mailable().filter(pk=person.pk).exists()


def test_without_a_webhook_secret_the_webhooks_are_not_served(settings):
    import importlib

    from django.urls import clear_url_caches

    import portal.urls

    settings.ANYMAIL = {}
    try:
        importlib.reload(portal.urls)
        clear_url_caches()
        assert not any(str(p.pattern) == "anymail/" for p in portal.urls.urlpatterns)
    finally:
        settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:test-only-secret"}
        importlib.reload(portal.urls)
        clear_url_caches()

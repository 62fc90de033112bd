"""A worker asked to stop ends its mail batches between two messages and keeps the rest.

In-process checks of the pieces; ``test_stopping.py`` runs real worker processes.
"""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from celery.exceptions import Reject
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from ambassadors import shutdown
from ambassadors.health import heartbeat_record
from ambassadors.mail.alerts import alert_batch_send
from ambassadors.mail.delivery import messages_send
from ambassadors.mail.digests.sending import (
    digest_batch_send,
    digest_resend_claimed,
    digest_run_resend_unknown,
)
from ambassadors.models import (
    AlertDelivery,
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    Item,
    SiteSettings,
)
from ambassadors.shutdown import SendingInterrupted, batch_sending, shutdown_requested
from ambassadors.tasks import requeued_when_stopping
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory
from ambassadors.tests.mailbackends import ScriptedBackend

MONDAY_8_AMSTERDAM = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
NOW = MONDAY_8_AMSTERDAM  # the `now` fixture (tests/conftest.py) freezes time here
PERIOD = "2026-W48"


class StoppingBackend(ScriptedBackend):
    """Delivers like locmem and asks the worker to stop once ``stop_after`` messages went."""

    stop_after = 2

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if len(mail.outbox) >= type(self).stop_after:
            shutdown.shutdown_request()
        return sent


@pytest.fixture(autouse=True)
def fresh_flag():
    shutdown.shutdown_reset()
    yield
    shutdown.shutdown_reset()


@pytest.fixture
def stopping(settings):
    settings.EMAIL_BACKEND = "ambassadors.tests.test_shutdown.StoppingBackend"
    StoppingBackend.reset()
    StoppingBackend.stop_after = 2
    return StoppingBackend


@pytest.fixture
def readers(db, now):
    site = SiteSettings.load()
    site.digest_send_hour = 8
    site.digests_enabled = True
    site.save()
    ItemFactory(status=Item.Status.PUBLISHED, publish_at=now - timedelta(hours=1))
    return [AmbassadorFactory(digest_weekday=1) for _ in range(5)]


def test_messages_send_asks_before_each_message_and_leaves_the_rest_pending(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    asked = []

    def should_stop() -> bool:
        asked.append(len(mail.outbox))
        return len(mail.outbox) == 3

    outcome = messages_send(
        keys=list(range(6)),
        build=lambda key: mail.EmailMessage("hi", "text", to=[f"p{key}@example.com"]),
        should_stop=should_stop,
    )

    assert (outcome.sent, outcome.pending, outcome.interrupted) == ([0, 1, 2], [3, 4, 5], True)
    assert outcome.failed == {}
    assert outcome.error is None
    assert [m.to for m in mail.outbox] == [
        ["p0@example.com"],
        ["p1@example.com"],
        ["p2@example.com"],
    ]
    assert asked == [0, 0, 1, 2, 3]  # once before connecting, then before each message


def test_a_batch_stops_between_messages_and_the_requeued_task_sends_exactly_the_rest(
    readers, now, stopping
):
    ids = [a.pk for a in readers]
    run = DigestRun.objects.create(started_at=now, planned=5)

    with pytest.raises(SendingInterrupted):
        digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=ids)

    assert len(mail.outbox) == 2
    first = {m.to[0] for m in mail.outbox}
    rows = DigestDelivery.objects.filter(period=PERIOD)
    assert list(rows.values_list("status", flat=True)) == [DeliveryStatus.SENT] * 2
    assert {r.ambassador.user.email for r in rows} == first
    run.refresh_from_db()
    assert (run.sent, run.failed, run.skipped, run.finished_at) == (2, 0, 0, None)

    # The same task message again (requeued unchanged: same attempt), in a fresh worker.
    shutdown.shutdown_reset()
    StoppingBackend.stop_after = 99
    again = digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=ids)

    assert (again.claimed, again.sent, again.skipped) == (3, 3, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.user.email for a in readers)
    run.refresh_from_db()
    assert (run.sent, run.failed, run.skipped, run.finished_at) == (5, 0, 0, now)


def test_stopping_on_the_final_attempt_releases_instead_of_failing(readers, now, stopping):
    ids = [a.pk for a in readers]

    with pytest.raises(SendingInterrupted):
        digest_batch_send(run_id=None, period=PERIOD, ambassador_ids=ids, final_attempt=True)

    statuses = list(DigestDelivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.SENT] * 2


def test_a_resend_to_unknown_puts_the_unsent_back_under_its_token(
    readers, now, stopping, django_capture_on_commit_callbacks
):
    ids = [a.pk for a in readers]
    run = DigestRun.objects.create(started_at=now, planned=5)
    StoppingBackend.stop_after = 99
    digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=ids)
    DigestDelivery.objects.update(status=DeliveryStatus.UNKNOWN)
    DigestRun.objects.filter(pk=run.pk).update(sent=0, unknown=5)
    mail.outbox = []
    StoppingBackend.stop_after = 2
    with (
        mock.patch("ambassadors.tasks.digest_resend.delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert digest_run_resend_unknown(run_id=run.pk, by=None) == 5
    (run_id, token), _kwargs = queued.call_args

    with pytest.raises(SendingInterrupted):
        digest_resend_claimed(run_id=run_id, token=token)
    assert len(mail.outbox) == 2
    left = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED)
    assert left.count() == 3
    assert {str(claim) for claim in left.values_list("claim", flat=True)} == {token}

    shutdown.shutdown_reset()
    StoppingBackend.stop_after = 99
    assert digest_resend_claimed(run_id=run_id, token=token).sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.user.email for a in readers)
    run.refresh_from_db()
    assert (run.sent, run.unknown, run.failed) == (5, 0, 0)


def test_the_task_puts_its_message_back_without_using_a_retry():
    with pytest.raises(Reject) as caught, requeued_when_stopping():
        raise SendingInterrupted("3 e-mails released")
    assert caught.value.requeue is True


def test_sigterm_during_a_batch_sets_the_flag_and_keeps_the_usual_handler(monkeypatch):
    calls = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    try:
        # A solo worker or any other process: the flag, and the usual handler (Celery's warm
        # shutdown) as well.
        with batch_sending():
            os.kill(os.getpid(), signal.SIGTERM)
            assert shutdown_requested()
        assert calls == [signal.SIGTERM]

        # A prefork pool process: the first SIGTERM only stops the batch, a second one ends it.
        shutdown.shutdown_reset()
        monkeypatch.setattr(shutdown, "_pool_child", True)
        with batch_sending():
            os.kill(os.getpid(), signal.SIGTERM)
            assert shutdown_requested()
            assert calls == [signal.SIGTERM]
            os.kill(os.getpid(), signal.SIGTERM)
            assert calls == [signal.SIGTERM, signal.SIGTERM]

        os.kill(os.getpid(), signal.SIGTERM)  # outside a batch: the usual handler only
        assert calls == [signal.SIGTERM] * 3
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.django_db
def test_heartbeat_check_fails_for_a_stale_heartbeat(settings, capsys):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 60
    with pytest.raises(CommandError, match="worker: stale"):
        call_command("heartbeat_check", "worker")

    heartbeat_record(name="worker")
    call_command("heartbeat_check", "worker")
    assert capsys.readouterr().out == "worker: ok\n"

    heartbeat_record(name="beat", now=datetime.now(UTC) - timedelta(seconds=61))
    with pytest.raises(CommandError, match="beat: stale"):
        call_command("heartbeat_check", "beat")


def test_an_urgent_alert_batch_stops_between_messages_too(db, now, stopping):
    item = ItemFactory(
        status=Item.Status.PUBLISHED,
        is_urgent=True,
        publish_at=now - timedelta(minutes=15),
        alerts_send_after=now - timedelta(minutes=5),
    )
    people = [AmbassadorFactory() for _ in range(4)]
    ids = [a.pk for a in people]

    with pytest.raises(SendingInterrupted):
        alert_batch_send(item_id=item.pk, ambassador_ids=ids, final_attempt=True)
    assert len(mail.outbox) == 2
    assert list(AlertDelivery.objects.values_list("status", flat=True)) == [DeliveryStatus.SENT] * 2

    shutdown.shutdown_reset()
    StoppingBackend.stop_after = 99
    assert alert_batch_send(item_id=item.pk, ambassador_ids=ids).sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.user.email for a in people)

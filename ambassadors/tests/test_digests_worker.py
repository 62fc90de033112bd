"""Digests through real Celery workers on Redis, to a local SMTP sink (aiosmtpd).

These are the checks that matter most to people: 200 digests for 200 ambassadors, none on a
re-run, and nobody with two when a worker is killed with SIGKILL halfway and restarted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zoneinfo
from collections import Counter
from datetime import timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from ambassadors.mail.delivery import deliveries_mark_unknown
from ambassadors.mail.digests.schedule import digest_dispatch
from ambassadors.mail.digests.sending import (
    digest_batch_send,
    digest_resend_claimed,
    digest_run_resend_unknown,
)
from ambassadors.models import DeliveryStatus, DigestDelivery, DigestRun, Item, SiteSettings
from ambassadors.tasks import _enqueue_digest_batch, digest_dispatch_task, digest_send_batch
from ambassadors.tests.digest_data import bulk_ambassadors
from ambassadors.tests.factories import ItemFactory
from ambassadors.tests.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
COUNT = 200
# How long a test may wait for workers before it gives up (a hang guard, not a speed check).
PATIENCE = 180


def wait_until(condition, what: str, patience: float = PATIENCE):
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"gave up waiting for {what}")


def midday_zone() -> str:
    """A zone where it is not near midnight now, so the week cannot turn during the test."""
    now = timezone.now()
    for name in ("UTC", "Etc/GMT-12", "Etc/GMT+12"):
        if 2 <= timezone.localtime(now, zoneinfo.ZoneInfo(name)).hour <= 21:
            return name
    return "UTC"


def setup_readers(count: int):
    zone = midday_zone()
    weekday = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(zone)).isoweekday()
    site = SiteSettings.load()
    site.digest_send_hour = 0
    site.digests_enabled = True
    site.save()
    ItemFactory(
        status=Item.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=1),
        title="News for everyone",
        author=None,  # transactional tests flush the groups a comms author needs
    )
    return bulk_ambassadors(count, time_zone=zone, digest_weekday=weekday)


def broker():
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def purge_broker():
    """Drop queued and unacknowledged messages (those of a killed worker) from our Redis db."""
    broker().delete("celery", "unacked", "unacked_index", "unacked_mutex")


# PostgreSQL too: the in-memory SQLite test database locks whole tables ("database table is
# locked") when the worker threads and the test write at once.
@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_a_run_for_200_delivers_200_and_the_same_run_again_delivers_0(
    settings, celery_redis_worker
):
    people = setup_readers(COUNT)
    settings.DIGEST_BATCH_SIZE = 50

    with SmtpSink() as sink:
        for name, value in sink.email_settings().items():
            setattr(settings, name, value)

        digest_dispatch_task.delay()
        wait_until(
            lambda: DigestRun.objects.filter(finished_at__isnull=False).exists(),
            "the run to finish",
        )
        run = DigestRun.objects.get()
        period = run.periods
        first = sink.handler.counts()

        again = [
            digest_send_batch.apply_async(
                (run.pk, period, [a.pk for a in people[start : start + 50]]),
                ignore_result=False,
            )
            for start in range(0, COUNT, 50)
        ]
        sent_again = [result.get(timeout=PATIENCE) for result in again]
        second_dispatch = digest_dispatch_task.apply_async(ignore_result=False)

        assert second_dispatch.get(timeout=PATIENCE) is None
        assert sent_again == [0, 0, 0, 0]
        assert sink.handler.counts() == first

    assert (run.planned, run.sent, run.failed, run.unknown, run.skipped) == (COUNT, COUNT, 0, 0, 0)
    assert first == Counter({a.user.email: 1 for a in people})
    assert sink.handler.sessions == COUNT // 50
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == COUNT


def start_worker(env: dict, log: Path, name: str, *, beat: bool = False) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO", "-n", f"{name}@%h",
    ]  # fmt: skip
    if beat:
        command += ["-B", "--schedule", str(log.parent / "celerybeat-schedule")]
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def worker_env(smtp_port: int) -> dict:
    """The test database is ``test_<name>``: hand its real name to the worker process."""
    db = connection.settings_dict
    url = "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=quote(db["USER"] or "", safe=""),
        password=quote(db["PASSWORD"] or "", safe=""),
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=db["NAME"],
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_SETTINGS_MODULE": "ambassadors.tests.worker_settings",
        "PORTAL_TEST_SMTP_PORT": str(smtp_port),
        "CONN_MAX_AGE": "0",
    }


@pytest.mark.services("postgres", "redis", "worker")
@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_mid_run_never_sends_anyone_two(settings, tmp_path):
    people = setup_readers(COUNT)
    settings.DIGEST_BATCH_SIZE = 20
    purge_broker()
    log = tmp_path / "worker.log"
    workers = []

    with SmtpSink(delay=0.03) as sink:
        env = worker_env(sink.port)
        try:
            workers.append(start_worker(env, log, "digest-first"))
            run = digest_dispatch(enqueue=_enqueue_digest_batch)
            assert run.planned == COUNT

            emails = {a.pk: a.user.email for a in people}

            def mid_batch():
                """A batch after the first one is claimed and partly handed over."""
                if not DigestDelivery.objects.filter(status=DeliveryStatus.SENT).exists():
                    return False
                claimed = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED)
                received = sink.handler.counts()
                ids = claimed.values_list("ambassador_id", flat=True)
                handed_over = [pk for pk in ids if emails[pk] in received]
                return 2 <= len(handed_over) <= 10

            wait_until(mid_batch, "a batch half-way after one was sent")
            kill(workers[0])
            in_flight = set(
                DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED).values_list(
                    "ambassador_id", flat=True
                )
            )
            assert in_flight

            workers.append(start_worker(env, log, "digest-second"))

            def drained():
                """Every ambassador has a row and only the killed batch is still claimed
                (one query, so both halves see the same moment)."""
                rows = dict(DigestDelivery.objects.values_list("ambassador_id", "status"))
                claimed = {pk for pk, status in rows.items() if status == DeliveryStatus.CLAIMED}
                return len(rows) == COUNT and claimed == in_flight

            wait_until(drained, "the restarted worker to finish the other batches")
        finally:
            for worker in workers:
                kill(worker)
            purge_broker()

        # After the claim timeout the sweep calls them unknown; then the killed batch's task
        # message comes back (Redis redelivers it) and the dispatcher ticks again.
        assert deliveries_mark_unknown(older_than=timedelta(0)) == len(in_flight)
        redelivered = digest_batch_send(
            run_id=run.pk, period=run.periods, ambassador_ids=sorted(in_flight)
        )
        assert redelivered.sent == 0
        assert digest_dispatch(enqueue=_enqueue_digest_batch) is None
        received = sink.handler.counts()

    statuses = dict(DigestDelivery.objects.values_list("ambassador_id", "status"))
    assert sorted(statuses) == sorted(a.pk for a in people)
    assert {pk for pk, status in statuses.items() if status == DeliveryStatus.UNKNOWN} == in_flight
    assert {status for pk, status in statuses.items() if pk not in in_flight} == {
        DeliveryStatus.SENT
    }
    assert max(received.values()) == 1
    sent_to = {a.user.email for a in people if statuses[a.pk] == DeliveryStatus.SENT}
    assert sent_to <= set(received)
    assert len(received) <= COUNT
    run.refresh_from_db()
    assert (run.sent, run.unknown, run.failed) == (COUNT - len(in_flight), len(in_flight), 0)
    assert run.finished_at is not None

    # Comms then choose "send again to those marked unknown": each of them gets one more
    # e-mail, nobody marked sent gets anything, and pressing again sends nothing.
    with mock.patch("ambassadors.tasks.digest_resend.delay") as queued:
        assert digest_run_resend_unknown(run_id=run.pk, by=None) == len(in_flight)
        assert digest_run_resend_unknown(run_id=run.pk, by=None) == 0
    (run_id, token), _kwargs = queued.call_args
    mail.outbox = []
    assert digest_resend_claimed(run_id=run_id, token=token).sent == len(in_flight)
    assert digest_resend_claimed(run_id=run_id, token=token).sent == 0
    unknown_emails = sorted(a.user.email for a in people if a.pk in in_flight)
    assert sorted(m.to[0] for m in mail.outbox) == unknown_emails
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}

"""Crisis alerts through real Celery workers on Redis, to a local SMTP sink and a local
Slack/Teams server: each update reaches each person once, even when the tasks run twice
or a worker is killed with SIGKILL in the middle of a batch."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.crisis import services
from ambassadors.crisis.alerts import crisis_alert_batch_send, crisis_alert_dispatch
from ambassadors.crisis.tasks import (
    _enqueue_batch,
    _enqueue_posts,
    crisis_alert_send_batch,
    crisis_alert_sweep,
)
from ambassadors.models import CrisisAlertDelivery, CrisisUpdate, DeliveryStatus, Webhook
from ambassadors.tests.digest_data import bulk_ambassadors
from ambassadors.tests.factories import CommsLeadFactory
from ambassadors.tests.smtp_sink import SmtpSink
from ambassadors.tests.test_digests_worker import (
    PATIENCE,
    kill,
    purge_broker,
    start_worker,
    wait_until,
    worker_env,
)
from ambassadors.tests.webhook_sink import WebhookSink

COUNT = 120


def start_crisis(lead, *, send_now: bool):
    texts = services.crisis_texts_fill(
        texts={"title_en": "Power cut at {place}", "body_en": "Stay calm at {place}."},
        values={"place": "HQ"},
    )
    return services.crisis_activate(
        by=lead, texts=texts, internal_only=True, send_now=send_now, pause_content=False
    )


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_two_updates_reach_everyone_once_each_even_when_tasks_run_twice(
    settings, celery_redis_worker
):
    people = bulk_ambassadors(COUNT)
    settings.DIGEST_BATCH_SIZE = 40
    lead = CommsLeadFactory(email="lead@example.com")

    with SmtpSink() as smtp, WebhookSink() as hooks:
        for name, value in smtp.email_settings().items():
            setattr(settings, name, value)
        settings.WEBHOOK_EXTRA_HOSTS = ["127.0.0.1"]
        settings.WEBHOOK_RETRY_BASE_SECONDS = 0
        Webhook.objects.create(name="#all", kind="slack", url=hooks.url("slack"), language="en")
        Webhook.objects.create(name="All", kind="teams", url=hooks.url("teams"), language="en")
        hooks.answer("slack", "T000/B000/XXXX", 429)  # one retry on the first post

        crisis = start_crisis(lead, send_now=True)  # queues a sweep after commit
        services.crisis_update_add(crisis=crisis, by=lead, text_en="Power is back at noon.")
        crisis_alert_sweep.delay()  # and once more, as beat would
        expected = Counter({a.user.email: 2 for a in people})
        wait_until(lambda: smtp.handler.counts() == expected, "two e-mails each")
        wait_until(
            lambda: len(hooks.posts["slack"]) == 2 and len(hooks.posts["teams"]) == 2,
            "two posts per channel",
        )

        # Every batch again, as a redelivered message would: nothing more goes out.
        again = [
            crisis_alert_send_batch.apply_async(
                (update.pk, [a.pk for a in people]), ignore_result=False
            )
            for update in CrisisUpdate.objects.all()
        ]
        assert [result.get(timeout=PATIENCE) for result in again] == [0, 0]
        assert crisis_alert_sweep.apply_async(ignore_result=False).get(timeout=PATIENCE) == 0

    assert smtp.handler.counts() == expected
    assert len(hooks.posts["slack"]) == 2
    assert len(hooks.posts["teams"]) == 2
    assert hooks.bad == []
    assert CrisisAlertDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2 * COUNT


@pytest.mark.services("postgres", "redis", "worker")
@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_mid_batch_never_sends_anyone_two_of_one_update(settings, tmp_path):
    people = bulk_ambassadors(COUNT)
    settings.DIGEST_BATCH_SIZE = 15
    lead = CommsLeadFactory(email="lead@example.com")
    crisis = start_crisis(lead, send_now=False)  # nothing queued yet: the test hands over
    update = crisis.updates.get()
    CrisisUpdate.objects.filter(pk=update.pk).update(alerts_send_after=timezone.now())
    purge_broker()
    log = tmp_path / "worker.log"
    workers = []
    emails = {a.pk: a.user.email for a in people}

    with SmtpSink(delay=0.03) as sink:
        env = worker_env(sink.port)
        try:
            workers.append(start_worker(env, log, "crisis-first"))
            assert crisis_alert_dispatch(enqueue=_enqueue_batch, enqueue_posts=_enqueue_posts) == 1

            def mid_batch():
                rows = CrisisAlertDelivery.objects.filter(update=update)
                if not rows.filter(status=DeliveryStatus.SENT).exists():
                    return False
                claimed = rows.filter(status=DeliveryStatus.CLAIMED)
                received = sink.handler.counts()
                ids = claimed.values_list("ambassador_id", flat=True)
                return 2 <= len([pk for pk in ids if emails[pk] in received]) <= 8

            wait_until(mid_batch, "a batch half-way after one was sent")
            kill(workers[0])
            in_flight = set(
                CrisisAlertDelivery.objects.filter(
                    update=update, status=DeliveryStatus.CLAIMED
                ).values_list("ambassador_id", flat=True)
            )
            assert in_flight

            workers.append(start_worker(env, log, "crisis-second"))

            def drained():
                rows = dict(
                    CrisisAlertDelivery.objects.filter(update=update).values_list(
                        "ambassador_id", "status"
                    )
                )
                claimed = {pk for pk, s in rows.items() if s == DeliveryStatus.CLAIMED}
                return len(rows) == COUNT and claimed == in_flight

            wait_until(drained, "the restarted worker to finish the other batches")
        finally:
            for worker in workers:
                kill(worker)
            purge_broker()

        # The sweep calls the killed batch's claims unknown; its message comes back.
        from ambassadors.crisis.alerts import crisis_deliveries_mark_unknown

        assert crisis_deliveries_mark_unknown(older_than=timedelta(0)) == len(in_flight)
        again = crisis_alert_batch_send(update_id=update.pk, ambassador_ids=sorted(in_flight))
        assert again.sent == 0
        assert crisis_alert_dispatch(enqueue=_enqueue_batch, enqueue_posts=_enqueue_posts) == 0
        received = sink.handler.counts()

    statuses = dict(
        CrisisAlertDelivery.objects.filter(update=update).values_list("ambassador_id", "status")
    )
    assert sorted(statuses) == sorted(emails)
    assert {pk for pk, s in statuses.items() if s == DeliveryStatus.UNKNOWN} == in_flight
    assert {s for pk, s in statuses.items() if pk not in in_flight} == {DeliveryStatus.SENT}
    assert max(received.values()) == 1
    assert {emails[pk] for pk, s in statuses.items() if s == DeliveryStatus.SENT} <= set(received)

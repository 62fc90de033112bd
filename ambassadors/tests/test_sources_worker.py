"""Sources through a real Celery worker on Redis: the beat dispatcher, two polls of the same
feed storing each entry once, and an alert term e-mailing comms once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core import mail

from ambassadors.models import Source, SourceEntry, WatchTerm
from ambassadors.tasks import source_poll_task, sources_dispatch_task, term_alerts_send_task
from ambassadors.tests.factories import CommsUserFactory

FEEDS = Path(__file__).parent / "feeds"
PATIENCE = 60  # a hang guard, not a speed check


def wait_until(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


@pytest.mark.services("redis")
@pytest.mark.django_db(transaction=True)
def test_two_polls_store_each_entry_once_and_alert_once(celery_redis_worker, local_server):
    CommsUserFactory(email="comms@example.com")
    WatchTerm.objects.create(term="recall", is_alert=True)
    news = Source.objects.create(
        name="Newsroom",
        url=local_server.route("/news.xml", body=(FEEDS / "rss2_en.xml").read_bytes()),
    )
    alerts = Source.objects.create(
        name="Alerts",
        url=local_server.route("/alerts.xml", body=(FEEDS / "rss2_noguid.xml").read_bytes()),
    )

    # Beat's dispatcher hands both sources to the worker; each is polled in its own task.
    sources_dispatch_task.delay()
    wait_until(
        lambda: Source.objects.filter(last_success_at__isnull=False).count() == 2,
        "both sources polled",
    )
    wait_until(lambda: SourceEntry.objects.filter(alert="sent").count() == 1, "alert sent")
    assert SourceEntry.objects.count() == 5

    # The same feeds again, twice, through the worker: nothing new, no second e-mail.
    for _round in range(2):
        assert source_poll_task.delay(news.pk).get(timeout=PATIENCE) == "new"
        assert source_poll_task.delay(alerts.pk).get(timeout=PATIENCE) == "new"
    assert term_alerts_send_task.apply().get() == 0  # a sweep finds nothing left to send
    assert SourceEntry.objects.count() == 5
    assert sorted(SourceEntry.objects.values_list("title", flat=True)) == [
        "ACME's recall of the Widget 3000",
        "Acme opens a new office in Leeds",
        "Acmeville fair this weekend",
        "Quarterly results: steady growth",
        "Volunteering day at the food bank",
    ]
    assert [m.to for m in mail.outbox] == [["comms@example.com"]]
    assert mail.outbox[0].subject == "Watched term in the news: recall"

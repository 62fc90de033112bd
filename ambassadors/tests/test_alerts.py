"""Urgent alerts: driven by the item's state, sent once per ambassador and item."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from kombu.exceptions import OperationalError

from ambassadors.mail.alerts import alert_batch_send, alert_dispatch
from ambassadors.mail.delivery import TransientMailError
from ambassadors.models import AlertDelivery, DeliveryStatus, Item
from ambassadors.tasks import alert_send_batch, alert_sweep
from ambassadors.tests.factories import AmbassadorFactory, DepartmentFactory, ItemFactory

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def urgent_item(now, **kwargs) -> Item:
    kwargs.setdefault("publish_at", now - timedelta(minutes=15))
    kwargs.setdefault("alerts_send_after", now - timedelta(minutes=5))
    return ItemFactory(status=Item.Status.PUBLISHED, is_urgent=True, **kwargs)


class Collector:
    def __init__(self, send=False):
        self.batches = []
        self.send = send

    def __call__(self, item_id, ids):
        self.batches.append((item_id, list(ids)))
        if self.send:
            alert_batch_send(item_id=item_id, ambassador_ids=ids)

    @property
    def ids(self):
        return sorted(pk for _item, ids in self.batches for pk in ids)


def test_due_urgent_item_goes_to_everyone_with_urgent_emails_on(now, db):
    sales = DepartmentFactory(name="Sales")
    item = urgent_item(now, audience=[sales], language="en", title="Storm: offices closed")
    wants = AmbassadorFactory(department=sales, language="nl")
    AmbassadorFactory(department=sales, urgent_alerts=False)
    AmbassadorFactory(department=DepartmentFactory(name="Legal"))
    AmbassadorFactory(department=sales, content_languages="nl")
    AmbassadorFactory(department=sales, opted_out_at=now)

    handed_over = alert_dispatch(enqueue=Collector(send=True), now=now)

    assert handed_over == 1
    assert [m.to for m in mail.outbox] == [[wants.user.email]]
    message = mail.outbox[0]
    assert message.subject == "Spoed: Storm: offices closed"  # in the reader's language
    assert f"http://testserver/items/{item.slug}/" in message.body
    assert '<html lang="nl">' in message.alternatives[0][0]
    item.refresh_from_db()
    assert item.alerts_done_at == now
    assert AlertDelivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    "state",
    [
        {"alerts_send_after": NOW + timedelta(minutes=1)},
        {"alerts_send_after": None},
        {"alerts_cancelled_at": NOW - timedelta(minutes=2)},
        {"alerts_done_at": NOW - timedelta(minutes=2)},
        {"is_urgent": False},
        {"status": Item.Status.DRAFT},
        {"publish_at": NOW + timedelta(hours=1)},
        {"expires_at": NOW - timedelta(minutes=1)},
    ],
)
def test_items_that_are_not_due_are_not_sent(now, db, state):
    item = urgent_item(now)
    Item.objects.filter(pk=item.pk).update(**state)
    AmbassadorFactory()
    collector = Collector()

    assert alert_dispatch(enqueue=collector, now=now) == 0
    assert collector.batches == []


def test_broker_down_leaves_the_item_for_the_next_sweep(now, db):
    item = urgent_item(now)
    ambassador = AmbassadorFactory()

    def broker_down(item_id, ids):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with pytest.raises(OperationalError):
        alert_dispatch(enqueue=broker_down, now=now)
    item.refresh_from_db()
    assert item.alerts_done_at is None

    collector = Collector(send=True)
    assert alert_dispatch(enqueue=collector, now=now + timedelta(minutes=3)) == 1
    assert [m.to for m in mail.outbox] == [[ambassador.user.email]]


def test_handing_over_twice_sends_one_email_each(now, db):
    item = urgent_item(now)
    people = [AmbassadorFactory() for _ in range(3)]
    ids = [a.pk for a in people]

    first = alert_batch_send(item_id=item.pk, ambassador_ids=ids)
    second = alert_batch_send(item_id=item.pk, ambassador_ids=ids)

    assert (first.sent, second.sent) == (3, 0)
    assert len(mail.outbox) == 3
    assert AlertDelivery.objects.count() == 3


def test_a_sweep_after_a_crash_only_hands_over_who_is_left(now, db):
    item = urgent_item(now)
    done, left = AmbassadorFactory(), AmbassadorFactory()
    AlertDelivery.objects.create(ambassador=done, item=item, status=DeliveryStatus.SENT)
    collector = Collector()

    alert_dispatch(enqueue=collector, now=now)

    assert collector.ids == [left.pk]


def test_cancelled_while_queued_sends_nothing(now, db):
    item = urgent_item(now)
    ambassador = AmbassadorFactory()
    Item.objects.filter(pk=item.pk).update(alerts_cancelled_at=now)

    result = alert_batch_send(item_id=item.pk, ambassador_ids=[ambassador.pk])

    assert result.sent == 0
    assert mail.outbox == []
    assert AlertDelivery.objects.count() == 0


def test_batches_are_split_and_use_one_connection_each(now, db, scripted):
    item = urgent_item(now)
    for _ in range(5):
        AmbassadorFactory()
    collector = Collector(send=True)

    alert_dispatch(enqueue=collector, now=now, batch_size=2)

    assert [len(ids) for _item, ids in collector.batches] == [2, 2, 1]
    assert scripted.opened == 3
    assert len(mail.outbox) == 5
    item.refresh_from_db()
    assert item.alerts_done_at == now


def test_temporary_smtp_trouble_is_retried(now, db, scripted):
    item = urgent_item(now)
    ambassador = AmbassadorFactory()
    scripted.on_open = [smtplib.SMTPResponseException(421, b"Try again later")]

    with pytest.raises(TransientMailError):
        alert_batch_send(item_id=item.pk, ambassador_ids=[ambassador.pk])
    assert AlertDelivery.objects.count() == 0

    scripted.on_open = [smtplib.SMTPServerDisconnected("busy")]
    result = alert_send_batch.apply(args=(item.pk, [ambassador.pk]))

    assert result.successful()
    assert [m.to for m in mail.outbox] == [[ambassador.user.email]]
    assert AlertDelivery.objects.get().attempts == 2


def test_sweeper_task_enqueues_after_commit(now, db, django_capture_on_commit_callbacks):
    urgent_item(now)
    AmbassadorFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert alert_sweep() == 1

    assert len(callbacks) == 1


def test_published_urgent_item_goes_out_after_the_delay_unless_cancelled(db, comms_lead):
    from ambassadors.models import SiteSettings
    from ambassadors.publishing.workflow import item_alerts_cancel, item_publish

    site = SiteSettings.load()
    site.urgent_send_delay_minutes = 10
    site.save()
    ambassador = AmbassadorFactory()
    storm = ItemFactory(title="Storm: stay home", is_urgent=True, author=comms_lead)
    flood = ItemFactory(title="Flood: stay home", is_urgent=True, author=comms_lead)
    collector = Collector(send=True)

    with time_machine.travel(NOW, tick=False):
        item_publish(item=storm, by=comms_lead, confirm_corporate=True)
        item_publish(item=flood, by=comms_lead, confirm_corporate=True)
        item_alerts_cancel(item=flood, by=comms_lead)
        assert alert_dispatch(enqueue=collector) == 0
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert alert_dispatch(enqueue=collector) == 1
        assert alert_dispatch(enqueue=collector) == 0

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([ambassador.user.email], "Urgent: Storm: stay home")
    ]

"""Report e-mails: comms subscribe weekly or monthly, Celery sends the key numbers and the
top items with links to the drill-downs, once per person and period."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from ambassadors.models import ReportDelivery, ReportSubscription
from ambassadors.reporting.emails import report_emails_send
from ambassadors.reporting.rollups.build import rollups_refresh
from ambassadors.tasks import report_emails_send as report_emails_task
from ambassadors.tests import report_data
from ambassadors.tests.report_data import NOW

URL = "/studio/reports/email/"


@pytest.fixture
def data(db):
    with time_machine.travel(NOW, tick=False):
        yield report_data.build()


def test_comms_subscribe_change_and_stop(client_as, comms_user, db):
    client = client_as(comms_user)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"frequency": "weekly"})
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert ReportSubscription.objects.get(user=comms_user).frequency == "weekly"
    client.post(URL, {"frequency": "monthly"})
    assert ReportSubscription.objects.get(user=comms_user).frequency == "monthly"
    assert client.post(URL, {"frequency": "hourly"}).status_code == 400
    assert ReportSubscription.objects.get(user=comms_user).frequency == "monthly"
    client.post(URL, {"frequency": ""})
    assert not ReportSubscription.objects.exists()


def test_only_comms_may_subscribe(client, client_as, ambassador):
    assert client.post(URL, {"frequency": "weekly"}).status_code == 302
    assert client_as(ambassador.user).post(URL, {"frequency": "weekly"}).status_code == 403
    assert not ReportSubscription.objects.exists()


def test_the_subscription_form_needs_csrf(comms_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(comms_user)
    assert client.post(URL, {"frequency": "weekly"}).status_code == 403
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize("rolled_up", [False, True])
def test_weekly_email_has_the_numbers_and_links_once(comms_user, data, settings, rolled_up):
    settings.SITE_URL = "https://portal.example.com"
    ReportSubscription.objects.create(user=comms_user, frequency="weekly")
    with time_machine.travel(NOW, tick=False):  # Wednesday 18 March, 10:00
        if rolled_up:
            rollups_refresh()
        assert report_emails_task() == 1
        assert report_emails_send() == 0  # the same week never twice
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["comms@example.com"]
    assert message.subject == "Ambassador report for the week of 9 Mar to 15 Mar 2026"
    body = message.body
    # 9-15 March, with 2-8 March in brackets
    assert "Shares: 2 (4)" in body
    assert "Clicks: 5 (6)" in body
    assert "Unique clicks: 4 (5)" in body
    assert "Ambassadors who shared: 2 / 6 (2 / 5)" in body
    item_b = data["items"]["b"]
    assert f"1. {report_data.EVIL_TITLE}: 2 shares, 5 clicks" in body
    assert (
        f"https://portal.example.com/studio/reports/items/{item_b.pk}/"
        "?period=custom&start=2026-03-09&end=2026-03-15"
    ) in body
    assert "https://portal.example.com/studio/reports/email/" in body
    delivery = ReportDelivery.objects.get()
    assert (delivery.period, delivery.status) == ("2026-W11", "sent")


def test_monthly_email_covers_last_month(comms_user, data):
    ReportSubscription.objects.create(user=comms_user, frequency="monthly")
    with time_machine.travel(NOW, tick=False):
        assert report_emails_send() == 1
    assert mail.outbox[0].subject == "Ambassador report for February 2026"
    assert "Shares: 1 (0)" in mail.outbox[0].body  # anna, 28 February
    assert ReportDelivery.objects.get().period == "2026-02"


def test_nothing_before_the_send_hour_and_not_for_former_comms(
    comms_user, ambassador, data, settings
):
    settings.REPORT_EMAIL_HOUR = 11
    ReportSubscription.objects.create(user=comms_user, frequency="weekly")
    ReportSubscription.objects.create(user=ambassador.user, frequency="weekly")  # not comms
    with time_machine.travel(NOW, tick=False):  # 10:00
        assert report_emails_send() == 0
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert report_emails_send() == 1
    assert [m.to for m in mail.outbox] == [["comms@example.com"]]
    assert ReportDelivery.objects.count() == 1


def test_a_failed_send_is_recorded_and_not_repeated(comms_user, data, settings):
    settings.EMAIL_BACKEND = "ambassadors.tests.test_report_emails.BrokenBackend"
    ReportSubscription.objects.create(user=comms_user, frequency="weekly")
    with time_machine.travel(NOW, tick=False):
        assert report_emails_send() == 0
        assert report_emails_send() == 0
    delivery = ReportDelivery.objects.get()
    assert delivery.status == "failed"
    assert "mail server said no" in delivery.error


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server said no")

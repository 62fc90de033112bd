"""Slack and Teams: payload shapes checked by a local server, retries on 429/5xx, never two
posts for one update, and webhook URLs that never leak."""

from __future__ import annotations

import logging

import pytest

from ambassadors.crisis import services
from ambassadors.crisis.webhooks import (
    WebhookAddressError,
    mask_url,
    new_item_posts_create,
    webhook_post_send,
    webhook_posts_mark_unknown,
    webhook_retry_delay,
    webhook_url_check,
)
from ambassadors.models import Webhook, WebhookPost
from ambassadors.tests.factories import ItemFactory
from ambassadors.tests.test_crisis import Sender, activate
from ambassadors.tests.webhook_sink import WebhookSink

pytestmark = pytest.mark.django_db
SLACK_SECRET = "T0001/B0001/slacksecretvalue"
TEAMS_SECRET = "workflows/abc/triggers/manual/paths/invoke?sig=teamssecretvalue"


@pytest.fixture
def sink(settings):
    with WebhookSink() as server:
        settings.WEBHOOK_EXTRA_HOSTS = ["127.0.0.1"]
        settings.WEBHOOK_RETRY_BASE_SECONDS = 0
        yield server


@pytest.fixture
def hooks(sink):
    slack = Webhook.objects.create(
        name="#all", kind="slack", url=sink.url("slack", SLACK_SECRET), language="en"
    )
    teams = Webhook.objects.create(
        name="Everyone", kind="teams", url=sink.url("teams", TEAMS_SECRET), language="nl"
    )
    return slack, teams


def send_all(ids: list[int]) -> list[str]:
    return [webhook_post_send(post_id=pk).status for pk in ids]


def test_crisis_alerts_and_updates_are_posted_in_each_services_shape(sink, hooks, comms_lead):
    crisis = activate(
        comms_lead,
        texts={"title_en": "App down", "body_en": "We <fix> it & soon.",
               "title_nl": "App plat", "body_nl": "We maken het."},
        fill={}, internal_only=True,
    )  # fmt: skip
    sender = Sender()
    sender.sweep()
    services.crisis_update_add(crisis=crisis, by=comms_lead, text_en="Fixed.", text_nl="Klaar.")
    sender.sweep()

    assert send_all(sender.posts) == ["sent"] * 4
    assert sink.bad == []
    slack, teams = sink.posts["slack"], sink.posts["teams"]
    assert len(slack) == 2
    assert len(teams) == 2
    assert slack[0]["blocks"][0]["text"]["text"] == "App down"
    assert slack[0]["blocks"][1]["text"]["text"] == "We &lt;fix&gt; it &amp; soon."
    assert slack[0]["blocks"][2]["elements"][0]["text"] == "For you, please do not share."
    assert slack[1]["blocks"][0]["text"]["text"] == "Update 2 of 2: App down"
    card = teams[1]["attachments"][0]["content"]
    assert card["body"][0]["text"].endswith(": App plat")  # the webhook's language (Dutch)
    assert card["body"][1]["text"] == "Klaar."
    assert card["actions"][0]["url"].startswith("http://testserver/items/")


def test_a_shareable_crisis_asks_for_help_in_the_channel(sink, hooks, comms_lead):
    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={}, internal_only=False)
    sender = Sender()
    sender.sweep()
    send_all(sender.posts)
    assert sink.posts["slack"][0]["blocks"][2]["elements"][0]["text"] == (
        "If you can, please help share it."
    )


def test_429_and_5xx_are_retried_and_other_answers_fail_for_good(sink, hooks, comms_lead):
    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={})
    sender = Sender()
    sender.sweep()
    slack_post = WebhookPost.objects.get(webhook__kind="slack")
    teams_post = WebhookPost.objects.get(webhook__kind="teams")
    sink.answer("slack", SLACK_SECRET, 429, 503)
    sink.answer("teams", TEAMS_SECRET, 404)

    first = webhook_post_send(post_id=slack_post.pk)
    second = webhook_post_send(post_id=slack_post.pk)
    third = webhook_post_send(post_id=slack_post.pk)

    assert [(r.status, r.retry_after) for r in (first, second, third)] == [
        ("pending", 0.0), ("pending", 0.0), ("sent", None),
    ]  # fmt: skip
    slack_post.refresh_from_db()
    assert (slack_post.status, slack_post.attempts, slack_post.error) == ("sent", 3, "")
    assert webhook_post_send(post_id=teams_post.pk).status == "failed"
    teams_post.refresh_from_db()
    assert teams_post.error == "HTTP 404"
    assert len(sink.posts["slack"]) == 1
    assert sink.posts["teams"] == []


def test_the_last_attempt_records_failure(sink, hooks, comms_lead):
    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={}, channels=["slack"])
    Sender().sweep()
    post = WebhookPost.objects.get()
    sink.answer("slack", SLACK_SECRET, 500)
    assert webhook_post_send(post_id=post.pk, final_attempt=True).status == "failed"
    post.refresh_from_db()
    assert (post.status, post.error) == ("failed", "HTTP 500")


def test_never_twice_for_one_update(sink, hooks, comms_lead):
    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={})
    sender = Sender()
    sender.sweep()
    sender.sweep()  # a second sweep finds nothing due
    ids = list(sender.posts)
    assert len(ids) == 2

    assert send_all(ids) == ["sent", "sent"]
    assert send_all(ids) == ["sent", "sent"]  # a redelivered task posts nothing
    assert len(sink.posts["slack"]) + len(sink.posts["teams"]) == 2
    # Rows are unique per (webhook, update): creating them again adds none.
    from ambassadors.crisis.webhooks import webhook_posts_create

    assert webhook_posts_create(update=WebhookPost.objects.first().update) == []
    assert WebhookPost.objects.count() == 2


def test_a_post_left_sending_by_a_dead_worker_becomes_unknown_and_is_not_resent(
    sink, hooks, comms_lead
):
    from datetime import timedelta

    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={}, channels=["slack"])
    Sender().sweep()
    post = WebhookPost.objects.get()
    WebhookPost.objects.filter(pk=post.pk).update(status="sending", claimed_at=post.created_at)

    assert webhook_posts_mark_unknown(older_than=timedelta(0)) == 1
    assert webhook_post_send(post_id=post.pk).status == "unknown"
    assert sink.posts["slack"] == []


def test_retry_delay_backs_off_and_honours_retry_after(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    assert [webhook_retry_delay(retries=n, retry_after=None) for n in range(4)] == [10, 20, 40, 80]
    assert webhook_retry_delay(retries=0, retry_after=120) == 120
    assert webhook_retry_delay(retries=9, retry_after=None) == 600


def test_urls_are_checked_masked_and_never_logged(sink, hooks, comms_lead, caplog, settings):
    settings.WEBHOOK_EXTRA_HOSTS = []
    assert webhook_url_check(kind="slack", url=" https://hooks.slack.com/services/T/B/x ") == (
        "https://hooks.slack.com/services/T/B/x"
    )
    webhook_url_check(kind="teams", url="https://prod-1.westeurope.logic.azure.com/workflows/x")
    for kind, url in [
        ("slack", "http://hooks.slack.com/services/x"),
        ("slack", "https://evil.example.com/services/x"),
        ("teams", "https://hooks.slack.com/services/x"),
        ("teams", "https://user:pw@a.logic.azure.com/x"),
    ]:
        with pytest.raises(WebhookAddressError):
            webhook_url_check(kind=kind, url=url)
    assert mask_url("https://hooks.slack.com/services/T/B/abcd1234") == (
        "https://hooks.slack.com/…1234"
    )

    settings.WEBHOOK_EXTRA_HOSTS = ["127.0.0.1"]
    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={})
    sender = Sender()
    sender.sweep()
    sink.answer("slack", SLACK_SECRET, 500)
    with caplog.at_level(logging.DEBUG):
        send_all(sender.posts)
    assert caplog.records  # the failure was logged…
    assert "secretvalue" not in caplog.text  # …without the address
    assert all("secretvalue" not in p.error for p in WebhookPost.objects.all())


def test_studio_shows_webhooks_masked_and_refuses_bad_addresses(client_as, comms_user, settings):
    client = client_as(comms_user)
    response = client.post(
        "/studio/crisis/webhooks/",
        {"name": "#all", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/topsecret1",
         "language": "en"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get("/studio/crisis/webhooks/").content.decode()
    assert "https://hooks.slack.com/…ret1" in page
    assert "topsecret1" not in page

    refused = client.post(
        "/studio/crisis/webhooks/",
        {"name": "x", "kind": "slack", "url": "https://example.com/hook", "language": "en"},
    )
    assert refused.status_code == 200
    assert Webhook.objects.count() == 1


def test_new_items_are_posted_once_to_webhooks_that_want_them(sink, comms_user):
    from django.utils import timezone

    hook = Webhook.objects.create(
        name="#news", kind="slack", url=sink.url("slack", SLACK_SECRET), language="en",
        post_new_items=True,
    )  # fmt: skip
    ItemFactory(live=True, title="Older news", language="en")  # before the webhook existed
    just_now = {"status": "published", "publish_at": timezone.now()}
    ItemFactory(title="Fresh news", language="en", **just_now)
    ItemFactory(title="Nieuws", language="nl", **just_now)
    ItemFactory(title="Draft", language="en")

    ids = new_item_posts_create()
    assert new_item_posts_create() == ids  # still pending, not posted yet: no new rows
    assert send_all(ids) == ["sent"]
    assert new_item_posts_create() == []
    assert [p["blocks"][0]["text"]["text"] for p in sink.posts["slack"]] == ["Fresh news"]
    assert hook.posts.count() == 1


@pytest.mark.parametrize(
    "model",
    ["crisisscenario", "crisis", "contentpause", "crisisalertdelivery", "webhook", "webhookpost"],
)
def test_crisis_admin_pages_work_and_never_show_a_webhook_address(client_as, comms_lead, model):
    from django.urls import reverse

    from ambassadors.models import User

    Webhook.objects.create(
        name="#all", kind="slack", url="https://hooks.slack.com/services/T/B/adminsecret9",
        language="en",
    )  # fmt: skip
    from ambassadors.tests.factories import AmbassadorFactory

    AmbassadorFactory()
    services.scenario_create(by=comms_lead, name="Outage", title_en="A", body_en="B")
    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={})
    Sender().sweep()
    root = User.objects.create_superuser("root@example.com", "root@example.com", "pw-root-1")
    client = client_as(root)
    listing = client.get(reverse(f"admin:ambassadors_{model}_changelist"))
    assert listing.status_code == 200
    assert b"adminsecret9" not in listing.content
    obj = listing.context["cl"].model.objects.first()
    assert obj is not None
    page = client.get(reverse(f"admin:ambassadors_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert b"adminsecret9" not in page.content

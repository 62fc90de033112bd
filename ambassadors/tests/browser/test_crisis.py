"""A comms lead activates a prepared scenario with blanks, sends it now and posts an update;
an ambassador sees both in the feed and gets two e-mails; Slack and Teams get two posts each.

The sweeper runs in the test thread (as beat and a worker would), so the test needs no
broker; the worker path itself is covered by test_crisis_worker.py."""

import pytest
from django.core import mail
from playwright.sync_api import expect

SHOTS = "/tmp/wt17-crisis"  # noqa: S108 - screenshots for the reviewer, per the brief


def sweep():
    from ambassadors.crisis.alerts import crisis_alert_batch_send, crisis_alert_dispatch
    from ambassadors.crisis.webhooks import webhook_post_send

    crisis_alert_dispatch(
        enqueue=lambda pk, ids: crisis_alert_batch_send(update_id=pk, ambassador_ids=ids),
        enqueue_posts=lambda ids: [webhook_post_send(post_id=pk) for pk in ids],
    )


@pytest.mark.django_db(transaction=True)
def test_lead_activates_a_scenario_sends_now_and_posts_an_update(
    page, live_server, login, settings
):
    from ambassadors.crisis import services
    from ambassadors.models import Webhook
    from ambassadors.tests.factories import (
        AmbassadorFactory,
        CommsLeadFactory,
        CommsUserFactory,
        GuidelinesFactory,
    )
    from ambassadors.tests.webhook_sink import WebhookSink

    GuidelinesFactory(version=1)
    writer = CommsUserFactory(email="writer@example.com")
    checker = CommsUserFactory(email="checker@example.com")
    lead = CommsLeadFactory(email="lead@example.com")
    reader = AmbassadorFactory(user__email="amber@example.com", language="en")
    scenario = services.scenario_create(
        by=writer,
        name="Outage",
        title_en="{what} is down",
        body_en="Since {time} our {what} does not work. We are fixing it.",
        share_text_en="Our {what} is down. We keep you posted.",
        internal_only=False,
    )
    services.scenario_submit(scenario=scenario, by=writer)
    services.scenario_approve(scenario=scenario, by=checker)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    with WebhookSink() as sink:
        settings.WEBHOOK_EXTRA_HOSTS = ["127.0.0.1"]
        Webhook.objects.create(name="#all", kind="slack", url=sink.url("slack"), language="en")
        Webhook.objects.create(name="Everyone", kind="teams", url=sink.url("teams"), language="en")

        login(page, lead)
        page.goto(f"{live_server.url}/studio/crisis/")
        page.get_by_role("link", name="Activate a crisis").click()
        page.select_option("#pick-scenario", label="Outage")
        page.get_by_role("button", name="Use").click()
        page.fill("#id_fill_what", "The app")
        page.fill("#id_fill_time", "9:00")
        page.get_by_role("button", name="Check who it reaches").click()
        reach = page.locator("[data-reach]")
        expect(reach).to_contain_text("E-mail: 1 person")
        expect(reach).to_contain_text("Slack: #all")
        expect(reach).to_contain_text("Microsoft Teams: Everyone")
        expect(reach).to_contain_text("The app is down")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.screenshot(path=f"{SHOTS}-activate-1366.png", full_page=True)
        page.get_by_role("button", name="Confirm and send").click()
        expect(page.get_by_text("The crisis is active. The first message is out.")).to_be_visible()
        sweep()

        page.fill("#id_text_en", "The app works again for most people.")
        page.get_by_role("button", name="Post the update").click()
        expect(page.get_by_text("Update 2 is out.")).to_be_visible()
        sweep()
        expect(page.locator(".pause-banner")).to_contain_text("Other content is paused.")
        page.screenshot(path=f"{SHOTS}-studio-1366.png", full_page=True)

        page.context.clear_cookies()
        login(page, reader.user)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/")
        cards = page.locator(".item-card")
        expect(cards.nth(0)).to_contain_text("Update 2: The app is down")
        expect(cards.nth(1)).to_contain_text("The app is down")
        page.screenshot(path=f"{SHOTS}-feed-390.png", full_page=True)

        public = page.context.new_page()
        public.goto(f"{live_server.url}/crisis/the-app-is-down/")
        expect(public.locator(".crisis-latest")).to_contain_text("works again")
        public.screenshot(path=f"{SHOTS}-site-390.png", full_page=True)

        assert [m.subject for m in mail.outbox] == [
            "Urgent: The app is down",
            "Update 2 of 2: The app is down",
        ]
        assert {tuple(m.to) for m in mail.outbox} == {("amber@example.com",)}
        assert len(sink.posts["slack"]) == 2
        assert len(sink.posts["teams"]) == 2
        assert sink.bad == []

    # The same screens in Dutch, on a phone.
    dutch = page.context.browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    nl_page = dutch.new_page()
    nl_page.goto(f"{live_server.url}/crisis/the-app-is-down/")
    expect(nl_page.locator(".crisis-latest")).to_contain_text("Laatste update (2)")
    nl_page.screenshot(path=f"{SHOTS}-site-nl-390.png", full_page=True)
    login(nl_page, lead)
    nl_page.goto(f"{live_server.url}/studio/crisis/activate/?scenario={scenario.pk}")
    expect(nl_page.get_by_role("heading", level=1)).to_have_text("Crisis starten")
    expect(nl_page.get_by_role("button", name="Kijk wie het bereikt")).to_be_visible()
    nl_page.screenshot(path=f"{SHOTS}-activate-nl-390.png", full_page=True)
    dutch.close()
    assert csp_errors == []

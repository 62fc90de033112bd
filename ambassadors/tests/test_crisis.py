"""Crisis mode: dark scenarios, activation, internal-only vs shareable, updates alerting each
person once, one-click stop of urgent e-mails, the content pause, close and report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from ambassadors.crisis import services
from ambassadors.crisis.alerts import crisis_alert_batch_send, crisis_alert_dispatch
from ambassadors.crisis.placeholders import (
    MissingPlaceholders,
    placeholder_names,
    placeholders_fill,
)
from ambassadors.mail.alerts import alert_batch_send, alert_dispatch
from ambassadors.models import (
    ContentPause,
    Crisis,
    CrisisAlertDelivery,
    CrisisScenario,
    CrisisUpdate,
    DeliveryStatus,
    Item,
    Share,
    SiteSettings,
    TrackedLink,
)
from ambassadors.tests.factories import (
    AmbassadorFactory,
    ClickFactory,
    DepartmentFactory,
    ItemFactory,
    ShareFactory,
    TrackedLinkFactory,
)
from ambassadors.tracking.links import tracked_link_get_or_create

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


class Sender:
    """Stands in for the queue: sends each batch at once and counts what was handed over."""

    def __init__(self):
        self.batches: list[tuple[int, list[int]]] = []
        self.posts: list[int] = []

    def batch(self, update_id, ids):
        self.batches.append((update_id, list(ids)))
        crisis_alert_batch_send(update_id=update_id, ambassador_ids=ids)

    def post(self, ids):
        self.posts.extend(ids)

    def sweep(self, now=None):
        return crisis_alert_dispatch(enqueue=self.batch, enqueue_posts=self.post, now=now)


def approved_scenario(author, reviewer, **values) -> CrisisScenario:
    values = {
        "title_en": "Outage at {place}",
        "body_en": "Since {time} our {what} is down at {place}. We are on it.",
        "share_text_en": "Our {what} is down at {place}; updates follow.",
        "title_nl": "Storing in {place}",
        "body_nl": "Sinds {time} werkt onze {what} niet in {place}. We werken eraan.",
        "internal_only": False,
        **values,
    }
    scenario = services.scenario_create(by=author, name="Outage", **values)
    services.scenario_submit(scenario=scenario, by=author)
    return services.scenario_approve(scenario=scenario, by=reviewer)


FILL = {"place": "Utrecht", "time": "09:00", "what": "app"}


def activate(lead, scenario=None, fill=FILL, **kwargs) -> Crisis:
    texts = {name: getattr(scenario, name) for name in services.TEXT_FIELDS} if scenario else {}
    texts |= kwargs.pop("texts", {})
    filled = services.crisis_texts_fill(texts=texts, values=fill)
    kwargs.setdefault("internal_only", scenario.internal_only if scenario else True)
    return services.crisis_activate(by=lead, texts=filled, scenario=scenario, **kwargs)


# --- Placeholders ---------------------------------------------------------------------------


def test_placeholder_names_in_order_of_appearance_without_repeats():
    assert placeholder_names(["At {place} since {time}", "{place}: {what} {Nope} { }"]) == [
        "place",
        "time",
        "what",
    ]


def test_placeholders_fill_strips_values_and_refuses_blanks():
    assert placeholders_fill("At {place}, {time}", {"place": " Utrecht ", "time": "9"}) == (
        "At Utrecht, 9"
    )
    with pytest.raises(MissingPlaceholders) as missing:
        placeholders_fill("At {place}, {time} ({what})", {"place": "x", "time": "  "})
    assert missing.value.names == ["time", "what"]


# --- Scenarios are dark ---------------------------------------------------------------------


def test_a_dark_scenario_appears_nowhere(client, client_as, comms_user, comms_user_2, ambassador):
    scenario = approved_scenario(
        comms_user, comms_user_2, title_en="Zebrafish leak at {place}", body_en="Zebrafish {what}"
    )
    ItemFactory(live=True, title="Ordinary news")

    assert alert_dispatch(enqueue=lambda *a: None) == 0
    assert Sender().sweep() == 0
    assert mail.outbox == []
    anonymous = Client()
    for url in ["/p/zebrafish-leak-at-place/", "/crisis/zebrafish-leak-at-place/", "/sitemap.xml"]:
        assert anonymous.get(url).status_code == 404
    reader = client_as(ambassador.user)
    for url in ["/", "/?q=Zebrafish", "/items/zebrafish-leak-at-place/"]:
        response = reader.get(url)
        assert b"Zebrafish leak" not in response.content
        assert b"Zebrafish app" not in response.content
    assert Item.objects.filter(title__contains="Zebrafish").count() == 0
    assert scenario.status == CrisisScenario.Status.APPROVED


def test_scenario_needs_a_second_person_and_a_change_sends_it_back(comms_user, comms_user_2):
    scenario = services.scenario_create(by=comms_user, name="Breach", title_en="A", body_en="B")
    services.scenario_submit(scenario=scenario, by=comms_user)
    with pytest.raises(services.CrisisError):
        services.scenario_approve(scenario=scenario, by=comms_user)
    scenario.refresh_from_db()
    assert scenario.status == CrisisScenario.Status.IN_REVIEW

    services.scenario_approve(scenario=scenario, by=comms_user_2)
    services.scenario_update(scenario=scenario, by=comms_user, body_en="B, changed")

    scenario.refresh_from_db()
    assert (scenario.status, scenario.approved_by) == (CrisisScenario.Status.DRAFT, None)


def test_an_unapproved_scenario_cannot_be_activated(comms_user, comms_lead):
    scenario = services.scenario_create(by=comms_user, name="Breach", title_en="A", body_en="B")
    texts = services.crisis_texts_fill(texts={"title_en": "A", "body_en": "B"}, values={})
    with pytest.raises(services.CrisisError):
        services.crisis_activate(by=comms_lead, texts=texts, scenario=scenario)
    assert Crisis.objects.count() == 0
    assert Item.objects.count() == 0


# --- Activation -----------------------------------------------------------------------------


def test_a_lead_activates_with_all_blanks_filled_and_it_goes_out_at_once(
    now, comms_user, comms_user_2, comms_lead
):
    scenario = approved_scenario(comms_user, comms_user_2)
    crisis = activate(comms_lead, scenario, send_now=True)

    assert crisis.status == Crisis.Status.ACTIVE
    update = crisis.updates.get()
    assert (update.number, update.alerts_send_after) == (1, now)
    en, nl = update.item_en, update.item_nl
    assert en.title == "Outage at Utrecht"
    assert en.body == "Since 09:00 our app is down at Utrecht. We are on it."
    assert nl.title == "Storing in Utrecht"
    assert nl.translation_of == en
    assert {i.status for i in (en, nl)} == {Item.Status.PUBLISHED}
    assert en.is_urgent
    assert not en.internal_only
    assert set(en.share_texts.values_list("text", flat=True)) == {
        "Our app is down at Utrecht; updates follow."
    }
    assert en.share_texts.count() == len(services.SHARE_TEXT_NETWORKS)
    assert nl.share_texts.count() == 0  # no Dutch share text was written
    assert set(Item.objects.live(now)) == {en, nl}
    assert ContentPause.objects.active().get().crisis == crisis


def test_missing_blanks_stop_activation_and_nothing_is_created(
    comms_user, comms_user_2, comms_lead
):
    scenario = approved_scenario(comms_user, comms_user_2)
    with pytest.raises(MissingPlaceholders) as missing:
        activate(comms_lead, scenario, fill={"place": "Utrecht", "time": ""})
    assert missing.value.names == ["time", "what"]
    assert (Crisis.objects.count(), Item.objects.count(), CrisisUpdate.objects.count()) == (0, 0, 0)


def test_with_the_usual_delay_alerts_wait_and_can_be_stopped(now, comms_lead):
    SiteSettings.objects.update_or_create(pk=1, defaults={"urgent_send_delay_minutes": 10})
    crisis = activate(comms_lead, texts={"title_en": "Fire drill", "body_en": "Go out."}, fill={},
                      send_now=False)  # fmt: skip
    update = crisis.updates.get()
    assert update.alerts_send_after == now + timedelta(minutes=10)
    AmbassadorFactory()
    assert Sender().sweep(now=now) == 0

    services.crisis_update_alerts_cancel(update=update, by=comms_lead)

    assert Sender().sweep(now=now + timedelta(minutes=11)) == 0
    assert mail.outbox == []


def test_without_a_lead_two_comms_members_are_needed(comms_user, comms_user_2):
    crisis = activate(comms_user, texts={"title_en": "Flood", "body_en": "Stay home."}, fill={})

    assert crisis.status == Crisis.Status.PENDING
    assert (CrisisUpdate.objects.count(), Item.objects.count()) == (0, 0)
    assert Client().get(f"/crisis/{crisis.slug}/").status_code == 404
    with pytest.raises(services.CrisisError):
        services.crisis_confirm(crisis=crisis, by=comms_user)
    assert Item.objects.count() == 0

    services.crisis_confirm(crisis=crisis, by=comms_user_2)

    crisis.refresh_from_db()
    assert (crisis.status, crisis.activated_by) == (Crisis.Status.ACTIVE, comms_user_2)
    assert Item.objects.get().title == "Flood"


def test_reach_counts_people_per_channel(comms_lead):
    from ambassadors.models import Webhook

    sales = DepartmentFactory(name="Sales")
    AmbassadorFactory(department=sales)
    AmbassadorFactory(department=sales, content_languages="nl")  # crises reach every reader
    AmbassadorFactory(department=sales, urgent_alerts=False)
    AmbassadorFactory(department=DepartmentFactory(name="Legal"))
    Webhook.objects.create(
        name="#sales", kind="slack", url="https://hooks.slack.com/x", language="en"
    )
    Webhook.objects.create(
        name="Sales team", kind="teams", url="https://a.logic.azure.com/x", language="nl"
    )  # noqa: E501

    reach = services.crisis_reach(
        audience_ids=[sales.pk], must_reach=False, channels=["email", "slack"]
    )
    must = services.crisis_reach(
        audience_ids=[sales.pk], must_reach=True, channels=["email", "teams"]
    )

    assert (reach.email, reach.email_off, reach.slack, reach.teams) == (2, 1, ["#sales"], [])
    assert (must.email, must.email_off, must.slack, must.teams) == (3, 0, [], ["Sales team"])


# --- Internal-only vs shareable --------------------------------------------------------------


def test_internal_only_has_no_public_page_no_share_and_says_do_not_share(
    now, client_as, comms_lead, ambassador
):
    crisis = activate(
        comms_lead, texts={"title_en": "Office closed", "body_en": "Work from home."}, fill={},
        internal_only=True,
    )  # fmt: skip
    item = crisis.updates.get().item_en
    reader = client_as(ambassador.user)

    assert Client().get(f"/p/{item.slug}/").status_code == 404
    assert Client().get(f"/crisis/{crisis.slug}/").status_code == 404
    assert reader.post(f"/items/{item.slug}/share/linkedin/", {"text": "x"}).status_code == 404
    assert reader.post(
        f"/items/{item.slug}/shares/", {"network": "linkedin", "post_url": "https://x.com/a"}
    ).status_code in (302, 404)
    assert (Share.objects.count(), TrackedLink.objects.count()) == (0, 0)
    with pytest.raises(ValueError, match="internal-only"):
        tracked_link_get_or_create(ambassador=ambassador, item=item, network="linkedin")
    page = reader.get(f"/items/{item.slug}/").content.decode()
    assert "please do not share it" in page
    assert "/share/" not in page

    Sender().sweep(now=now)

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == "For you, do not share: Office closed"
    for part in (message.body, html):
        assert "please do not share it" in part
        assert "help us share" not in part
        assert "Open and share" not in part
        assert "/s/" not in part
        assert "/p/" not in part
        assert "/crisis/" not in part


def test_shareable_crisis_asks_for_help_and_links_the_public_page(now, comms_lead, ambassador):
    crisis = activate(
        comms_lead, texts={"title_en": "App down", "body_en": "We fix it."}, fill={},
        internal_only=False,
    )  # fmt: skip
    Sender().sweep(now=now)

    [message] = mail.outbox
    assert message.subject == "Urgent: App down"
    assert "please help us share it" in message.body
    assert "Open and share:" in message.body
    assert f"http://testserver/crisis/{crisis.slug}/" in message.body
    assert Client().get(f"/p/{crisis.updates.get().item_en.slug}/").status_code == 200


def test_an_internal_only_urgent_item_e_mail_says_do_not_share(now):
    item = ItemFactory(
        status=Item.Status.PUBLISHED, is_urgent=True, internal_only=True, title="Lock-down drill",
        publish_at=now - timedelta(minutes=15), alerts_send_after=now - timedelta(minutes=5),
    )  # fmt: skip
    AmbassadorFactory()

    alert_dispatch(
        enqueue=lambda item_id, ids: alert_batch_send(item_id=item_id, ambassador_ids=ids), now=now
    )  # noqa: E501

    [message] = mail.outbox
    assert message.subject == "For you, do not share: Lock-down drill"
    assert "please do not share it" in message.body
    assert "Open and share" not in message.body
    assert item.slug in message.body


# --- Updates: each person once per update ---------------------------------------------------


def test_each_update_alerts_each_person_once_in_their_language(now, comms_lead):
    en_reader = AmbassadorFactory(language="en")
    nl_reader = AmbassadorFactory(language="nl", content_languages="nl")
    AmbassadorFactory(urgent_alerts=False)
    crisis = activate(
        comms_lead, texts={"title_en": "App down", "body_en": "We fix it.",
                           "title_nl": "App plat", "body_nl": "We maken het."},
        fill={}, internal_only=False,
    )  # fmt: skip
    sender = Sender()
    sender.sweep(now=now)
    update = services.crisis_update_add(
        crisis=crisis, by=comms_lead, text_en="Fixed in an hour.", text_nl="Over een uur klaar."
    )
    sender.sweep(now=now)
    # A second sweep and a redelivered batch send nothing more.
    sender.sweep(now=now)
    for update_id, ids in list(sender.batches):
        assert crisis_alert_batch_send(update_id=update_id, ambassador_ids=ids).sent == 0

    by_person = {}
    for message in mail.outbox:
        by_person.setdefault(message.to[0], []).append(message.subject)
    assert by_person == {
        en_reader.user.email: ["Urgent: App down", "Update 2 of 2: App down"],
        nl_reader.user.email: ["Spoed: App plat", "Update 2 van 2: App plat"],
    }
    assert "Over een uur klaar." in next(
        m.body for m in mail.outbox if m.subject.startswith("Update 2 van 2")
    )
    assert (
        CrisisAlertDelivery.objects.filter(update=update, status=DeliveryStatus.SENT).count() == 2
    )
    assert Item.objects.get(pk=update.item_en_id).title == "Update 2: App down"


def test_an_update_without_alert_reaches_the_feed_but_sends_nothing(now, comms_lead):
    AmbassadorFactory()
    crisis = activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={})
    Sender().sweep(now=now)
    mail.outbox.clear()

    update = services.crisis_update_add(crisis=crisis, by=comms_lead, text_en="Quiet", alert=False)

    assert Sender().sweep(now=now) == 0
    assert mail.outbox == []
    assert update.item_en in Item.objects.live(now)


# --- One-click stop of urgent e-mails (RFC 8058) --------------------------------------------


def test_alert_e_mails_carry_one_click_unsubscribe_that_turns_urgent_e_mails_off(now, comms_lead):
    reader = AmbassadorFactory()
    activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={})
    Sender().sweep(now=now)
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith("http://testserver/unsubscribe/urgent/")
    path = url.removeprefix("http://testserver")
    mailer = Client(enforce_csrf_checks=True)

    assert mailer.get(path).status_code == 200
    reader.refresh_from_db()
    assert reader.urgent_alerts is True

    assert mailer.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    reader.refresh_from_db()
    assert (reader.urgent_alerts, reader.digest_enabled) == (False, True)


def test_urgent_item_e_mails_carry_one_click_unsubscribe_too(now):
    ItemFactory(
        status=Item.Status.PUBLISHED, is_urgent=True, publish_at=now - timedelta(minutes=15),
        alerts_send_after=now - timedelta(minutes=5),
    )  # fmt: skip
    reader = AmbassadorFactory()
    alert_dispatch(enqueue=lambda i, ids: alert_batch_send(item_id=i, ambassador_ids=ids), now=now)
    [message] = mail.outbox
    path = message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    assert Client().post(path).status_code == 200
    reader.refresh_from_db()
    assert reader.urgent_alerts is False


def test_the_digest_token_does_not_stop_urgent_e_mails(client):
    from ambassadors.mail.unsubscribe import unsubscribe_token

    reader = AmbassadorFactory()
    token = unsubscribe_token(ambassador_id=reader.pk)
    assert client.post(f"/unsubscribe/urgent/{token}/").status_code == 400
    reader.refresh_from_db()
    assert reader.urgent_alerts is True


def test_must_reach_alerts_reach_people_with_urgent_e_mails_off_and_have_no_unsubscribe(
    now, comms_lead
):
    quiet = AmbassadorFactory(urgent_alerts=False)
    activate(comms_lead, texts={"title_en": "Evacuate", "body_en": "Leave now."}, fill={},
             must_reach=True)  # fmt: skip
    Sender().sweep(now=now)

    [message] = mail.outbox
    assert message.to == [quiet.user.email]
    assert "List-Unsubscribe" not in message.extra_headers
    assert "because it must reach you" in message.body


# --- Pause ----------------------------------------------------------------------------------


def test_the_pause_holds_scheduled_items_and_resume_releases_them(now, client_as, comms_user):
    before = ItemFactory(live=True, title="Already out")
    pause = services.content_pause_start(by=comms_user, reason="Outage")
    later = now + timedelta(hours=1)
    planned = ItemFactory(status=Item.Status.PUBLISHED, publish_at=now + timedelta(minutes=30),
                          title="Cheerful post")  # fmt: skip
    missed = ItemFactory(status=Item.Status.PUBLISHED, publish_at=now + timedelta(minutes=10),
                         expires_at=now + timedelta(minutes=50), title="Event today")  # fmt: skip
    future = ItemFactory(status=Item.Status.PUBLISHED, publish_at=now + timedelta(days=2),
                         title="Next week")  # fmt: skip
    urgent = ItemFactory(status=Item.Status.PUBLISHED, publish_at=now + timedelta(minutes=5),
                         is_urgent=True, title="Urgent")  # fmt: skip

    with time_machine.travel(later, tick=False):
        assert set(Item.objects.live()) == {before, urgent}
        banner = client_as(comms_user).get("/studio/crisis/banner/").content.decode()
        assert "Other content is paused." in banner
        assert "Cheerful post" in banner
        assert "Next week" in banner
        assert "Already out" not in banner
        assert "Outage" in banner

        report = services.content_pause_resume(by=comms_user)

        assert [i.title for i in report.released] == ["Cheerful post"]
        assert [i.title for i in report.missed] == ["Event today"]
        assert set(Item.objects.live()) == {before, urgent, planned}
        planned.refresh_from_db()
        assert planned.publish_at == later  # counts as new in the feed and the digest
    pause.refresh_from_db()
    assert (pause.resumed_at, pause.resumed_by, pause.is_on) == (later, comms_user, None)
    missed.refresh_from_db()
    assert missed.publish_at == now + timedelta(minutes=10)
    assert future in Item.objects.live(now + timedelta(days=3))
    assert client_as(comms_user).get("/studio/crisis/banner/").content.strip() == b""


def test_only_one_pause_at_a_time(comms_user):
    services.content_pause_start(by=comms_user)
    with pytest.raises(services.CrisisError):
        services.content_pause_start(by=comms_user)
    assert ContentPause.objects.count() == 1
    services.content_pause_resume(by=comms_user)
    with pytest.raises(services.CrisisError):
        services.content_pause_resume(by=comms_user)


def test_weekly_e_mails_wait_during_the_pause_and_go_after_resume(now, comms_user):
    from ambassadors.mail.digests.schedule import digest_dispatch
    from ambassadors.mail.digests.sending import digest_batch_send

    SiteSettings.objects.update_or_create(pk=1, defaults={"digest_send_hour": 0})
    reader = AmbassadorFactory(time_zone="UTC", digest_weekday=now.isoweekday())
    ItemFactory(live=True)
    services.content_pause_start(by=comms_user)
    queued = []

    assert services.pause_banner().digests_waiting is True
    assert digest_dispatch(enqueue=lambda *args: queued.append(args)) is None
    result = digest_batch_send(run_id=None, period="2026-W48", ambassador_ids=[reader.pk])
    assert (queued, result.claimed, mail.outbox) == ([], 0, [])

    services.content_pause_resume(by=comms_user)
    run = digest_dispatch(enqueue=lambda *args: queued.append(args))

    assert run is not None
    assert [args[2] for args in queued] == [[reader.pk]]


# --- Close and report -----------------------------------------------------------------------


def test_close_ends_alerts_marks_the_site_resolved_and_reports(now, client_as, comms_lead):
    a, b = AmbassadorFactory(), AmbassadorFactory()
    crisis = activate(comms_lead, texts={"title_en": "App down", "body_en": "We fix it."},
                      fill={}, internal_only=False)  # fmt: skip
    Sender().sweep(now=now)
    pending = services.crisis_update_add(
        crisis=crisis, by=comms_lead, text_en="Still on it", send_now=False
    )
    first = crisis.updates.get(number=1).item_en
    ShareFactory(ambassador=a, item=first, network="linkedin")
    ShareFactory(ambassador=a, item=first, network="linkedin")  # pressed twice: one share
    link = TrackedLinkFactory(ambassador=b, item=first, network="x")
    ClickFactory(link=link)
    ClickFactory(link=link, is_bot=True)

    resumed = services.crisis_close(crisis=crisis, by=comms_lead)

    crisis.refresh_from_db()
    pending.refresh_from_db()
    assert crisis.status == Crisis.Status.CLOSED
    assert resumed is not None
    assert ContentPause.objects.active().count() == 0
    assert pending.alerts_cancelled_at == now
    assert Sender().sweep(now=now + timedelta(hours=1)) == 0
    assert Item.objects.live(now + timedelta(seconds=1)).count() == 0
    page = Client().get(f"/crisis/{crisis.slug}/").content.decode()
    assert "Resolved" in page
    assert "Still on it" in page

    response = client_as(comms_lead).get(f"/studio/crisis/{crisis.pk}/report.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["update", "at", "by", "emails_sent"]
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    assert [r[3:] for r in rows[1:]] == [
        ["2", "0", "0", "0", "0", "0", "1", "1"],
        ["0", "0", "0", "0", "0", "0", "0", "0"],
    ]


def test_closing_twice_is_refused(comms_lead):
    crisis = activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={})
    services.crisis_close(crisis=crisis, by=comms_lead)
    with pytest.raises(services.CrisisError):
        services.crisis_close(crisis=crisis, by=comms_lead)
    with pytest.raises(services.CrisisError):
        services.crisis_update_add(crisis=crisis, by=comms_lead, text_en="late")
    assert crisis.updates.count() == 1


def test_comms_can_mark_an_ordinary_item_staff_only(
    client, comms_user, ambassador, django_capture_on_commit_callbacks
):
    from ambassadors.publishing.items import item_update
    from ambassadors.tracking.links import link_cache_clear

    item = ItemFactory(live=True, title="Town hall notes")
    link = TrackedLinkFactory(item=item, ambassador=ambassador)
    assert Client().get(f"/p/{item.slug}/").status_code == 200
    assert Client().get(f"/s/{link.code}").status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        item_update(item=item, by=comms_user, internal_only=True)
    link_cache_clear()  # per-process copies last LINK_CACHE_SECONDS

    assert Client().get(f"/p/{item.slug}/").status_code == 404
    assert Client().get(f"/s/{link.code}").status_code == 404
    assert item.events.last().note == "for staff only (do not share)"


def test_people_whose_whole_day_fell_in_a_pause_get_their_weekly_e_mail_after_it(now):
    from ambassadors.mail.digests.schedule import digest_due

    site = SiteSettings.load()
    site.digest_send_hour = 8
    site.save()
    ItemFactory(status=Item.Status.PUBLISHED, publish_at=now - timedelta(days=3))
    monday, tuesday, wednesday, thursday = (
        AmbassadorFactory(time_zone="UTC", digest_weekday=day) for day in (1, 2, 3, 4)
    )
    # Wednesday 25 Nov 14:00 UTC now; the pause covered all of Monday's window (08:00-24:00)
    # and ended early Tuesday, before Tuesday's window opened.
    ContentPause.objects.create(
        started_at=datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
        resumed_at=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        is_on=None,
    )

    due = {(period, a.pk) for period, people in digest_due(now=now, site=site) for a in people}

    assert due == {("2026-W48", monday.pk), ("2026-W48", wednesday.pk)}
    assert tuesday.pk not in {pk for _p, pk in due}
    assert thursday.pk not in {pk for _p, pk in due}

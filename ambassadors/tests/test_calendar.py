"""Issue 12, part 6: the content calendar and its private iCalendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar

from ambassadors.models import CalendarToken, Item
from ambassadors.publishing.calendar import calendar_entries, calendar_token_reset
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory, TopicFactory

Status = Item.Status
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # a Wednesday


def at(days: float, hour: int = 10) -> datetime:
    return (NOW + timedelta(days=days)).replace(hour=hour, minute=0)


@pytest.fixture
def planned(db):
    climate = TopicFactory(slug="climate")
    return {
        "draft": ItemFactory(title="Draft plan", status=Status.DRAFT, publish_at=at(1)),
        "review": ItemFactory(title="In review", status=Status.IN_REVIEW, publish_at=at(2)),
        "scheduled": ItemFactory(
            title="Scheduled", status=Status.PUBLISHED, publish_at=at(3), topics=[climate]
        ),
        "live": ItemFactory(
            title="Went live",
            status=Status.PUBLISHED,
            publish_at=at(-1),
            expires_at=at(5),
            language="nl",
        ),
        "urgent": ItemFactory(
            title="Urgent",
            status=Status.PUBLISHED,
            is_urgent=True,
            publish_at=at(0, 8),
            alerts_send_after=at(0, 8) + timedelta(minutes=10),
        ),
        "stopped": ItemFactory(
            title="Stopped",
            status=Status.PUBLISHED,
            is_urgent=True,
            publish_at=at(0, 7),
            alerts_send_after=at(0, 7) + timedelta(minutes=10),
            alerts_cancelled_at=at(0, 7),
        ),
        "archived": ItemFactory(title="Archived", status=Status.ARCHIVED, publish_at=at(1)),
        "draft_undated": ItemFactory(title="No date", status=Status.DRAFT),
    }


def test_entries_cover_planned_scheduled_live_ending_and_urgent(planned):
    entries = calendar_entries(start=at(-3, 0), end=at(10, 0), now=NOW)
    assert [(e.kind, e.title, e.at) for e in entries] == [
        ("live", "Went live", at(-1)),
        ("live", "Stopped", at(0, 7)),
        ("live", "Urgent", at(0, 8)),
        ("urgent", "Urgent", at(0, 8) + timedelta(minutes=10)),
        ("planned", "Draft plan", at(1)),
        ("planned", "In review", at(2)),
        ("scheduled", "Scheduled", at(3)),
        ("expiring", "Went live", at(5)),
    ]
    climate = planned["scheduled"].topics.get()
    assert [e.title for e in calendar_entries(start=at(-3, 0), end=at(10, 0), topic=climate)] == [
        "Scheduled"
    ]
    assert {e.title for e in calendar_entries(start=at(-3, 0), end=at(10, 0), language="nl")} == {
        "Went live"
    }


def test_month_and_week_pages_link_every_entry_and_show_the_weeks_volume(
    client_as, comms_user, planned
):
    AmbassadorFactory()
    client = client_as(comms_user)
    with time_machine.travel(NOW, tick=False):
        month = client.get("/studio/calendar/?view=month&date=2026-11-18")
        week = client.get("/studio/calendar/?view=week&date=2026-11-18")
    assert month.status_code == 200
    assert len(month.context["weeks"]) == 6  # 26 Oct – 6 Dec: 1 Nov is a Sunday
    html = week.content.decode()
    for key in ("draft", "review", "scheduled", "live", "urgent"):
        assert f'href="/studio/items/{planned[key].pk}/"' in html
    assert "Archived" not in html
    assert len(week.context["weeks"]) == 1
    assert week.context["weeks"][0]["going_live"] == 4  # live ×3 and scheduled
    assert week.context["volume"]["ambassadors"] == 1
    assert "for 1 active ambassadors" in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_calendar_runs_the_same_queries_for_3_and_30_items(
    client_as, comms_user, django_assert_num_queries, count
):
    topic = TopicFactory(slug="jobs")
    for n in range(count):
        ItemFactory(
            title=f"Story {n}",
            status=Status.PUBLISHED,
            publish_at=at(n % 10),
            expires_at=at(n % 10 + 1),
            topics=[topic],
        )
    client = client_as(comms_user)
    url = "/studio/calendar/?view=month&date=2026-11-18&topic=jobs"
    client.get(url)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(10):
        response = client.get(url)
    entries = sum(len(day["entries"]) for week in response.context["weeks"] for day in week["days"])
    assert entries == 2 * count


def test_the_feed_needs_a_valid_token_and_stops_when_reset_or_revoked(
    client, client_as, comms_user, planned
):
    token = calendar_token_reset(user=comms_user)
    assert CalendarToken.objects.get().token_hash != token  # only the hash is stored
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert "Scheduled: Scheduled" in events
    assert "Urgent e-mails: Urgent" in events
    assert events["Planned: Draft plan"].decoded("DTSTART") == at(1)
    assert str(events["Scheduled: Scheduled"]["URL"]).endswith(
        f"/studio/items/{planned['scheduled'].pk}/"
    )
    assert client.get("/calendar/not-a-token.ics").status_code == 404

    new = calendar_token_reset(user=comms_user)
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200

    signed_in = client_as(comms_user)
    signed_in.post("/studio/calendar/feed/", {"revoke": "1"})
    assert not CalendarToken.objects.exists()
    assert client.get(f"/calendar/{new}.ics").status_code == 404


def test_the_feed_stops_for_someone_who_left_comms(client, comms_user, planned):
    token = calendar_token_reset(user=comms_user)
    comms_user.groups.clear()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_making_an_address_shows_it_once(client_as, comms_user):
    client = client_as(comms_user)
    made = client.post("/studio/calendar/feed/")
    assert made.status_code == 200
    url = made.context["feed_url"]
    assert url.startswith("http://testserver/calendar/")
    assert url.endswith(".ics")
    assert client.get("/studio/calendar/feed/").context["feed_url"] is None

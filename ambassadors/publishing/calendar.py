"""The content calendar (issue 12): what is planned, scheduled, live, ending and sent
urgently, by day; plus the private iCalendar feed comms add to Outlook or Google Calendar.

Entries (one item can give several):

- ``planned``: a draft or an item in review with a planned publish date;
- ``scheduled``: published, going live at a future publish date;
- ``live``: published, went live that day;
- ``expiring``: published, leaves the feed that day;
- ``urgent``: the urgent e-mails go out then (not when they were stopped).

Feed tokens: 32 random bytes, shown once; only their SHA-256 is stored, so a leaked database
does not leak calendar addresses. Resetting or revoking makes the old address answer 404.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CalendarToken, Item, Topic, User

Status = Item.Status
KINDS = ("planned", "scheduled", "live", "expiring", "urgent")


@dataclass(frozen=True)
class Entry:
    kind: str
    at: datetime
    item_id: int
    title: str
    status: str
    language: str
    is_urgent: bool

    @property
    def day(self) -> date:
        return timezone.localtime(self.at).date()


def kind_label(kind: str) -> str:
    return {
        "planned": _("Planned"),
        "scheduled": _("Scheduled"),
        "live": _("Goes live"),
        "expiring": _("Ends"),
        "urgent": _("Urgent e-mails"),
    }[kind]


def calendar_entries(
    *,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    topic: Topic | None = None,
    language: str = "",
) -> list[Entry]:
    """Entries with ``start <= at < end``, sorted by time then title. One query whatever the
    number of items. ``topic`` is a Topic (or None), ``language`` a code (or "")."""
    now = now or timezone.now()
    items = Item.objects.exclude(status=Status.ARCHIVED).filter(
        Q(publish_at__gte=start, publish_at__lt=end)
        | Q(expires_at__gte=start, expires_at__lt=end)
        | Q(alerts_send_after__gte=start, alerts_send_after__lt=end)
    )
    if topic is not None:
        items = items.filter(topics=topic)
    if language:
        items = items.filter(language=language)
    entries: list[Entry] = []
    fields = (
        "pk",
        "title",
        "status",
        "language",
        "is_urgent",
        "publish_at",
        "expires_at",
        "alerts_send_after",
        "alerts_cancelled_at",
    )
    for row in items.values(*fields).distinct():
        base = {
            "item_id": row["pk"],
            "title": row["title"],
            "status": row["status"],
            "language": row["language"],
            "is_urgent": row["is_urgent"],
        }

        def inside(value: datetime | None) -> bool:
            return value is not None and start <= value < end

        publish_at = row["publish_at"]
        if inside(publish_at):
            if row["status"] in (Status.DRAFT, Status.IN_REVIEW):
                entries.append(Entry(kind="planned", at=publish_at, **base))
            elif publish_at > now:
                entries.append(Entry(kind="scheduled", at=publish_at, **base))
            else:
                entries.append(Entry(kind="live", at=publish_at, **base))
        if row["status"] == Status.PUBLISHED and inside(row["expires_at"]):
            entries.append(Entry(kind="expiring", at=row["expires_at"], **base))
        if (
            row["status"] == Status.PUBLISHED
            and row["is_urgent"]
            and row["alerts_cancelled_at"] is None
            and inside(row["alerts_send_after"])
        ):
            entries.append(Entry(kind="urgent", at=row["alerts_send_after"], **base))
    entries.sort(key=lambda e: (e.at, e.title.lower(), e.item_id, KINDS.index(e.kind)))
    return entries


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def month_weeks(anchor: date) -> list[list[date]]:
    """The weeks (Monday first) that cover the anchor's month, as lists of 7 days."""
    first = anchor.replace(day=1)
    start = first - timedelta(days=first.weekday())
    next_month = (first + timedelta(days=32)).replace(day=1)
    weeks = []
    day = start
    while day < next_month:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks


def week_days(anchor: date) -> list[date]:
    monday = anchor - timedelta(days=anchor.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


# --- Private feed ------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_token_reset(*, user: User) -> str:
    """A new private feed token for the user (the old one stops working). Returns the token
    itself: it is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=user,
        defaults={"token_hash": _hash(token), "created_at": timezone.now(), "last_used_at": None},
    )
    return token


def calendar_token_revoke(*, user: User) -> bool:
    deleted, _rows = CalendarToken.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_token_user(token: str) -> User | None:
    """The active comms member the token belongs to, or None (unknown, revoked, or the
    person is no longer active or no longer in comms)."""
    if not token or len(token) > 100:
        return None
    found = CalendarToken.objects.filter(token_hash=_hash(token)).select_related("user").first()
    if found is None:
        return None
    user = found.user
    if not user.is_active or not user.has_perm("ambassadors.publish_item"):
        return None
    CalendarToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return user


FEED_PAST_DAYS = 60
FEED_FUTURE_DAYS = 365


def calendar_ics(*, now: datetime | None = None) -> bytes:
    """The calendar as an iCalendar (RFC 5545) file: one event per entry, from 60 days back
    to a year ahead, each linking to the item in the studio."""
    from icalendar import Calendar, Event

    now = now or timezone.now()
    entries = calendar_entries(
        start=now - timedelta(days=FEED_PAST_DAYS),
        end=now + timedelta(days=FEED_FUTURE_DAYS),
        now=now,
    )
    cal = Calendar()
    cal.add("prodid", "-//Ambassador portal//Content calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Content calendar"))
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "portal"
    for entry in entries:
        event = Event()
        event.add("uid", f"item-{entry.item_id}-{entry.kind}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", entry.at)
        event.add("dtend", entry.at + timedelta(minutes=30))
        event.add("summary", f"{kind_label(entry.kind)}: {entry.title}")
        url = settings.SITE_URL + reverse("ambassadors:studio_item", args=[entry.item_id])
        event.add("url", url)
        event.add("description", url)
        cal.add_component(event)
    return cal.to_ical()

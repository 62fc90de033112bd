"""Weekly digests, when: who is due in their own time zone and week, pauses and stale runs,
and fanning the due people out in batches (``digest_dispatch``).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache, reduce
from operator import or_
from typing import cast

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ...models import (
    Ambassador,
    ContentPause,
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    Item,
    SiteSettings,
)
from ..delivery import (
    run_finish_if_done,
)
from .selection import FIRST_DIGEST_LOOKBACK, MAX_LOOKBACK, RunNumbers

STALE_RUN = timedelta(days=1)

Enqueue = Callable[[int, str, list[int], dict], None]


# Time ---------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """A stored name that is no longer valid falls back to the site's zone, not a crash."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_period(*, moment: datetime, time_zone: str) -> str:
    """The ISO week in the ambassador's own time zone: Sunday 23:30 in Amsterdam is
    already Monday (a new week) in Tokyo."""
    return iso_week(moment.astimezone(zone(time_zone)).date())


def claim_timeout() -> timedelta:
    return timedelta(minutes=settings.DELIVERY_CLAIM_TIMEOUT_MINUTES)


# Who is due ---------------------------------------------------------------------------------


def digest_recipients() -> QuerySet[Ambassador]:
    """Active ambassadors who want the digest and have an address that does not bounce."""
    return Ambassador.objects.mailable().filter(digest_enabled=True)


def _last_digest() -> Subquery:
    """A failed digest does not count as received: its posts come again next time."""
    return Subquery(
        DigestDelivery.objects.filter(ambassador=OuterRef("pk"))
        .exclude(status=DeliveryStatus.FAILED)
        .order_by("-claimed_at")
        .values("claimed_at")[:1]
    )


def digest_due(*, now: datetime, site: SiteSettings) -> list[tuple[str, QuerySet[Ambassador]]]:
    """(period, ambassadors) groups whose digest moment has come: today is their weekday and
    the send hour has passed, in their own time zone, and they have nothing for that week yet.

    The window runs to midnight, so a tick missed while beat or the broker was down is caught
    up by the next one. People for whom no post has gone live since their last digest are
    left out here already (one MAX query), so quiet weeks cost almost nothing.
    """
    if not site.digests_enabled or digests_paused(site):
        return []
    newest = Item.objects.live(now).aggregate(newest=Max("publish_at"))["newest"]
    if newest is None:
        return []
    maybe_new = []
    if newest > now - FIRST_DIGEST_LOOKBACK:
        maybe_new.append(Q(last_digest__isnull=True))
    if newest > now - MAX_LOOKBACK:
        maybe_new.append(Q(last_digest__lt=newest))
    if not maybe_new:
        return []
    zones_by_day: dict[tuple[date, tuple[int, ...]], list[str]] = defaultdict(list)
    names = digest_recipients().order_by().values_list("time_zone", flat=True).distinct()
    pauses = _recent_pauses(now=now)
    for name in names:
        local = now.astimezone(zone(name))
        if local.hour >= site.digest_send_hour:
            missed = _weekdays_missed_in_pause(
                day=local.date(), tz=zone(name), send_hour=site.digest_send_hour, pauses=pauses
            )
            zones_by_day[(local.date(), missed)].append(name)
    candidates = (
        digest_recipients().annotate(last_digest=_last_digest()).filter(reduce(or_, maybe_new))
    )
    groups: list[tuple[str, QuerySet[Ambassador]]] = []
    for (day, missed), zone_names in sorted(zones_by_day.items()):
        period = iso_week(day)
        has_delivery = DigestDelivery.objects.filter(ambassador=OuterRef("pk"), period=period)
        queryset = candidates.filter(
            time_zone__in=zone_names, digest_weekday__in=[day.isoweekday(), *missed]
        ).exclude(Exists(has_delivery))
        groups.append((period, queryset))
    return groups


def _recent_pauses(*, now: datetime) -> list[tuple[datetime, datetime]]:
    """Content pauses (crisis mode) that ended in the last week: (started_at, resumed_at)."""
    rows = ContentPause.objects.filter(
        resumed_at__gt=now - timedelta(days=7), resumed_at__lte=now
    ).values_list("started_at", "resumed_at")
    # resumed_at__gt leaves out the NULLs (pauses still on), so every pair is complete.
    return cast("list[tuple[datetime, datetime]]", list(rows))


def _weekdays_missed_in_pause(
    *, day: date, tz: zoneinfo.ZoneInfo, send_hour: int, pauses: list[tuple[datetime, datetime]]
) -> tuple[int, ...]:
    """Earlier weekdays of ``day``'s ISO week whose whole sending window (send hour to
    midnight, local) fell inside a content pause that has ended: those people get this
    week's e-mail now instead of waiting a week. A pause that ended before midnight needs
    nothing here: that day's window is still open."""
    missed = []
    for weekday in range(1, day.isoweekday()):
        local_day = day - timedelta(days=day.isoweekday() - weekday)
        start = datetime.combine(local_day, time(send_hour), tzinfo=tz)
        end = datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=tz)
        if any(started <= start and resumed >= end for started, resumed in pauses):
            missed.append(weekday)
    return tuple(missed)


def site_with_pause() -> SiteSettings:
    """The site settings and whether a content pause is on (crisis mode), in one query."""
    on = ContentPause.objects.filter(is_on=True)
    site = SiteSettings.objects.annotate(paused=Exists(on)).filter(pk=1).first()
    return site or SiteSettings.load()


def digests_paused(site: SiteSettings) -> bool:
    """While a content pause is on, weekly e-mails wait: the dispatcher queues nobody and a
    batch queued just before the pause sends nothing (its people stay due, so the first
    tick after *Resume* picks them up while their day lasts)."""
    paused = getattr(site, "paused", None)
    if paused is None:
        paused = ContentPause.objects.filter(is_on=True).exists()
    return paused


def digest_run_in_progress(*, now: datetime) -> bool:
    """One run at a time: while a run's batches are still queued, a new tick would queue the
    same people again. Claims would stop duplicates, but not the wasted work."""
    return DigestRun.objects.filter(
        finished_at__isnull=True, started_at__gte=now - claim_timeout()
    ).exists()


def digest_runs_close_stale(*, now: datetime) -> int:
    """A run whose task messages were lost (a flushed broker) would show as running forever."""
    stale = DigestRun.objects.filter(finished_at__isnull=True, started_at__lt=now - STALE_RUN)
    return stale.update(finished_at=now)


def id_batches(queryset: QuerySet, size: int) -> Iterator[list[int]]:
    """Primary keys a page at a time (keyset pagination: ``pk > last``), so memory stays flat
    and no cursor stays open while batches are handed over; one query per batch."""
    last = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]
        )
        if not batch:
            return
        yield batch
        if len(batch) < size:
            return
        last = batch[-1]


def digest_dispatch(
    *, enqueue: Enqueue, now: datetime | None = None, batch_size: int | None = None
) -> DigestRun | None:
    """Fan the due ambassadors out in batches of ids; returns the run, or None without work.

    Ids are read and handed over a batch at a time, so memory does not grow with the number
    of ambassadors. ``planned`` is written at the end; batches that finish earlier cannot
    close the run because ``run_finish_if_done`` needs ``planned > 0``.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.DIGEST_BATCH_SIZE
    if digest_run_in_progress(now=now):
        return None
    site = site_with_pause()
    run: DigestRun | None = None
    numbers: dict = {}
    planned = 0
    periods: list[str] = []
    try:
        for period, queryset in digest_due(now=now, site=site):
            for batch in id_batches(queryset, batch_size):
                if run is None:
                    run = DigestRun.objects.create(started_at=now)
                    numbers = RunNumbers.compute(now=now).to_json()
                if period not in periods:
                    periods.append(period)
                enqueue(run.pk, period, batch, numbers)
                planned += len(batch)
    finally:
        # Also when handing over failed halfway (broker gone): the run shows what was queued.
        if run is not None:
            DigestRun.objects.filter(pk=run.pk).update(
                planned=planned, periods=", ".join(periods)[:40]
            )
            run_finish_if_done(run_id=run.pk)
    if run is None:
        return None
    run.refresh_from_db()
    return run


# What each person gets ----------------------------------------------------------------------

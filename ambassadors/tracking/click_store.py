"""Stored clicks: the queued form of a click, inserting clicks in bulk (deciding uniqueness
against what is already stored) and folding old raw clicks into daily totals.

Counting a click at the redirect and the Redis buffer live in ``tracking/clicks.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from ..models import Click, ClickDaily, TrackedLink
from ..reporting.rollups.changes import rollups_add_clicks

T = TypeVar("T")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class PendingClick:
    link_id: int
    at: dt.datetime
    visitor_hash: str
    is_bot: bool

    def dumps(self) -> str:
        micros = (self.at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{self.link_id}|{micros}|{self.visitor_hash}|{int(self.is_bot)}"

    @classmethod
    def loads(cls, raw: bytes | str) -> PendingClick:
        text = raw.decode() if isinstance(raw, bytes) else raw
        link_id, micros, hashed, bot = text.split("|")
        at = _EPOCH + dt.timedelta(microseconds=int(micros))
        return cls(int(link_id), at, hashed, bot == "1")


def clicks_store(pending: list[PendingClick]) -> int:
    """Insert clicks in bulk, deciding uniqueness against what is already stored. Safe
    to run twice on the same clicks: one already stored (same link, time, visitor) is
    skipped, so a flush interrupted after its commit can simply be repeated."""
    if not pending:
        return 0
    links = {p.link_id for p in pending}
    days = {timezone.localdate(p.at) for p in pending}
    hashes = {p.visitor_hash for p in pending}
    with transaction.atomic():
        known_links = set(TrackedLink.objects.filter(pk__in=links).values_list("pk", flat=True))
        stored = Click.objects.filter(
            link_id__in=known_links, day__in=days, visitor_hash__in=hashes
        ).values_list("link_id", "day", "visitor_hash", "at", "is_bot")
        seen: set[tuple] = set()
        exact: set[tuple] = set()
        for link_id, day, hashed, at, bot in stored:
            exact.add((link_id, at, hashed))
            if not bot:
                seen.add((link_id, day, hashed))
        rows = []
        for p in sorted(pending, key=lambda p: p.at):
            if p.link_id not in known_links or (p.link_id, p.at, p.visitor_hash) in exact:
                continue
            exact.add((p.link_id, p.at, p.visitor_hash))
            day = timezone.localdate(p.at)
            key = (p.link_id, day, p.visitor_hash)
            unique = not p.is_bot and key not in seen
            if unique:
                seen.add(key)
            rows.append(
                Click(
                    link_id=p.link_id,
                    at=p.at,
                    day=day,
                    visitor_hash=p.visitor_hash,
                    is_bot=p.is_bot,
                    is_unique=unique,
                )
            )
        Click.objects.bulk_create(rows, batch_size=500)
        # Late clicks (days the rollups already hold) are added to them here.
        rollups_add_clicks(clicks=rows)
    return len(rows)


def clicks_fold_old(*, now: dt.datetime | None = None) -> int:
    """Fold raw clicks older than CLICK_RETENTION_DAYS into ClickDaily, then delete them.
    ClickDaily.clicks counts every click, bots included; bot_clicks says how many were bots.
    One transaction per day: a day is either folded and gone or untouched, so running
    twice never counts twice."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - dt.timedelta(days=settings.CLICK_RETENTION_DAYS)
    days = list(
        Click.objects.filter(day__lt=cutoff).values_list("day", flat=True).distinct().order_by()
    )
    folded = 0
    for day in sorted(set(days)):
        with transaction.atomic():
            old = Click.objects.filter(day=day)
            totals = old.values("link_id").annotate(
                total=Count("pk"),
                unique=Count("pk", filter=Q(is_unique=True)),
                bots=Count("pk", filter=Q(is_bot=True)),
            )
            for chunk in _chunks(totals.order_by("link_id"), 500):
                existing = set(
                    ClickDaily.objects.filter(
                        day=day, link_id__in=[row["link_id"] for row in chunk]
                    ).values_list("link_id", flat=True)
                )
                new = []
                for row in chunk:
                    if row["link_id"] in existing:
                        ClickDaily.objects.filter(day=day, link_id=row["link_id"]).update(
                            clicks=F("clicks") + row["total"],
                            unique_clicks=F("unique_clicks") + row["unique"],
                            bot_clicks=F("bot_clicks") + row["bots"],
                        )
                    else:
                        new.append(
                            ClickDaily(
                                link_id=row["link_id"],
                                day=day,
                                clicks=row["total"],
                                unique_clicks=row["unique"],
                                bot_clicks=row["bots"],
                            )
                        )
                ClickDaily.objects.bulk_create(new)
            folded += old.delete()[0]
    return folded


def _chunks(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk

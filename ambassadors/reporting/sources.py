"""The raw sources every figure is counted from, and where the rollups take over.

Shares: `counted_shares` (not undone; one share is a distinct ambassador, item, network and
local day). Clicks: `click_sources`, raw human clicks plus the daily totals of purged days,
never both for one (link, day). The rollups hold whole past days up to `rollup_horizon`;
`raw_period` is the part of a period still read from the raw rows.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate

from ..models import Click, ClickDaily, RollupState, Share
from .periods import Period, report_today, report_tz

METRICS = ("shares", "clicks", "unique_clicks")
ZERO = Value(0, output_field=IntegerField())
ONE = Value(1, output_field=IntegerField())


def share_day() -> TruncDate:
    """A share's local day in the report time zone (the day it counts on)."""
    return TruncDate("created_at", tzinfo=report_tz())


def counted_shares(
    *, period: Period | None = None, ambassador_id: int | None = None
) -> QuerySet[Share]:
    """Share rows that may count (not undone), in the period. Never count them with a
    plain count: one share is a distinct (ambassador, item, network, local day)."""
    rows = Share.objects.filter(undone_at__isnull=True)
    if period is not None:
        rows = rows.filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
    if ambassador_id is not None:
        rows = rows.filter(ambassador_id=ambassador_id)
    return rows.order_by()


def click_sources(
    *, period: Period | None = None, ambassador_id: int | None = None
) -> tuple[QuerySet[Click], QuerySet[ClickDaily]]:
    """The two halves of every click figure: raw human clicks on days without a daily
    total, and the daily totals. Both expose ``link`` and ``day``, so callers group them
    with the same expressions and add the results. Raw clicks of a period are found by
    their ``day`` through the index ``click_day``, which holds every column counted.
    """
    raw = Click.objects.filter(is_bot=False)
    if period is None or not _never_folded(period.start):
        purged = ClickDaily.objects.filter(link_id=OuterRef("link_id"), day=OuterRef("day"))
        raw = raw.filter(~Exists(purged))
    daily = ClickDaily.objects.all()
    if period is not None:
        raw = raw.filter(day__gte=period.start, day__lte=period.end)
        daily = daily.filter(day__gte=period.start, day__lte=period.end)
    if ambassador_id is not None:
        raw = raw.filter(link__ambassador_id=ambassador_id)
        daily = daily.filter(link__ambassador_id=ambassador_id)
    return raw.order_by(), daily.order_by()


def _never_folded(start: date) -> bool:
    """True when no day from `start` on has a daily click total, nor can get one while
    this request runs: `start` is after the newest folded day and inside the retention
    window (the fold only touches older days, one day per transaction). Then raw clicks
    need no per-row check against ClickDaily, which is most of the cost of today's clicks
    on a busy day."""
    cutoff = report_today() - timedelta(days=settings.CLICK_RETENTION_DAYS + 1)
    if start < cutoff:
        return False
    cache = _horizon_cache.get()
    if cache is not None and "folded" in cache:
        newest = cache["folded"]
    else:
        newest = ClickDaily.objects.aggregate(newest=Max("day"))["newest"]
        if cache is not None:
            cache["folded"] = newest
    return newest is None or start > newest


RAW_CLICK_METRICS = {
    "m_shares": ZERO,
    "m_clicks": Count("pk"),
    "m_unique": Count("pk", filter=Q(is_unique=True)),
}
# ClickDaily.clicks counts every click, bots included; bot_clicks says how many were bots.
DAILY_CLICK_METRICS = {
    "m_shares": ZERO,
    "m_clicks": Sum(F("clicks") - F("bot_clicks"), output_field=IntegerField()),
    "m_unique": Sum("unique_clicks"),
}


# The horizon: rollups for whole past days, raw rows after -----------------------------------

ROLLUP_STATE_PK = 1
# kind of rollup row: the columns that are a real key (see models.Rollup)
ROLLUP_KINDS: dict[str, tuple[str, ...]] = {
    "n": ("network",),
    "d": ("department",),
    "a": ("ambassador",),
    "i": ("item", "network"),
    "id": ("item", "network", "department"),
    "ai": ("ambassador", "item", "network"),
}
# grain "t" rows hold the totals of every day the rollups hold; their day is this constant
TOTAL_DAY = date(2000, 1, 1)

# per HTTP request: "folded" (newest day with a daily click total), "state" (the horizon
# and whether the days after it hold their clicks)
_horizon_cache: ContextVar[dict[str, Any] | None] = ContextVar("report_horizon", default=None)


def _request_started(**kwargs: Any) -> None:
    _horizon_cache.set({})


def _request_finished(**kwargs: Any) -> None:
    _horizon_cache.set(None)


request_started.connect(_request_started, dispatch_uid="reports-horizon-start")
request_finished.connect(_request_finished, dispatch_uid="reports-horizon-end")


def _rollup_state() -> tuple[date | None, bool]:
    """(built_through, open_clicks) of the rollups in this time zone, read once per HTTP
    request; services outside a request read it each time. A horizon that moved on since
    it was read is harmless: the raw rows of those days are still there."""
    cache = _horizon_cache.get()
    if cache is not None and "state" in cache:
        return cache["state"]
    found = (
        RollupState.objects.filter(pk=ROLLUP_STATE_PK, time_zone=settings.TIME_ZONE)
        .values_list("built_through", "open_clicks")
        .first()
    )
    state = (found[0], bool(found[1])) if found else (None, False)
    if cache is not None:
        cache["state"] = state
    return state


def rollup_horizon() -> date | None:
    """The last local day whose shares the rollups hold (None: read only raw rows)."""
    return _rollup_state()[0]


def rollup_horizons() -> tuple[date | None, date | None]:
    """The last local day whose shares, and the last whose clicks, the rollups hold (None:
    read only raw rows), from one read of the state. Clicks: today when the days after the
    horizon are open (the click flush adds each click as it is stored), else the horizon;
    clicks on later days (a clock ahead) are read from the raw rows."""
    through, open_clicks = _rollup_state()
    if through is not None and open_clicks:
        return through, report_today()
    return through, through


_FAR_DAY = date(2100, 12, 31)  # the period forms stop at 2100


def raw_period(period: Period | None, through: date | None) -> Period | None:
    """The part of `period` (None: all time) to read from the raw rows: the days after the
    horizon `through`. A single range, so every database walks one index range (of
    ``click_day`` for clicks)."""
    if through is None:
        return period
    if period is None:
        return Period(through + timedelta(days=1), _FAR_DAY)
    return Period(max(period.start, through + timedelta(days=1)), period.end, period.preset)

"""Selectors for the comms reports, the leaderboard and "my impact".

Every figure is aggregated in SQL; Python only ever sees one row per line of a table. Two
rules shape the queries:

- A share counts once per (ambassador, item, network) and local day, and undone shares do
  not count: pressing the button twice is one share (see `activity_sql`).
- Clicks live in two tables: raw `Click` rows and `ClickDaily` totals for days whose raw
  clicks were purged after the retention period. `click_sources` is the one place that adds
  them up, skipping raw clicks of a (link, day) that already has a daily total, so a day is
  never counted twice while the purge runs. Bots never count.

All three sources are grouped by the same key and glued with UNION ALL, then summed once
more, so "top items by shares, then clicks" is a single sorted, limited query.
"""

from __future__ import annotations

import operator
import zoneinfo
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import NullIf, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import get_language

from .models import (
    Ambassador,
    Click,
    ClickDaily,
    Department,
    DigestDelivery,
    Item,
    Rollup,
    RollupState,
    Share,
    User,
)

PRESETS = ("7d", "30d", "this_month", "last_month", "this_quarter", "this_year")
DEFAULT_PRESET = "30d"
MAX_PERIOD_DAYS = 5 * 366
METRICS = ("shares", "clicks", "unique_clicks")
ZERO = Value(0, output_field=IntegerField())
ONE = Value(1, output_field=IntegerField())


def report_tz() -> zoneinfo.ZoneInfo:
    """Reports use the organisation's time zone, so "a day" is the same for every reader."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def report_today() -> date:
    return timezone.localdate(timezone.now(), report_tz())


# Periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local days from `start` to `end`, both included."""

    start: date
    end: date
    preset: str = "custom"
    step: str | None = None  # "day", "week" or "month": overrides the automatic bars

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=report_tz())

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=report_tz())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def granularity(self) -> str:
        if self.step:
            return self.step
        if self.days <= 62:
            return "day"
        if self.days <= 366:
            return "week"
        return "month"

    def buckets(self) -> list[date]:
        """Every bar of the chart, including empty ones."""
        step = self.granularity
        current = bucket_start(self.start, step)
        result = []
        while current <= self.end:
            result.append(current)
            if step == "day":
                current += timedelta(days=1)
            elif step == "week":
                current += timedelta(days=7)
            else:
                current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        return result


def bucket_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def period_for_preset(preset: str, *, today: date | None = None) -> Period:
    today = today or report_today()
    if preset == "7d":
        return Period(today - timedelta(days=6), today, preset)
    if preset == "this_month":
        return Period(today.replace(day=1), today, preset)
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end, preset)
    if preset == "this_quarter":
        return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today, preset)
    if preset == "this_year":
        return Period(date(today.year, 1, 1), today, preset)
    return Period(today - timedelta(days=29), today, "30d")


# Sources ------------------------------------------------------------------------------------


def _share_day():
    return TruncDate("created_at", tzinfo=report_tz())


def counted_shares(*, period: Period | None = None, ambassador_id: int | None = None):
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
    with the same expressions and add the results.

    The extra ``at`` window (one day wider than the period on each side) only lets the
    database use the index on ``at``; ``day`` decides.
    """
    raw = Click.objects.filter(is_bot=False)
    if period is None or not _never_folded(period.start):
        purged = ClickDaily.objects.filter(link_id=OuterRef("link_id"), day=OuterRef("day"))
        raw = raw.filter(~Exists(purged))
    daily = ClickDaily.objects.all()
    if period is not None:
        raw = raw.filter(
            day__gte=period.start,
            day__lte=period.end,
            at__gte=period.start_at - timedelta(days=1),
            at__lt=period.end_at + timedelta(days=1),
        )
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
# grain "t" rows hold the totals of every built day; their day is this constant
TOTAL_DAY = date(2000, 1, 1)

_horizon_cache: ContextVar[dict | None] = ContextVar("report_horizon", default=None)


def _request_started(**kwargs) -> None:
    _horizon_cache.set({})


def _request_finished(**kwargs) -> None:
    _horizon_cache.set(None)


request_started.connect(_request_started, dispatch_uid="reports-horizon-start")
request_finished.connect(_request_finished, dispatch_uid="reports-horizon-end")


def rollup_horizon() -> date | None:
    """The last local day the rollups hold (None: read only raw rows). Read once per HTTP
    request; services outside a request read it each time. A horizon that moved on since
    it was read is harmless: the raw rows of those days are still there."""
    cache = _horizon_cache.get()
    if cache is not None and "through" in cache:
        return cache["through"]
    through = (
        RollupState.objects.filter(pk=ROLLUP_STATE_PK, time_zone=settings.TIME_ZONE)
        .values_list("built_through", flat=True)
        .first()
    )
    if cache is not None:
        cache["through"] = through
    return through


_FAR_DAY = date(2100, 12, 31)  # the period forms stop at 2100


def raw_period(period: Period | None, through: date | None) -> Period | None:
    """The part of `period` (None: all time) to read from the raw rows: the days after the
    horizon `through`. A single range, so every database walks one index range (the raw
    click filter also bounds ``at``, a day wider, for the index on it)."""
    if through is None:
        return period
    if period is None:
        return Period(through + timedelta(days=1), _FAR_DAY)
    return Period(max(period.start, through + timedelta(days=1)), period.end, period.preset)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# Rollup grains from coarse to fine: year, month, day rows (plus "t", the totals).
GRAINS = ("y", "m", "d")


@dataclass(frozen=True)
class Part:
    """Rollup rows of one grain whose ``day`` lies in [first, last] (a year or month row's
    day is its first day), added with `sign`; `rows` is how many that is per key."""

    grain: str
    first: date
    last: date
    sign: int
    rows: int

    def q(self) -> Q:
        if self.first == self.last:
            return Q(grain=self.grain, day=self.first)
        return Q(grain=self.grain, day__gte=self.first, day__lte=self.last)


def _unit_start(grain: str, day: date) -> date:
    return day.replace(month=1, day=1) if grain == "y" else day.replace(day=1)


def _next_unit(grain: str, day: date) -> date:
    return day.replace(year=day.year + 1, month=1, day=1) if grain == "y" else _next_month(day)


def _cover(start: date, end: date, *, grain: str, through: date, signed: bool) -> list[Part]:
    """Rollup rows that add up to exactly the days [start, end] (all <= `through`), with
    few rows per key. A year or month row holds its days up to `through`; one the range
    covers whole is read as it is; one it covers in part is read either as its finer rows
    inside the range or, when ``signed`` and that is fewer rows, as the row itself minus
    its finer rows outside the range."""
    if grain == "d":
        return [Part("d", start, end, 1, (end - start).days + 1)]
    finer = GRAINS[GRAINS.index(grain) + 1]
    parts: list[Part] = []
    whole: list[date] = []
    unit = _unit_start(grain, start)
    while unit <= end:
        after = _next_unit(grain, unit)
        held = (unit, min(after - timedelta(days=1), through))
        wanted = (max(start, unit), min(end, held[1]))
        if wanted == held:
            whole.append(unit)
        else:
            inside = _cover(*wanted, grain=finer, through=through, signed=signed)
            if signed:
                edges = (
                    (held[0], wanted[0] - timedelta(days=1)),
                    (wanted[1] + timedelta(days=1), held[1]),
                )
                outside = [
                    part
                    for a, b in edges
                    if a <= b
                    for part in _cover(a, b, grain=finer, through=through, signed=signed)
                ]
                if 1 + sum(p.rows for p in outside) < sum(p.rows for p in inside):
                    inside = [
                        Part(grain, unit, unit, 1, 1),
                        *(Part(p.grain, p.first, p.last, -p.sign, p.rows) for p in outside),
                    ]
            parts += inside
        unit = after
    if whole:
        parts.append(Part(grain, whole[0], whole[-1], 1, len(whole)))
    return parts


def rollup_rows(
    *,
    kind: str,
    period: Period | None,
    through: date | None,
    coarsest: str = "y",
    signed: bool = False,
) -> QuerySet[Rollup] | None:
    """The rollup rows of `kind` that hold the days of `period` (None: all time) up to the
    horizon `through`, each day exactly once: the total rows for all time, else year,
    month and day rows, no coarser than `coarsest` ("m" when the caller groups by month,
    "d" for daily or weekly bars). None when no rollup row can be part of the answer.

    Every row carries the alias ``sign`` (1 or -1); sum with `rolled_sum`. ``signed=True``
    lets a year or month at the edge of the period be read as its row minus the finer rows
    outside the period when those are fewer (a 365-day report starting on 2 December reads
    this year's row, December's and one day row per key). Rows with sign -1 only make sense
    in per-key sums, so callers that look at single rows (a filter on ``shares``) leave
    ``signed`` off."""
    if through is None:
        return None
    rows = Rollup.objects.filter(kind=kind)
    if period is None and coarsest == "y":
        return rows.filter(grain="t").alias(sign=ONE)
    start = period.start if period is not None else None
    end = min(period.end, through) if period is not None else through
    if start is not None and start > end:
        return None
    if start is None:  # all time, by month or day
        return rows.filter(grain=coarsest, day__lte=end).alias(sign=ONE)
    parts = _cover(start, end, grain=coarsest, through=through, signed=signed)
    subtracted = [part.q() for part in parts if part.sign < 0]
    rows = rows.filter(reduce(operator.or_, (part.q() for part in parts)))
    if not subtracted:
        return rows.alias(sign=ONE)
    return rows.alias(
        sign=Case(
            When(reduce(operator.or_, subtracted), then=Value(-1)),
            default=ONE,
            output_field=IntegerField(),
        )
    )


def rolled_sum(field: str) -> Sum:
    """SUM of a rollup number over rows from `rollup_rows`, with their signs."""
    return Sum(F(field) * F("sign"))


# The activity query -------------------------------------------------------------------------

DIMENSIONS = {
    # name: fields reached from Share (and Rollup); Click and ClickDaily reach them through "link__"
    "network": ("network",),
    "item": ("item",),
    "department": ("ambassador__department",),
    "ambassador": ("ambassador",),
    "item_network": ("item", "network"),
}


@dataclass(frozen=True)
class Scope:
    """Narrows every figure to one item, department, network and/or some ambassadors.
    ``department_id`` is the ambassador's current department, as everywhere in reports."""

    item_id: int | None = None
    department_id: int | None = None
    network: str | None = None
    ambassador_ids: tuple[int, ...] | None = None

    def q(self, prefix: str = "", *, department_column: bool = False) -> Q:
        """The filter for Share (``prefix`` "link__" for clicks), or for rollup rows that
        hold the department themselves (``department_column``; 0 = no department)."""
        q = Q()
        if self.item_id is not None:
            q &= Q(**{f"{prefix}item_id": self.item_id})
        if self.department_id is not None and department_column:
            q &= Q(department_id=self.department_id)
        elif self.department_id is not None:
            q &= Q(**{f"{prefix}ambassador__department_id": self.department_id})
        if self.network is not None:
            q &= Q(**{f"{prefix}network": self.network})
        if self.ambassador_ids is not None:
            q &= Q(**{f"{prefix}ambassador_id__in": self.ambassador_ids})
        return q

    def columns(self) -> set[str]:
        names = set()
        if self.item_id is not None:
            names.add("item")
        if self.department_id is not None:
            names.add("department")
        if self.ambassador_ids is not None:
            names.add("ambassador")
        if self.network is not None:
            names.add("network")
        return names


def _bucket(expression, granularity: str):
    if granularity == "week":
        return TruncWeek(expression)
    if granularity == "month":
        return TruncMonth(expression)
    return expression


Keys = dict[str, Any]


def _keys(dimension: str, granularity: str, kind: str = "ai") -> tuple[Keys, Keys, Keys]:
    """Key expressions for Share, for Click/ClickDaily and for Rollup rows of `kind`."""
    if dimension == "total":
        return {"k0": Value(1)}, {"k0": Value(1)}, {"k0": Value(1)}
    if dimension == "time":
        return (
            {"k0": _bucket(_share_day(), granularity)},
            {"k0": _bucket(F("day"), granularity)},
            {"k0": _bucket(F("day"), granularity)},
        )
    fields = DIMENSIONS[dimension]
    share = {f"k{i}": F(name) for i, name in enumerate(fields)}
    click = {f"k{i}": F(f"link__{name}") for i, name in enumerate(fields)}
    rolled = dict(share)
    if dimension == "department" and "department" in ROLLUP_KINDS[kind]:
        rolled = {"k0": NullIf(F("department"), Value(0))}  # 0 = no department
    return share, click, rolled


def rollup_kind(*, dimension: str, scope: Scope) -> str:
    """The smallest kind of rollup row that has every column the query needs. Only "d"
    rows hold the department; with other columns it is joined through the ambassador."""
    needed = {
        "department" if dimension == "department" else name
        for name in DIMENSIONS.get(dimension, ())
    } | scope.columns()
    for attempt in (needed, {"ambassador" if n == "department" else n for n in needed}):
        for kind, columns in ROLLUP_KINDS.items():
            if attempt <= set(columns):
                return kind
    raise ValueError(needed)  # pragma: no cover - "ai" has every column


def _compiled(queryset: QuerySet) -> tuple[str, list[Any]]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def activity_sql(
    *,
    dimension: str,
    period: Period | None,
    ambassador_id: int | None = None,
    sources: tuple[str, ...] = ("shares", "clicks"),
    scope: Scope | None = None,
) -> tuple[str, list[Any], list[str]]:
    """SQL for shares, clicks and unique clicks per key of `dimension`, with its params
    and key column names. The result has columns k0[, k1], shares, clicks, unique_clicks,
    one row per key with a share or a click. Leave a source out of `sources` when its
    numbers are not shown: its columns are 0.

    Whole past days come from the rollups (see ambassadors/rollups.py), the days after the
    horizon from the raw rows, where shares are made distinct per (ambassador, item,
    network, local day) in a DISTINCT subquery and counted outside it."""
    scope = scope or Scope()
    if ambassador_id is not None:
        scope = Scope(
            item_id=scope.item_id,
            department_id=scope.department_id,
            network=scope.network,
            ambassador_ids=(ambassador_id,),
        )
    granularity = period.granularity if period is not None else "day"
    kind = rollup_kind(dimension=dimension, scope=scope)
    share_keys, click_keys, rollup_keys = _keys(dimension, granularity, kind)
    qn = connection.ops.quote_name
    keys = list(share_keys)
    key_sql = ", ".join(qn(k) for k in keys)
    parts: list[str] = []
    params: list[Any] = []
    through = rollup_horizon()
    rolled = rollup_rows(
        kind=kind,
        period=period,
        through=through,
        coarsest="y" if dimension != "time" else ("m" if granularity == "month" else "d"),
        signed=True,
    )
    if rolled is not None:
        grouped_rolled = (
            rolled.filter(scope.q(department_column="department" in ROLLUP_KINDS[kind]))
            .values(**rollup_keys)
            .annotate(
                m_shares=rolled_sum("shares") if "shares" in sources else ZERO,
                m_clicks=rolled_sum("clicks") if "clicks" in sources else ZERO,
                m_unique=rolled_sum("unique_clicks") if "clicks" in sources else ZERO,
            )
        )
        sql, rolled_params = _compiled(grouped_rolled)
        parts.append(sql)
        params += rolled_params
    if "shares" in sources:
        distinct = (
            counted_shares(period=raw_period(period, through))
            .filter(scope.q())
            .values(
                **share_keys,
                s_ambassador=F("ambassador"),
                s_item=F("item"),
                s_network=F("network"),
                s_day=_share_day(),
            )
            .distinct()
        )
        sql, distinct_params = _compiled(distinct)
        parts.append(
            f"SELECT {key_sql}, COUNT(*) AS {qn('m_shares')}, 0 AS {qn('m_clicks')}, "  # noqa: S608 - names from code, values as params
            f"0 AS {qn('m_unique')} FROM ({sql}) distinct_shares GROUP BY {key_sql}"
        )
        params += distinct_params
    if "clicks" in sources:
        raw, daily = click_sources(period=raw_period(period, through))
        for grouped in (
            raw.filter(scope.q("link__")).values(**click_keys).annotate(**RAW_CLICK_METRICS),
            daily.filter(scope.q("link__")).values(**click_keys).annotate(**DAILY_CLICK_METRICS),
        ):
            sql, grouped_params = _compiled(grouped)
            parts.append(sql)
            params += grouped_params
    union = " UNION ALL ".join(parts)
    grouped = (
        f"SELECT {key_sql}, "  # noqa: S608 - names from code, values as params
        f"COALESCE(SUM({qn('m_shares')}), 0) AS shares, "
        f"COALESCE(SUM({qn('m_clicks')}), 0) AS clicks, "
        f"COALESCE(SUM({qn('m_unique')}), 0) AS unique_clicks "
        f"FROM ({union}) activity GROUP BY {key_sql} "
        f"HAVING SUM({qn('m_shares')}) > 0 OR SUM({qn('m_clicks')}) > 0"
    )
    return grouped, params, keys


def fetch_rows(sql: str, params: list[Any], *, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Rows as dicts, fetched in batches so a long export never sits in memory at once.
    Numbers come back as int on every database (PostgreSQL's SUM gives Decimal)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        while True:
            chunk = cursor.fetchmany(batch)
            if not chunk:
                return
            for values in chunk:
                row = dict(zip(names, values, strict=True))
                for metric in METRICS:
                    if metric in row:
                        row[metric] = int(row[metric] or 0)
                yield row


def _department_name(alias: str) -> str:
    """SQL for a department's name in the active language: the Dutch name where there is one
    for a Dutch reader, else the English name (as ``Department.label``)."""
    name = _column(Department, "name", alias)
    if (get_language() or "en")[:2] == "nl":
        return f"COALESCE(NULLIF({_column(Department, 'name_nl', alias)}, ''), {name})"
    return name


def _table(model, alias: str) -> str:
    return f"{connection.ops.quote_name(model._meta.db_table)} {alias}"


def _column(model, field: str, alias: str) -> str:
    return f"{alias}.{connection.ops.quote_name(model._meta.get_field(field).column)}"


ORDER_BY_SHARES = "t.shares DESC, t.clicks DESC, t.k0"


def activity(
    *,
    dimension: str,
    period: Period | None,
    ambassador_id: int | None = None,
    limit: int | None = None,
    scope: Scope | None = None,
) -> Iterator[dict[str, Any]]:
    """Activity per key, with a readable label joined in SQL for items and departments,
    sorted the way the tables show it (time ascending, the rest by shares then clicks)."""
    sql, params, keys = activity_sql(
        dimension=dimension, period=period, ambassador_id=ambassador_id, scope=scope
    )
    select = ["t.*"]
    joins = ""
    order = ORDER_BY_SHARES
    if dimension in ("item", "item_network"):
        select += [
            f"{_column(Item, 'title', 'i')} AS title",
            f"{_column(Item, 'slug', 'i')} AS slug",
        ]
        joins = f" LEFT JOIN {_table(Item, 'i')} ON {_column(Item, 'id', 'i')} = t.k0"
        if dimension == "item_network":
            order = "t.shares DESC, t.clicks DESC, t.k0, t.k1"
    elif dimension == "department":
        name = _department_name("d")
        select.append(f"{name} AS name")
        joins = f" LEFT JOIN {_table(Department, 'd')} ON {_column(Department, 'id', 'd')} = t.k0"
        order = f"t.shares DESC, t.clicks DESC, CASE WHEN {name} IS NULL THEN 1 ELSE 0 END, {name}"
    elif dimension in ("time", "total"):
        order = "t.k0"
    sql = f"SELECT {', '.join(select)} FROM ({sql}) t{joins} ORDER BY {order}"  # noqa: S608 - names from code, values as params
    if limit:
        sql += " LIMIT %s"
        params.append(limit)
    # The query (with names in the active language) is built now, not when a streamed CSV
    # is read.
    return _activity_rows(sql, params, dates=dimension == "time")


def _activity_rows(sql: str, params: list[Any], *, dates: bool) -> Iterator[dict[str, Any]]:
    for row in fetch_rows(sql, params):
        if dates:
            row["k0"] = _as_date(row["k0"])
        yield row


def _as_date(value) -> date:
    """Truncated dates come back as text (SQLite), date or datetime (PostgreSQL)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def activity_totals(
    *, period: Period | None, ambassador_id: int | None = None, scope: Scope | None = None
) -> dict[str, int]:
    """Shares, clicks and unique clicks of the period (None: all time), in one query."""
    rows = list(
        activity(dimension="total", period=period, ambassador_id=ambassador_id, scope=scope)
    )
    row = rows[0] if rows else {}
    return {metric: row.get(metric, 0) for metric in METRICS}


def activity_over_time(
    *, period: Period, ambassador_id: int | None = None, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """One row per bucket of the period, empty buckets included."""
    found = {
        row["k0"]: row
        for row in activity(
            dimension="time", period=period, ambassador_id=ambassador_id, scope=scope
        )
    }
    return [
        {"bucket": bucket, **{m: found.get(bucket, {}).get(m, 0) for m in METRICS}}
        for bucket in period.buckets()
    ]


# Ranking ------------------------------------------------------------------------------------


def ranked(
    *,
    dimension: str,
    period: Period | None,
    metric: str,
    limit: int,
    include_key: int | None,
    scope: Scope | None = None,
    only_visible: bool = False,
) -> list[dict[str, Any]]:
    """The top `limit` keys by `metric` plus the row of `include_key` wherever it stands,
    in one query. RANK() gives ties the same place; at most `limit` rows are returned
    besides `include_key`'s (ties at the cut in key order), and every row says in
    ``in_top`` how many keys have a place within `limit`, so a board can say how many
    more share its last place. Only `metric` is computed (the other
    is 0) and only keys with a metric above zero are ranked. For ambassadors, only people
    still in the programme are ranked; their totals elsewhere in the reports count everyone.
    ``only_visible`` keeps only people who chose to show their name (an item's page)."""
    if metric not in ("shares", "clicks"):
        raise ValueError(metric)
    sql, params, _keys_ = activity_sql(
        dimension=dimension, period=period, sources=(metric,), scope=scope
    )
    where = [f"t.{metric} > 0"]
    names, name_joins = "", ""
    if dimension == "ambassador":
        # Rank first, name later: only people out of the programme (few) are filtered out
        # before the ranking, and names are joined for the rows shown (the top and the
        # viewer), not for every ranked person; the work grows with the board, not the data.
        a2, u2 = _table(Ambassador, "a2"), _table(User, "u2")
        where.append(
            f"t.k0 NOT IN (SELECT {_column(Ambassador, 'id', 'a2')} FROM {a2}"  # noqa: S608 - names from code
            f" LEFT JOIN {u2} ON {_column(User, 'id', 'u2')} = {_column(Ambassador, 'user', 'a2')}"
            f" WHERE {_column(Ambassador, 'opted_out_at', 'a2')} IS NOT NULL"
            f" OR {_column(User, 'id', 'u2')} IS NULL OR {_column(User, 'is_active', 'u2')} = %s)"
        )
        params.append(False)
        if only_visible:
            where.append(
                f"t.k0 IN (SELECT {_column(Ambassador, 'id', 'a3')} FROM "  # noqa: S608 - names from code
                f"{_table(Ambassador, 'a3')} WHERE "
                f"{_column(Ambassador, 'leaderboard_visible', 'a3')} = %s)"
            )
            params.append(True)
        names = (
            f", {_column(Ambassador, 'leaderboard_visible', 'a')} AS visible"
            f", {_column(User, 'first_name', 'u')} AS first_name"
            f", {_column(User, 'last_name', 'u')} AS last_name"
            f", {_column(User, 'display_name', 'u')} AS display_name"
        )
        name_joins = (
            f" JOIN {_table(Ambassador, 'a')} ON {_column(Ambassador, 'id', 'a')} = ranked.k0"
            f" JOIN {_table(User, 'u')} ON {_column(User, 'id', 'u')} = "
            f"{_column(Ambassador, 'user', 'a')}"
        )
    elif dimension == "department":
        names = f", {_department_name('d')} AS name"
        name_joins = (
            f" JOIN {_table(Department, 'd')} ON {_column(Department, 'id', 'd')} = ranked.k0"
        )
        where.append(
            f"t.k0 IN (SELECT {_column(Department, 'id', 'd2')} "  # noqa: S608 - names from code
            f"FROM {_table(Department, 'd2')})"
        )
    else:
        raise ValueError(dimension)
    inner = (
        f"SELECT t.*, RANK() OVER (ORDER BY t.{metric} DESC) AS place, "  # noqa: S608 - names from code, values as params
        f"ROW_NUMBER() OVER (ORDER BY t.{metric} DESC, t.k0) AS row_number "
        f"FROM ({sql}) t WHERE {' AND '.join(where)}"
    )
    counted = (
        "SELECT r.*, SUM(CASE WHEN r.place <= %s THEN 1 ELSE 0 END) OVER () AS in_top "  # noqa: S608 - from code
        f"FROM ({inner}) r"
    )
    outer = (
        f"SELECT ranked.*{names} FROM ({counted}) ranked{name_joins} "  # noqa: S608 - names from code, values as params
        "WHERE ranked.row_number <= %s OR ranked.k0 = %s ORDER BY ranked.place, ranked.k0"
    )
    params = [limit, *params, limit, include_key if include_key is not None else -1]
    return list(fetch_rows(outer, params))


# Participation, opt-ins, digests ------------------------------------------------------------


def participation(*, period: Period) -> dict[str, int]:
    """Ambassadors who shared, out of those in the programme at some time in the period.
    Who shared is always counted as in the programme (a rejoin resets opted_in_at), so
    the percentage never passes 100. Anonymised rows count too: they are never named."""
    shared = sharers_q(period=period)
    in_programme = Q(opted_in_at__lt=period.end_at) & (
        Q(opted_out_at__isnull=True) | Q(opted_out_at__gte=period.start_at)
    )
    counts = Ambassador.objects.aggregate(
        opted_in=Count("pk", filter=in_programme | shared),
        shared=Count("pk", filter=shared),
    )
    opted_in, who_shared = counts["opted_in"], counts["shared"]
    percent = round(100 * who_shared / opted_in) if opted_in else 0
    return {"shared": who_shared, "opted_in": opted_in, "percent": percent}


def sharers_q(*, period: Period | None) -> Q:
    """Ambassador rows with a counted share in the period: rollups up to the horizon, raw
    shares after it. Two hashed subqueries, not one probe per ambassador."""
    through = rollup_horizon()
    raw = counted_shares(period=raw_period(period, through))
    q = Q(pk__in=raw.values("ambassador_id"))
    rolled = rollup_rows(kind="a", period=period, through=through, signed=True)
    if rolled is not None:
        q |= Q(
            pk__in=rolled.values("ambassador_id")
            .annotate(shared=rolled_sum("shares"))
            .filter(shared__gt=0)
            .values("ambassador_id")
        )
    return q


def optin_trend(*, period: Period) -> list[dict[str, Any]]:
    """Opt-ins and opt-outs per week. opted_in_at holds the latest join, so someone who
    left and came back shows once as an opt-out and once as an opt-in."""
    weeks = {}
    for field, name in (("opted_in_at", "opt_ins"), ("opted_out_at", "opt_outs")):
        rows = (
            Ambassador.objects.filter(
                **{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at}
            )
            .annotate(week=TruncWeek(TruncDate(field, tzinfo=report_tz())))
            .values("week")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            weeks.setdefault(_as_date(row["week"]), {})[name] = row["n"]
    start = bucket_start(period.start, "week")
    result = []
    week = start
    while week <= period.end:
        counts = weeks.get(week, {})
        result.append(
            {
                "week": week,
                "opt_ins": counts.get("opt_ins", 0),
                "opt_outs": counts.get("opt_outs", 0),
            }
        )
        week += timedelta(days=7)
    return result


DIGEST_STATUSES = ("sent", "failed", "unknown", "claimed")


def digest_outcomes(*, period: Period) -> list[dict[str, Any]]:
    """Weekly e-mails claimed in the period, per status (fixed order, zeros included)."""
    counts = dict(
        DigestDelivery.objects.filter(claimed_at__gte=period.start_at, claimed_at__lt=period.end_at)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [{"status": status, "count": counts.get(status, 0)} for status in DIGEST_STATUSES]


def share_lines(*, period: Period) -> Iterator[tuple]:
    """One line per counted share (day, item title, network, department name, presses),
    for the long export: the rollups' ambassador × item × network rows for past days, the
    share rows grouped per day after the horizon. Streamed in batches from one query."""
    through = rollup_horizon()
    fields = ("day", "item__title", "network", "ambassador__department__name")
    raw = (
        counted_shares(period=raw_period(period, through))
        .annotate(day=_share_day())
        .values("day", "ambassador", "item", "network", "item__title")
        .annotate(presses=Count("pk"), department=F("ambassador__department__name"))
        .values_list(*fields[:3], "department", "presses", "ambassador")
    )
    parts = [_compiled(raw)]
    rolled = rollup_rows(kind="ai", period=period, through=through, coarsest="d")
    if rolled is not None:
        parts.append(
            _compiled(rolled.filter(shares__gt=0).values_list(*fields, "presses", "ambassador"))
        )
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) p{n}"  # noqa: S608 - compiled querysets
        for n, (part, _p) in enumerate(parts)
    )
    params = [param for _part, part_params in parts for param in part_params]
    sql = f"SELECT * FROM ({sql}) lines ORDER BY 1, 2, 3, 4, 6"  # noqa: S608 - from code
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(2000):
            for day, title, network, department, presses, _ambassador in chunk:
                yield _as_date(day), title, network, department, presses


# My impact ----------------------------------------------------------------------------------


def month_so_far(*, today: date | None = None) -> Period:
    return period_for_preset("this_month", today=today)


def impact_for(*, ambassador: Ambassador, limit: int = 100) -> dict[str, Any]:
    """Everything on "my impact" in four queries, whatever the number of items."""
    month = month_so_far()
    rows = list(
        activity(dimension="item_network", period=None, ambassador_id=ambassador.pk, limit=limit)
    )
    place = ranked(
        dimension="ambassador", period=month, metric="shares", limit=0, include_key=ambassador.pk
    )
    return {
        "month": month,
        "this_month": activity_totals(period=month, ambassador_id=ambassador.pk),
        "all_time": activity_totals(period=None, ambassador_id=ambassador.pk),
        "rows": rows,
        "place": place[0]["place"] if place else None,
    }

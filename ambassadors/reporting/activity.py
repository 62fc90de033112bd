"""Activity per key: shares, clicks and unique clicks by network, item, department,
ambassador or time, for the reports, the drill-downs, the leaderboard and "my impact".

Whole past days come from the rollups (``reporting/rollups/``), the days after the horizon
from the raw rows; the querysets are built here with the ORM and glued into one statement
by ``sql.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import NullIf, TruncMonth, TruncWeek

from ..models import TrackedLink
from . import sql as report_sql
from .periods import Period, as_date
from .plan import rolled_sum, rollup_rows
from .sources import (
    DAILY_CLICK_METRICS,
    METRICS,
    RAW_CLICK_METRICS,
    ROLLUP_KINDS,
    ZERO,
    click_sources,
    counted_shares,
    raw_period,
    rollup_horizons,
    share_day,
)

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


def bucket(expression: Combinable, granularity: str) -> Combinable:
    """`expression` (a date) truncated to the start of its week or month; a day as is."""
    if granularity == "week":
        return TruncWeek(expression)
    if granularity == "month":
        return TruncMonth(expression)
    return expression


Keys = dict[str, Combinable]  # output name: expression


def keys_for(dimension: str, granularity: str, kind: str = "ai") -> tuple[Keys, Keys, Keys]:
    """Key expressions for Share, for Click/ClickDaily and for Rollup rows of `kind`."""
    if dimension == "total":
        return {"k0": Value(1)}, {"k0": Value(1)}, {"k0": Value(1)}
    if dimension == "time":
        return (
            {"k0": bucket(share_day(), granularity)},
            {"k0": bucket(F("day"), granularity)},
            {"k0": bucket(F("day"), granularity)},
        )
    fields = DIMENSIONS[dimension]
    share: Keys = {f"k{i}": F(name) for i, name in enumerate(fields)}
    click: Keys = {f"k{i}": F(f"link__{name}") for i, name in enumerate(fields)}
    rolled: Keys = dict(share)
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


def activity_sql(
    *,
    dimension: str,
    period: Period | None,
    ambassador_id: int | None = None,
    sources: tuple[str, ...] = ("shares", "clicks"),
    scope: Scope | None = None,
    rolled: bool = True,
) -> tuple[str, list[Any], list[str]]:
    """SQL for shares, clicks and unique clicks per key of `dimension`, with its params
    and key column names. The result has columns k0[, k1], shares, clicks, unique_clicks,
    one row per key with a share or a click. Leave a source out of `sources` when its
    numbers are not shown: its columns are 0. ``rolled=False`` leaves the rollups out: only
    the days after the horizon are counted (a caller that reads the rollups itself).

    Whole past days come from the rollups (see ambassadors/reporting/rollups/), the days
    after the horizon from the raw rows, where shares are made distinct per (ambassador,
    item, network, local day) in a DISTINCT subquery and counted outside it. Once the days
    after the horizon are open, the rollups hold their clicks too (shares are 0 there), so
    the rows are read up to today and only the shares come from the raw rows."""
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
    share_keys, click_keys, rollup_keys = keys_for(dimension, granularity, kind)
    keys = list(share_keys)
    # shares: rollups up to `through`, raw rows after; clicks: the same, or up to today
    # when the days after the horizon are open
    through, clicks_through = rollup_horizons()
    rows = None
    if rolled:
        rows = rollup_rows(
            kind=kind,
            period=period,
            through=clicks_through if "clicks" in sources else through,
            coarsest="y" if dimension != "time" else ("m" if granularity == "month" else "d"),
            signed=True,
            where=scope.q(department_column="department" in ROLLUP_KINDS[kind]),
        )
    grouped_rolled = None
    if rows is not None:
        grouped_rolled = rows.values(**rollup_keys).annotate(
            m_shares=rolled_sum("shares") if "shares" in sources else ZERO,
            m_clicks=rolled_sum("clicks") if "clicks" in sources else ZERO,
            m_unique=rolled_sum("unique_clicks") if "clicks" in sources else ZERO,
        )
    distinct = None
    if "shares" in sources:
        distinct = (
            counted_shares(period=raw_period(period, through))
            .filter(scope.q())
            .values(
                **share_keys,
                s_ambassador=F("ambassador"),
                s_item=F("item"),
                s_network=F("network"),
                s_day=share_day(),
            )
            .distinct()
        )
    clicks = []
    links = None
    if "clicks" in sources:
        raw, daily = click_sources(period=raw_period(period, clicks_through))
        raw, daily = raw.filter(scope.q("link__")), daily.filter(scope.q("link__"))
        if dimension in DIMENSIONS:
            # Keys of the link: count the clicks per link first, then look up each link's
            # keys (see sql.activity_union).
            click_keys = {"lid": F("link")}
            links = TrackedLink.objects.order_by().values(lid=F("pk"), **share_keys)
        clicks = [
            raw.values(**click_keys).annotate(**RAW_CLICK_METRICS),
            daily.values(**click_keys).annotate(**DAILY_CLICK_METRICS),
        ]
    sql, params = report_sql.activity_union(
        keys=keys, rolled=grouped_rolled, distinct_shares=distinct, clicks=clicks, links=links
    )
    return sql, params, keys


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
    sql, params, _keys = activity_sql(
        dimension=dimension, period=period, ambassador_id=ambassador_id, scope=scope
    )
    sql, params = report_sql.labelled_activity(sql, params, dimension=dimension, limit=limit)
    # The query (with names in the active language) is built now, not when a streamed CSV
    # is read.
    return _activity_rows(sql, params, dates=dimension == "time")


def _activity_rows(sql: str, params: list[Any], *, dates: bool) -> Iterator[dict[str, Any]]:
    for row in report_sql.fetch_rows(sql, params):
        if dates:
            row["k0"] = as_date(row["k0"])
        yield row


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

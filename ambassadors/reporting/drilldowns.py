"""Selectors for the report drill-downs: one item, one department, one network; the count
of colleagues who shared an item (feed cards); the trend on "my impact".

Every figure comes from ``activity.activity_sql`` (rollups for whole past days, raw rows for
today), so a drill-down always adds up to the row of the report it was opened from, and
each page runs a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from ..models import Ambassador, Rollup, Share
from . import sql as report_sql
from .activity import Scope, activity, activity_over_time, activity_sql, bucket
from .participation import sharers_q
from .periods import Period, as_date, bucket_start, report_today, report_tz
from .plan import rollup_rows
from .sources import METRICS, counted_shares, raw_period, rollup_horizon, share_day

TOP = 10


def visible_people(
    *, period: Period | None, scope: Scope, limit: int = TOP
) -> list[dict[str, Any]]:
    """The people with the most shares (then clicks) within `scope` who chose to show their
    name and are still in the programme. Nobody else is ever listed, so the list may be
    shorter than `limit` even when more people shared."""
    sql, params, _keys = activity_sql(dimension="ambassador", period=period, scope=scope)
    sql, params = report_sql.visible_people_sql(sql, params, limit=limit)
    rows = list(report_sql.fetch_rows(sql, params))
    for row in rows:
        row["name"] = f"{row['first_name']} {row['last_name']}".strip()
    return rows


def sharers_over_time(*, period: Period, scope: Scope) -> dict[date, int]:
    """{bucket: ambassadors with at least one counted share in it} within `scope`."""
    granularity = period.granularity
    through = rollup_horizon()
    rolled = rollup_rows(
        kind="a",
        period=period,
        through=through,
        coarsest="m" if granularity == "month" else "d",
        where=scope.q(),
    )
    raw = (
        counted_shares(period=raw_period(period, through))
        .filter(scope.q())
        .values(b=bucket(share_day(), granularity), who=F("ambassador"))
    )
    sources: list[QuerySet[Share | Rollup, Any]] = [raw]
    if rolled is not None:
        sources.append(
            rolled.filter(shares__gt=0).values(b=bucket(F("day"), granularity), who=F("ambassador"))
        )
    return {as_date(b): n for b, n in report_sql.distinct_sharers(sources, key="b")}


def joined_over_time(*, period: Period, department_id: int | None) -> dict[date, int]:
    """{bucket: people of the department whose (latest) joining falls in it}."""
    rows = (
        Ambassador.objects.filter(
            # None: people without a department (what department_id=None means to the ORM)
            Q(department__isnull=True) if department_id is None else Q(department_id=department_id),
            opted_in_at__gte=period.start_at,
            opted_in_at__lt=period.end_at,
        )
        .annotate(b=bucket(TruncDate("opted_in_at", tzinfo=report_tz()), period.granularity))
        .values("b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {as_date(row["b"]): row["n"] for row in rows}


def department_participation(*, period: Period, department_id: int) -> dict[str, int]:
    """People of the department who shared, out of those in the programme at some time in
    the period (who shared always counts as in the programme), as on the reports page."""
    shared = sharers_q(period=period)
    in_programme = Q(opted_in_at__lt=period.end_at) & (
        Q(opted_out_at__isnull=True) | Q(opted_out_at__gte=period.start_at)
    )
    counts = Ambassador.objects.filter(department_id=department_id).aggregate(
        opted_in=Count("pk", filter=in_programme | shared),
        shared=Count("pk", filter=shared),
    )
    opted_in, who_shared = counts["opted_in"], counts["shared"]
    percent = round(100 * who_shared / opted_in) if opted_in else 0
    return {"shared": who_shared, "opted_in": opted_in, "percent": percent}


def totals_from(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Every share and click has exactly one network: the network rows add up to the total."""
    rows = list(rows)
    return {metric: sum(row[metric] for row in rows) for metric in METRICS}


def item_report(*, item_id: int, period: Period) -> dict[str, Any]:
    """An item's page: over time, by network, by department, named top people."""
    scope = Scope(item_id=item_id)
    networks = list(activity(dimension="network", period=period, scope=scope))
    return {
        "totals": totals_from(networks),
        "over_time": activity_over_time(period=period, scope=scope),
        "networks": networks,
        "departments": list(activity(dimension="department", period=period, scope=scope)),
        "people": visible_people(period=period, scope=scope),
    }


def department_report(*, department_id: int, period: Period, top: int = TOP) -> dict[str, Any]:
    """A department's page: participation, people who shared and joined over time, the
    numbers over time and its top items."""
    scope = Scope(department_id=department_id)
    over_time = activity_over_time(period=period, scope=scope)
    sharers = sharers_over_time(period=period, scope=scope)
    joined = joined_over_time(period=period, department_id=department_id)
    for row in over_time:
        row["sharers"] = sharers.get(row["bucket"], 0)
        row["joined"] = joined.get(row["bucket"], 0)
    return {
        "totals": {m: sum(row[m] for row in over_time) for m in METRICS},
        "participation": department_participation(period=period, department_id=department_id),
        "over_time": over_time,
        "items": list(activity(dimension="item", period=period, scope=scope, limit=top)),
    }


def network_report(*, network: str, period: Period, top: int = TOP) -> dict[str, Any]:
    """A network's page: over time, its top items and its departments."""
    scope = Scope(network=network)
    over_time = activity_over_time(period=period, scope=scope)
    return {
        "totals": {m: sum(row[m] for row in over_time) for m in METRICS},
        "over_time": over_time,
        "items": list(activity(dimension="item", period=period, scope=scope, limit=top)),
        "departments": list(activity(dimension="department", period=period, scope=scope)),
    }


def colleagues_who_shared(
    *, item_ids: Iterable[int], exclude_ambassador_id: int | None = None
) -> dict[int, int]:
    """{item id: how many people (other than ``exclude_ambassador_id``, the reader) have a
    counted share of it, ever}: one query for a page of feed cards. A count only: the feed
    never says who shared."""
    item_ids = list(item_ids)
    if not item_ids:
        return {}
    others = ~Q(ambassador_id=exclude_ambassador_id) if exclude_ambassador_id else Q()
    through = rollup_horizon()
    rolled = rollup_rows(kind="ai", period=None, through=through)
    sources: list[QuerySet[Share | Rollup, Any]] = [
        counted_shares(period=raw_period(None, through))
        .filter(others, item_id__in=item_ids)
        .values(it=F("item"), who=F("ambassador"))
    ]
    if rolled is not None:
        sources.append(
            rolled.filter(others, item_id__in=item_ids, shares__gt=0).values(
                it=F("item"), who=F("ambassador")
            )
        )
    return {int(item): n for item, n in report_sql.distinct_sharers(sources, key="it")}


def impact_trend(*, ambassador_id: int, months: int = 12) -> list[dict[str, Any]]:
    """My shares and clicks per month over the last `months` months (this one included)."""
    today = report_today()
    start = today.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    period = Period(bucket_start(start, "month"), today, step="month")
    return activity_over_time(period=period, ambassador_id=ambassador_id)

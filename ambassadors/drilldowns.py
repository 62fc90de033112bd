"""Selectors for the report drill-downs: one item, one department, one network; the count
of colleagues who shared an item (feed cards); the trend on "my impact".

Every figure comes from ``reports.activity_sql`` (rollups for whole past days, raw rows for
today), so a drill-down always adds up to the row of the report it was opened from, and
each page runs a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from .models import Ambassador, User
from .reports import (
    METRICS,
    Period,
    Scope,
    _as_date,
    _bucket,
    _column,
    _compiled,
    _share_day,
    _table,
    activity,
    activity_over_time,
    activity_sql,
    bucket_start,
    counted_shares,
    fetch_rows,
    raw_period,
    report_today,
    report_tz,
    rollup_horizon,
    rollup_rows,
)

TOP = 10


def visible_people(*, period: Period | None, scope: Scope, limit: int = TOP) -> list[dict]:
    """The people with the most shares (then clicks) within `scope` who chose to show their
    name and are still in the programme. Nobody else is ever listed, so the list may be
    shorter than `limit` even when more people shared."""
    sql, params, _keys = activity_sql(dimension="ambassador", period=period, scope=scope)
    sql = (
        f"SELECT t.*, {_column(User, 'first_name', 'u')} AS first_name, "  # noqa: S608 - names from code
        f"{_column(User, 'last_name', 'u')} AS last_name FROM ({sql}) t "
        f"JOIN {_table(Ambassador, 'a')} ON {_column(Ambassador, 'id', 'a')} = t.k0 "
        f"JOIN {_table(User, 'u')} ON {_column(User, 'id', 'u')} = "
        f"{_column(Ambassador, 'user', 'a')} "
        f"WHERE {_column(Ambassador, 'leaderboard_visible', 'a')} = %s "
        f"AND {_column(Ambassador, 'opted_out_at', 'a')} IS NULL "
        f"AND {_column(User, 'is_active', 'u')} = %s "
        "ORDER BY t.shares DESC, t.clicks DESC, t.k0 LIMIT %s"
    )
    rows = list(fetch_rows(sql, [*params, True, True, limit]))
    for row in rows:
        row["name"] = f"{row['first_name']} {row['last_name']}".strip()
    return rows


def sharers_over_time(*, period: Period, scope: Scope) -> dict[date, int]:
    """{bucket: ambassadors with at least one counted share in it} within `scope`."""
    granularity = period.granularity
    through = rollup_horizon()
    rolled = rollup_rows(
        kind="a", period=period, through=through, coarsest="m" if granularity == "month" else "d"
    )
    raw = (
        counted_shares(period=raw_period(period, through))
        .filter(scope.q())
        .values(b=_bucket(_share_day(), granularity), who=F("ambassador"))
    )
    sources = [raw]
    if rolled is not None:
        sources.append(
            rolled.filter(scope.q(), shares__gt=0).values(
                b=_bucket(F("day"), granularity), who=F("ambassador")
            )
        )
    return {_as_date(bucket): n for bucket, n in _distinct_sharers(sources, key="b")}


def joined_over_time(*, period: Period, department_id: int | None) -> dict[date, int]:
    """{bucket: people of the department whose (latest) joining falls in it}."""
    rows = (
        Ambassador.objects.filter(
            department_id=department_id,
            opted_in_at__gte=period.start_at,
            opted_in_at__lt=period.end_at,
        )
        .annotate(b=_bucket(TruncDate("opted_in_at", tzinfo=report_tz()), period.granularity))
        .values("b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {_as_date(row["b"]): row["n"] for row in rows}


def department_participation(*, period: Period, department_id: int) -> dict[str, int]:
    """People of the department who shared, out of those in the programme at some time in
    the period (who shared always counts as in the programme), as on the reports page."""
    from .reports import sharers_q

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
    sources = [
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
    return {int(item): n for item, n in _distinct_sharers(sources, key="it")}


def _distinct_sharers(sources: list, *, key: str) -> list[tuple[Any, int]]:
    """(key, distinct ``who``) over the UNION ALL of ``sources`` (value querysets with the
    columns ``key`` and ``who``: raw rows and rollups), so a person counts once per key even
    when both sources hold them."""
    parts, params = [], []
    for queryset in sources:
        sql, part_params = _compiled(queryset)
        parts.append(sql)
        params += part_params
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {qn(key)}, COUNT(DISTINCT {qn('who')}) FROM "  # noqa: S608 - names from code
        f"({' UNION ALL '.join(parts)}) sharers GROUP BY {qn(key)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(value, int(n)) for value, n in cursor.fetchall()]


def impact_trend(*, ambassador_id: int, months: int = 12) -> list[dict[str, Any]]:
    """My shares and clicks per month over the last `months` months (this one included)."""
    today = report_today()
    start = today.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    period = Period(bucket_start(start, "month"), today, step="month")
    return activity_over_time(period=period, ambassador_id=ambassador_id)

"""Ranking people or departments by shares or clicks, for the leaderboard, "my impact" and
the item pages: one query with window functions (the SQL is in ``sql.py``). When each
person's numbers for the period are one rollup row (all time, this month), the top is read
in order from an index and only the raw activity after the horizon is added: the work
grows with the board, that activity and the viewer's own place, not with everyone ranked."""

from __future__ import annotations

from typing import Any

from . import sql as report_sql
from .activity import Scope, activity_sql
from .periods import Period
from .plan import rollup_single_row
from .sources import rollup_horizons


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
    ``only_visible`` keeps only people who chose to show their name (an item's page).
    Raises ValueError for another metric, or a dimension other than ambassador or
    department."""
    if metric not in ("shares", "clicks"):
        raise ValueError(metric)
    if dimension == "ambassador" and scope is None and not only_visible:
        through, clicks_through = rollup_horizons()
        row = rollup_single_row(
            period=period, through=clicks_through if metric == "clicks" else through
        )
        if row is not None:
            delta, delta_params, _keys = activity_sql(
                dimension=dimension, period=period, sources=(metric,), rolled=False
            )
            sql, params = report_sql.ranked_on_rows_sql(
                delta,
                delta_params,
                grain=row.grain,
                day=row.first,
                metric=metric,
                limit=limit,
                include_key=include_key,
            )
            return list(report_sql.fetch_rows(sql, params))
    sql, params, _keys = activity_sql(
        dimension=dimension, period=period, sources=(metric,), scope=scope
    )
    sql, params = report_sql.ranked_sql(
        sql,
        params,
        dimension=dimension,
        metric=metric,
        limit=limit,
        include_key=include_key,
        only_visible=only_visible,
    )
    return list(report_sql.fetch_rows(sql, params))

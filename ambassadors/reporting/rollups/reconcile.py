"""Reconciliation: rebuild every built day from the raw rows in memory, compare it with the
stored rows (days, months, years, totals) and repair what differs. Runs nightly."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from ...models import Rollup
from ..periods import as_date
from ..sources import TOTAL_DAY
from .build import (
    DAY,
    METRIC_FIELDS,
    MONTH,
    TOTAL,
    YEAR,
    Cell,
    Numbers,
    build_days,
    first_data_day,
    horizon,
    locked_state,
    month_of,
    next_month,
    raw_cells_sql,
    rebuild_months,
    rebuild_totals,
    rebuild_years,
    valid_horizon,
    year_of,
)
from .changes import departments_of, row_keys

log = logging.getLogger(__name__)


@dataclass
class Reconciliation:
    """What a reconciliation found: days compared, and the days (and months) repaired."""

    days_checked: int = 0
    repaired_days: list[date] = field(default_factory=list)
    repaired_months: list[date] = field(default_factory=list)
    repaired_years: list[date] = field(default_factory=list)
    repaired_totals: bool = False


# a rollup row of one grain: kind, day, ambassador id, item id, network, department id
RowOfGrain = tuple[str, date, int, int, str, int]


def _expected(cells: dict[Cell, Numbers], departments: dict[int, int]) -> dict[RowOfGrain, Numbers]:
    """The day rows of every kind that `cells` (fresh from the raw rows) should give."""
    rows: dict[RowOfGrain, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cell, numbers in cells.items():
        for kind, grain, day, a, i, n, d in row_keys(cell, departments.get(cell[1], 0)):
            if grain != DAY:
                continue
            for index, value in enumerate(numbers):
                rows[(kind, day, a, i, n, d)][index] += value
    return {key: (v[0], v[1], v[2], v[3]) for key, v in rows.items() if any(v)}


def _stored(grain: str, start: date, end: date) -> dict[RowOfGrain, Numbers]:
    rows = Rollup.objects.filter(grain=grain, day__gte=start, day__lte=end).values_list(
        "kind", "day", "ambassador_id", "item_id", "network", "department_id", *METRIC_FIELDS
    )
    return {
        (kind, as_date(day), a, i, n, d): tuple(numbers)
        for kind, day, a, i, n, d, *numbers in rows
        if any(numbers)
    }


def rollups_reconcile(*, start: date | None = None, end: date | None = None) -> Reconciliation:
    """Rebuild every built day in [start, end] from the raw rows in memory, month by month,
    compare it with the stored day and month rows, and rebuild what differs. Runs nightly
    (``ambassadors.rollups_reconcile``); the result is logged and kept in RollupState."""
    result = Reconciliation()
    through = horizon()
    if through is None:
        return result
    first = start or first_data_day() or through
    last = min(end or through, through)
    month = month_of(first)
    while month <= last:
        month_end = min(next_month(month) - timedelta(days=1), last)
        days_start = max(first, month)
        with transaction.atomic():
            through = valid_horizon(locked_state())
            if through is None:
                break
            month_end = min(month_end, through)
            cells_sql, params = raw_cells_sql(start=days_start, end=month_end)
            with connection.cursor() as cursor:
                cursor.execute(cells_sql, params)
                fresh = {
                    (as_date(d), a, i, n): (int(s), int(p), int(c or 0), int(u or 0))
                    for d, a, i, n, s, p, c, u in cursor.fetchall()
                }
            expected = _expected(fresh, departments_of(cell[1] for cell in fresh))
            stored = _stored(DAY, days_start, month_end)
            differ = expected.keys() ^ stored.keys()
            differ |= {
                key for key in expected.keys() & stored.keys() if expected[key] != stored[key]
            }
            bad_days = sorted({key[1] for key in differ})
            for day in bad_days:
                build_days(day, day)
            # the month rows must be the sum of all its day rows (also those before `first`,
            # and the open days' clicks after the horizon)
            month_last_day = next_month(month) - timedelta(days=1)
            sums: dict[RowOfGrain, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for (kind, _day, a, i, n, d), numbers in _stored(DAY, month, month_last_day).items():
                for index, value in enumerate(numbers):
                    sums[(kind, month, a, i, n, d)][index] += value
            want = {key: tuple(v) for key, v in sums.items() if any(v)}
            if want != _stored(MONTH, month, month):
                rebuild_months(month, month)
                result.repaired_months.append(month)
            result.days_checked += (month_end - days_start).days + 1
            result.repaired_days += bad_days
        month = next_month(month)
    with transaction.atomic():
        locked_state()
        year_sums: dict[RowOfGrain, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for (kind, day, a, i, n, d), numbers in _stored(MONTH, date.min, date.max).items():
            for index, value in enumerate(numbers):
                year_sums[(kind, year_of(day), a, i, n, d)][index] += value
        want = {key: tuple(v) for key, v in year_sums.items() if any(v)}
        stored = _stored(YEAR, date.min, date.max)
        differ = want.keys() ^ stored.keys()
        differ |= {key for key in want.keys() & stored.keys() if want[key] != stored[key]}
        for year in sorted({key[1] for key in differ}):
            rebuild_years(year, year)
            result.repaired_years.append(year)
    with transaction.atomic():
        locked_state()
        sums = defaultdict(lambda: [0, 0, 0, 0])
        for (kind, _day, a, i, n, d), numbers in _stored(MONTH, date.min, date.max).items():
            for index, value in enumerate(numbers):
                sums[(kind, TOTAL_DAY, a, i, n, d)][index] += value
        if {k: tuple(v) for k, v in sums.items() if any(v)} != _stored(TOTAL, TOTAL_DAY, TOTAL_DAY):
            rebuild_totals()
            result.repaired_totals = True
    with transaction.atomic():
        state = locked_state()
        state.reconciled_at = timezone.now()
        state.reconciled_days = result.days_checked
        state.repaired_days = len(result.repaired_days)
        state.save(update_fields=["reconciled_at", "reconciled_days", "repaired_days"])
    if result.repaired_days or result.repaired_months:
        log.warning(
            "rollups: repaired %d days (%s) and %d months after comparing %d days with raw rows",
            len(result.repaired_days),
            ", ".join(str(d) for d in result.repaired_days[:20]),
            len(result.repaired_months),
            result.days_checked,
        )
    else:
        log.info("rollups: %d days equal to the raw rows", result.days_checked)
    planner_statistics_refresh()
    return result


def planner_statistics_refresh() -> None:
    """Refresh SQLite's query-planner statistics (a no-op on PostgreSQL, whose autovacuum
    keeps them). SQLite keeps none of its own: without them it picks the item index for an
    ambassador's rollup rows and reads every row of the kind, and with sampled ones (its
    ``analysis_limit``) it believes each link has one click and joins today's clicks from
    every link. A full ANALYZE takes seconds per million rows: fine once a night. Run with
    the nightly reconciliation and after ``manage.py rebuild_rollups``."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

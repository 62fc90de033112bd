"""Building the rollups from the raw rows: the state row and its horizon, the cells of a
day (counted exactly as the reports count), the coarser rows derived from them, and the
beat task's refresh that builds every day that ended."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Min, Q, Sum, Value
from django.utils import timezone

from ...models import Click, ClickDaily, Rollup, RollupState, Share
from .. import sql as report_sql
from ..periods import Period, report_today, report_tz
from ..sources import ROLLUP_KINDS, TOTAL_DAY, click_sources, counted_shares, share_day

STATE_PK = 1
DAY, MONTH, YEAR, TOTAL = "d", "m", "y", "t"
# kind: the columns that are a real key (the others hold 0 or "")
KINDS = ROLLUP_KINDS
METRIC_FIELDS = ("shares", "presses", "clicks", "unique_clicks")
# A click stored this long after midnight still belongs to the day before; the refresh
# waits this long before building a day, so it never races a flush still in flight.
GRACE = timedelta(minutes=10)
CHUNK_DAYS = 31

Cell = tuple[date, int, int, str]  # day, ambassador id, item id, network
Numbers = tuple[int, int, int, int]  # shares, presses, clicks, unique clicks
# a rollup row: kind, grain, day, ambassador id, item id, network, department id (0/"": none)
RowKey = tuple[str, str, date, int, int, str, int]


# State --------------------------------------------------------------------------------------


def month_of(day: date) -> date:
    """The first day of `day`'s month (the day of its month rows)."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def year_of(day: date) -> date:
    """1 January of `day`'s year (the day of its year rows)."""
    return day.replace(month=1, day=1)


def locked_state() -> RollupState:
    """The state row, locked until the end of the caller's transaction (created at first)."""
    RollupState.objects.get_or_create(pk=STATE_PK)
    return RollupState.objects.select_for_update().get(pk=STATE_PK)


def horizon() -> date | None:
    """The last day the rollups hold, or None when reports read only raw rows."""
    row = (
        RollupState.objects.filter(pk=STATE_PK, time_zone=settings.TIME_ZONE)
        .values_list("built_through", flat=True)
        .first()
    )
    return row


def valid_horizon(state: RollupState) -> date | None:
    """The state's horizon, or None when it was built in another time zone."""
    return state.built_through if state.time_zone == settings.TIME_ZONE else None


def set_horizon(state: RollupState, day: date | None) -> None:
    """Move the horizon to `day` (None: no rollups) in the current time zone."""
    if day is None or state.time_zone != settings.TIME_ZONE:
        state.open_clicks = False  # no rows after the horizon until they are opened again
    state.built_through = day
    state.time_zone = settings.TIME_ZONE
    state.save()


def last_closed_day(*, now: datetime | None = None) -> date:
    """The last local day that has ended (GRACE ago): the newest day a refresh builds."""
    now = now or timezone.now()
    return timezone.localdate(now - GRACE, report_tz()) - timedelta(days=1)


def first_data_day() -> date | None:
    """The earliest local day with a share or a click, raw or folded."""
    first_share = Share.objects.aggregate(at=Min("created_at"))["at"]
    days = [
        Click.objects.aggregate(d=Min("day"))["d"],
        ClickDaily.objects.aggregate(d=Min("day"))["d"],
        timezone.localdate(first_share, report_tz()) if first_share else None,
    ]
    days = [day for day in days if day is not None]
    return min(days) if days else None


# Building from the raw rows -------------------------------------------------------------------


def raw_cells_sql(*, start: date, end: date, clicks_only: bool = False) -> tuple[str, list[Any]]:
    """SQL for one row per (day, ambassador, item, network) with activity from ``start`` to
    ``end`` (local days, both included), computed from the raw rows exactly as the reports
    count: columns d, a, i, n, s (0 or 1), p (presses), c (clicks), u (unique clicks).
    ``clicks_only`` leaves the shares out (the open days after the horizon)."""
    period = Period(start, end)
    zero = Value(0, output_field=IntegerField())
    shares = (
        counted_shares(period=period)
        .values(d=share_day(), a=F("ambassador"), i=F("item"), n=F("network"))
        .annotate(s=Value(1, output_field=IntegerField()), p=Count("pk"), c=zero, u=zero)
    )
    raw, daily = click_sources(period=period)
    keys = {
        "d": F("day"),
        "a": F("link__ambassador"),
        "i": F("link__item"),
        "n": F("link__network"),
    }
    raw_clicks = raw.values(**keys).annotate(
        s=zero, p=zero, c=Count("pk"), u=Count("pk", filter=Q(is_unique=True))
    )
    daily_clicks = daily.values(**keys).annotate(
        s=zero,
        p=zero,
        c=Sum(F("clicks") - F("bot_clicks"), output_field=IntegerField()),
        u=Sum("unique_clicks"),
    )
    parts = (raw_clicks, daily_clicks) if clicks_only else (shares, raw_clicks, daily_clicks)
    return report_sql.cells_union(parts)


def rollup_table() -> str:
    """The quoted name of the Rollup table."""
    return connection.ops.quote_name(Rollup._meta.db_table)


def rollup_columns(*names: str) -> str:
    """Quoted Rollup columns of the fields `names`, comma-separated."""
    qn = connection.ops.quote_name
    return ", ".join(qn(report_sql.field_column(Rollup, n)) for n in names)


ROW_COLUMNS = (
    "kind",
    "grain",
    "day",
    "ambassador",
    "item",
    "network",
    "department",
    *METRIC_FIELDS,
)
KEY_COLUMNS = ROW_COLUMNS[:7]


def _month_expression(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _year_expression(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('year', {column}) AS date)"
    return f"date({column}, 'start of year')"


def _period_expression(grain: str, column: str) -> str:
    if grain == YEAR:
        return _year_expression(column)
    return column if grain == DAY else _month_expression(column)


def _derive(*, grain: str, start: date, end: date, source_grain: str = DAY) -> None:
    """Insert the rows of every coarser kind (and, for months, every kind) from the
    day × ambassador × item × network rows of [start, end]."""
    qn = connection.ops.quote_name
    day_col = qn("day")
    period_expr = _period_expression(grain, day_col)
    kinds = ("n", "d", "i", "id", "a") if grain == DAY else tuple(KINDS)
    for kind in kinds:
        if "department" in KINDS[kind]:
            _derive_departments(
                kind=kind,
                grain=grain,
                start=start,
                end=end,
                period_expr=period_expr,
                source_grain=source_grain,
            )
            continue
        columns = KINDS[kind]
        a = qn("ambassador_id") if "ambassador" in columns else "0"
        i = qn("item_id") if "item" in columns else "0"
        n = qn("network") if "network" in columns else "''"
        group = [period_expr] + [
            qn(column)
            for name, column in (
                ("ambassador", "ambassador_id"),
                ("item", "item_id"),
                ("network", "network"),
            )
            if name in columns
        ]
        sums = ", ".join(f"SUM({qn(m)})" for m in METRIC_FIELDS)
        sql = (
            f"INSERT INTO {rollup_table()} ({rollup_columns(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
            f"SELECT %s, %s, {period_expr}, {a}, {i}, {n}, 0, {sums} FROM {rollup_table()} "
            f"WHERE {qn('kind')} = %s AND {qn('grain')} = %s "
            f"AND {day_col} >= %s AND {day_col} <= %s "
            f"GROUP BY {', '.join(group)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [kind, grain, "ai", source_grain, start, end])


def _derive_departments(
    *, kind: str, grain: str, start: date, end: date, period_expr: str, source_grain: str = DAY
) -> None:
    """``d`` or ``id`` rows from the day × ambassador × item × network rows, through each
    person's current department (0: none)."""
    from ...models import Ambassador

    qn = connection.ops.quote_name
    people = qn(Ambassador._meta.db_table)
    department = f"COALESCE(p.{qn('department_id')}, 0)"
    r_period = period_expr.replace(qn("day"), f"r.{qn('day')}")
    sums = ", ".join(f"SUM(r.{qn(m)})" for m in METRIC_FIELDS)
    with_item = "item" in KINDS[kind]
    item = f"r.{qn('item_id')}" if with_item else "0"
    network = f"r.{qn('network')}" if with_item else "''"
    group = (
        f"{r_period}, {item}, {network}, {department}" if with_item else f"{r_period}, {department}"
    )
    sql = (
        f"INSERT INTO {rollup_table()} ({rollup_columns(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
        f"SELECT %s, %s, {r_period}, 0, {item}, {network}, {department}, {sums} "
        f"FROM {rollup_table()} r JOIN {people} p ON p.{qn('id')} = r.{qn('ambassador_id')} "
        f"WHERE r.{qn('kind')} = %s AND r.{qn('grain')} = %s "
        f"AND r.{qn('day')} >= %s AND r.{qn('day')} <= %s "
        f"GROUP BY {group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, grain, "ai", source_grain, start, end])


def build_days(start: date, end: date) -> None:
    """Replace the day rows of [start, end] and the month rows of their months."""
    Rollup.objects.filter(grain=DAY, day__gte=start, day__lte=end).delete()
    _insert_days(start, end, clicks_only=False)
    rebuild_months(month_of(start), month_of(end))
    rebuild_totals()


def open_days_build(state: RollupState) -> None:
    """Give the days after the horizon, up to today, their clicks (not their shares) from
    the raw rows and mark them open: from then on the click flush adds every stored click
    to the rollups at once (``changes.rollups_add_clicks``) and reports read no raw clicks,
    only today's raw shares (few: one per press). Each open day becomes a whole day when
    the refresh builds it, as before. Call under the state lock (``locked_state``)."""
    through = valid_horizon(state)
    if through is None:
        return
    start, end = through + timedelta(days=1), report_today()
    Rollup.objects.filter(grain=DAY, day__gte=start).delete()
    if start <= end:
        _insert_days(start, end, clicks_only=True)
    rebuild_months(month_of(start), month_of(max(start, end)))
    rebuild_totals()
    state.open_clicks = True
    state.save(update_fields=["open_clicks"])


def rollups_open() -> None:
    """Open the days after the horizon (``open_days_build``) when they are not yet."""
    with transaction.atomic():
        state = locked_state()
        if valid_horizon(state) is not None and not state.open_clicks:
            open_days_build(state)


def _insert_days(start: date, end: date, *, clicks_only: bool) -> None:
    """Insert the day rows of every kind for [start, end] from the raw rows."""
    cells, params = raw_cells_sql(start=start, end=end, clicks_only=clicks_only)
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {rollup_table()} ({rollup_columns(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
        f"SELECT %s, %s, {qn('d')}, {qn('a')}, {qn('i')}, {qn('n')}, 0, "
        f"{qn('s')}, {qn('p')}, {qn('c')}, {qn('u')} FROM ({cells}) fresh"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["ai", DAY, *params])
    _derive(grain=DAY, start=start, end=end)


def rebuild_totals() -> None:
    """The ``t`` rows: every month row added up (month rows hold every built day)."""
    qn = connection.ops.quote_name
    Rollup.objects.filter(grain=TOTAL).delete()
    sums = ", ".join(f"SUM({qn(m)})" for m in METRIC_FIELDS)
    keys = (
        f"{qn('kind')}, {qn('ambassador_id')}, {qn('item_id')}, {qn('network')}, "
        f"{qn('department_id')}"
    )
    sql = (
        f"INSERT INTO {rollup_table()} ({rollup_columns(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
        f"SELECT {qn('kind')}, %s, %s, {qn('ambassador_id')}, {qn('item_id')}, "
        f"{qn('network')}, {qn('department_id')}, {sums} FROM {rollup_table()} "
        f"WHERE {qn('grain')} = %s GROUP BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [TOTAL, TOTAL_DAY, MONTH])


def rebuild_months(first: date, last: date) -> None:
    """Month rows of the months from ``first`` to ``last`` (1sts) = the sum of their days,
    and the year rows of their years."""
    Rollup.objects.filter(grain=MONTH, day__gte=first, day__lte=last).delete()
    _derive(grain=MONTH, start=first, end=next_month(last) - timedelta(days=1))
    rebuild_years(year_of(first), year_of(last))


def rebuild_years(first: date, last: date) -> None:
    """Year rows of the years from ``first`` to ``last`` (1 January) = the sum of their
    month rows (a long report reads one row per key for each whole year)."""
    Rollup.objects.filter(grain=YEAR, day__gte=first, day__lte=last).delete()
    _derive(grain=YEAR, start=first, end=last.replace(month=12, day=31), source_grain=MONTH)


def _chunks(start: date, end: date, size: int) -> Iterable[tuple[date, date]]:
    """Pieces of at most `size` days that never cross a month (each month's rows are then
    derived once per piece)."""
    current = start
    while current <= end:
        month_end = next_month(current) - timedelta(days=1)
        stop = min(end, current + timedelta(days=size - 1), month_end)
        yield current, stop
        current = stop + timedelta(days=1)


def rollups_build(
    *,
    start: date,
    end: date,
    chunk_days: int = CHUNK_DAYS,
    progress: Callable[[date, date], None] | None = None,
) -> int:
    """Rebuild the rollups of the local days ``start``..``end`` (both included) from the raw
    rows, one transaction per chunk, and move the horizon to ``end`` when the range joins
    the days already built. Returns the number of days built.

    Raises ValueError when ``end`` is not a closed day yet, or when the range would leave a
    gap after the horizon (start it at most one day after ``horizon()``)."""
    if end > last_closed_day():
        raise ValueError(f"{end} has not ended yet: rollups end at {last_closed_day()}")
    if start > end:
        return 0
    built = 0
    for chunk_start, chunk_end in _chunks(start, end, chunk_days):
        with transaction.atomic():
            state = locked_state()
            through = valid_horizon(state)
            if through is None and state.built_through is not None:
                # built in another time zone: start again from nothing
                Rollup.objects.all().delete()
                set_horizon(state, None)
            joins = (through is None and chunk_start <= (first_data_day() or chunk_start)) or (
                through is not None and chunk_start <= through + timedelta(days=1)
            )
            if not joins:
                raise ValueError(
                    f"building from {chunk_start} would leave a gap after {through}: "
                    "start at the first day of data or the day after the rollups end"
                )
            build_days(chunk_start, chunk_end)
            if through is None or chunk_end > through:
                set_horizon(state, chunk_end)
        built += (chunk_end - chunk_start).days + 1
        if progress:
            progress(chunk_start, chunk_end)
    rollups_open()
    return built


def rollups_refresh(*, now: datetime | None = None, max_days: int = 12 * CHUNK_DAYS) -> int:
    """Build the days that ended since the last run (at most ``max_days`` per call, so a
    first run over years of history is spread over a few ticks), then make sure the days
    after them are open (``open_days_build``). Returns days built."""
    built = _refresh(now=now, max_days=max_days)
    if not built:  # a build that ran opened them itself (rollups_build)
        rollups_open()
    return built


def _refresh(*, now: datetime | None, max_days: int) -> int:
    target = last_closed_day(now=now)
    with transaction.atomic():
        state = locked_state()
        through = valid_horizon(state)
        if through is None:
            first = first_data_day()
            if first is None or first > target:
                if state.built_through is not None:
                    Rollup.objects.all().delete()
                set_horizon(state, target)  # nothing to build: every past day is empty
                return 0
            start = first
        else:
            start = through + timedelta(days=1)
    if start > target:
        return 0
    return rollups_build(start=start, end=min(target, start + timedelta(days=max_days - 1)))

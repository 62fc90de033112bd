"""Daily rollups of shares and clicks: building, keeping up to date, reconciling.

Reports read the ``Rollup`` table for whole past days (up to ``RollupState.built_through``,
"the horizon") and the raw rows after it, in the same SQL statement (see
``reports.activity_sql``). The numbers follow README "How we count" exactly: a rollup day
is built from the same raw sources the reports used before (``counted_shares`` and
``click_sources``), so nothing is counted in a new way.

Keeping them right:

- ``rollups_refresh`` (beat, every few minutes) builds every day that ended (plus a short
  grace for clicks still in flight) and moves the horizon on.
- Changes to days already built are added as they happen, under a lock on the state row:
  clicks stored late (a backlog after a Redis outage, clicks buffered before midnight) from
  ``clicks.clicks_store``, and shares undone, confirmed again or logged for an earlier day
  from ``sharing``.
- ``rollups_reconcile`` (beat, nightly) rebuilds every built day from the raw rows,
  compares, repairs days that differ and records what it found.
- Retention folding raw clicks into ``ClickDaily`` changes no number, so it leaves the
  rollups alone; a day built from ``ClickDaily`` gives the same figures.
- The ambassador's department is never stored: department figures join the ambassador's
  current department, as before. If ``TIME_ZONE`` changes, readers ignore the rollups until
  they are rebuilt (``manage.py rebuild_rollups``, or the refresh task in steps).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Min, Q, Sum, Value
from django.utils import timezone

from .models import Click, ClickDaily, Rollup, RollupState, Share, TrackedLink
from .reports import (
    ROLLUP_KINDS,
    TOTAL_DAY,
    Period,
    click_sources,
    counted_shares,
    report_today,
    report_tz,
)

log = logging.getLogger(__name__)

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


# State --------------------------------------------------------------------------------------


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _year(day: date) -> date:
    return day.replace(month=1, day=1)


def _locked_state() -> RollupState:
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


def _valid_horizon(state: RollupState) -> date | None:
    return state.built_through if state.time_zone == settings.TIME_ZONE else None


def _set_horizon(state: RollupState, day: date | None) -> None:
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


def _compiled(queryset) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def raw_cells_sql(*, start: date, end: date) -> tuple[str, list]:
    """SQL for one row per (day, ambassador, item, network) with activity from ``start`` to
    ``end`` (local days, both included), computed from the raw rows exactly as the reports
    count: columns d, a, i, n, s (0 or 1), p (presses), c (clicks), u (unique clicks)."""
    from .reports import _share_day

    period = Period(start, end)
    qn = connection.ops.quote_name
    zero = Value(0, output_field=IntegerField())
    shares = (
        counted_shares(period=period)
        .values(d=_share_day(), a=F("ambassador"), i=F("item"), n=F("network"))
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
    parts, params = [], []
    for queryset in (shares, raw_clicks, daily_clicks):
        sql, part_params = _compiled(queryset)
        parts.append(sql)
        params += part_params
    cols = ", ".join(qn(c) for c in "dain")
    sums = ", ".join(f"SUM({qn(c)}) AS {qn(c)}" for c in "spcu")
    union = " UNION ALL ".join(parts)
    sql = f"SELECT {cols}, {sums} FROM ({union}) cells GROUP BY {cols}"  # noqa: S608 - names from code
    return sql, params


def _table() -> str:
    return connection.ops.quote_name(Rollup._meta.db_table)


def _cols(*names: str) -> str:
    qn = connection.ops.quote_name
    return ", ".join(qn(Rollup._meta.get_field(n).column) for n in names)


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
            f"INSERT INTO {_table()} ({_cols(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
            f"SELECT %s, %s, {period_expr}, {a}, {i}, {n}, 0, {sums} FROM {_table()} "
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
    from .models import Ambassador

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
        f"INSERT INTO {_table()} ({_cols(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
        f"SELECT %s, %s, {r_period}, 0, {item}, {network}, {department}, {sums} "
        f"FROM {_table()} r JOIN {people} p ON p.{qn('id')} = r.{qn('ambassador_id')} "
        f"WHERE r.{qn('kind')} = %s AND r.{qn('grain')} = %s "
        f"AND r.{qn('day')} >= %s AND r.{qn('day')} <= %s "
        f"GROUP BY {group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, grain, "ai", source_grain, start, end])


def _build_days(start: date, end: date) -> None:
    """Replace the day rows of [start, end] and the month rows of their months."""
    Rollup.objects.filter(grain=DAY, day__gte=start, day__lte=end).delete()
    cells, params = raw_cells_sql(start=start, end=end)
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {_table()} ({_cols(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
        f"SELECT %s, %s, {qn('d')}, {qn('a')}, {qn('i')}, {qn('n')}, 0, "
        f"{qn('s')}, {qn('p')}, {qn('c')}, {qn('u')} FROM ({cells}) fresh"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["ai", DAY, *params])
    _derive(grain=DAY, start=start, end=end)
    _rebuild_months(_month(start), _month(end))
    _rebuild_totals()


def _rebuild_totals() -> None:
    """The ``t`` rows: every month row added up (month rows hold every built day)."""
    qn = connection.ops.quote_name
    Rollup.objects.filter(grain=TOTAL).delete()
    sums = ", ".join(f"SUM({qn(m)})" for m in METRIC_FIELDS)
    keys = (
        f"{qn('kind')}, {qn('ambassador_id')}, {qn('item_id')}, {qn('network')}, "
        f"{qn('department_id')}"
    )
    sql = (
        f"INSERT INTO {_table()} ({_cols(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
        f"SELECT {qn('kind')}, %s, %s, {qn('ambassador_id')}, {qn('item_id')}, "
        f"{qn('network')}, {qn('department_id')}, {sums} FROM {_table()} "
        f"WHERE {qn('grain')} = %s GROUP BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [TOTAL, TOTAL_DAY, MONTH])


def _rebuild_months(first: date, last: date) -> None:
    """Month rows of the months from ``first`` to ``last`` (1sts) = the sum of their days,
    and the year rows of their years."""
    Rollup.objects.filter(grain=MONTH, day__gte=first, day__lte=last).delete()
    _derive(grain=MONTH, start=first, end=_next_month(last) - timedelta(days=1))
    _rebuild_years(_year(first), _year(last))


def _rebuild_years(first: date, last: date) -> None:
    """Year rows of the years from ``first`` to ``last`` (1 January) = the sum of their
    month rows (a long report reads one row per key for each whole year)."""
    Rollup.objects.filter(grain=YEAR, day__gte=first, day__lte=last).delete()
    _derive(grain=YEAR, start=first, end=last.replace(month=12, day=31), source_grain=MONTH)


def _chunks(start: date, end: date, size: int) -> Iterable[tuple[date, date]]:
    """Pieces of at most `size` days that never cross a month (each month's rows are then
    derived once per piece)."""
    current = start
    while current <= end:
        month_end = _next_month(current) - timedelta(days=1)
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
            state = _locked_state()
            through = _valid_horizon(state)
            if through is None and state.built_through is not None:
                # built in another time zone: start again from nothing
                Rollup.objects.all().delete()
                _set_horizon(state, None)
            joins = (through is None and chunk_start <= (first_data_day() or chunk_start)) or (
                through is not None and chunk_start <= through + timedelta(days=1)
            )
            if not joins:
                raise ValueError(
                    f"building from {chunk_start} would leave a gap after {through}: "
                    "start at the first day of data or the day after the rollups end"
                )
            _build_days(chunk_start, chunk_end)
            if through is None or chunk_end > through:
                _set_horizon(state, chunk_end)
        built += (chunk_end - chunk_start).days + 1
        if progress:
            progress(chunk_start, chunk_end)
    return built


def rollups_refresh(*, now: datetime | None = None, max_days: int = 12 * CHUNK_DAYS) -> int:
    """Build the days that ended since the last run (at most ``max_days`` per call, so a
    first run over years of history is spread over a few ticks). Returns days built."""
    target = last_closed_day(now=now)
    with transaction.atomic():
        state = _locked_state()
        through = _valid_horizon(state)
        if through is None:
            first = first_data_day()
            if first is None or first > target:
                if state.built_through is not None:
                    Rollup.objects.all().delete()
                _set_horizon(state, target)  # nothing to build: every past day is empty
                return 0
            start = first
        else:
            start = through + timedelta(days=1)
    if start > target:
        return 0
    return rollups_build(start=start, end=min(target, start + timedelta(days=max_days - 1)))


# Changes to days already built -----------------------------------------------------------------


def _departments(ambassador_ids) -> dict[int, int]:
    from .models import Ambassador

    return {
        pk: department or 0
        for pk, department in Ambassador.objects.filter(pk__in=set(ambassador_ids)).values_list(
            "pk", "department_id"
        )
    }


def _row_keys(cell: Cell, department: int) -> Iterable[tuple]:
    """The key of every rollup row (kind, grain, day, ambassador, item, network,
    department) that a cell's numbers belong to."""
    day, ambassador, item, network = cell
    for grain, period in ((DAY, day), (MONTH, _month(day)), (YEAR, _year(day)), (TOTAL, TOTAL_DAY)):
        for kind, columns in KINDS.items():
            yield (
                kind,
                grain,
                period,
                ambassador if "ambassador" in columns else 0,
                item if "item" in columns else 0,
                network if "network" in columns else "",
                department if "department" in columns else 0,
            )


def _upsert(rows: dict[tuple, list[int]]) -> None:
    """Add numbers to rollup rows by key (insert or add; both databases)."""
    rows = {key: numbers for key, numbers in rows.items() if any(numbers)}
    if not rows:
        return
    qn = connection.ops.quote_name
    table = _table()
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(ROW_COLUMNS)) + ")"] * len(rows))
    updates = ", ".join(f"{qn(m)} = {table}.{qn(m)} + excluded.{qn(m)}" for m in METRIC_FIELDS)
    conflict = _cols(*KEY_COLUMNS)
    params = [value for key, numbers in rows.items() for value in (*key, *numbers)]
    sql = (
        f"INSERT INTO {table} ({_cols(*ROW_COLUMNS)}) VALUES {placeholders} "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _apply(deltas: dict[Cell, Numbers]) -> None:
    """Add the numbers of cells to the day, month and total rows of every kind."""
    deltas = {cell: numbers for cell, numbers in deltas.items() if any(numbers)}
    if not deltas:
        return
    departments = _departments(cell[1] for cell in deltas)
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cell, numbers in deltas.items():
        for key in _row_keys(cell, departments.get(cell[1], 0)):
            for index, value in enumerate(numbers):
                rows[key][index] += value
    _upsert(rows)


def rollups_department_changed(*, ambassador_id: int, old: int | None, new: int | None) -> None:
    """Someone moved to another department: their numbers of every built day move with
    them (department figures always follow people's current department)."""
    with transaction.atomic():
        if _valid_horizon(_locked_state()) is None:
            return
        rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        # "d" rows move with the person's own rows, "id" rows with their item rows
        for kind, grain, day, item, network, *numbers in Rollup.objects.filter(
            kind__in=("a", "ai"), ambassador_id=ambassador_id
        ).values_list("kind", "grain", "day", "item_id", "network", *METRIC_FIELDS):
            target = "d" if kind == "a" else "id"
            for department, sign in ((old or 0, -1), (new or 0, 1)):
                key = (target, grain, _as_date(day), 0, item, network, department)
                for index, value in enumerate(numbers):
                    rows[key][index] += sign * value
        _upsert(rows)


def rollups_department_deleted(*, department_id: int) -> None:
    """A department is deleted (its people get none): its rows become "no department"."""
    with transaction.atomic():
        if _valid_horizon(_locked_state()) is None:
            return
        rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        moving = Rollup.objects.filter(kind__in=("d", "id"), department_id=department_id)
        for kind, grain, day, item, network, *numbers in moving.values_list(
            "kind", "grain", "day", "item_id", "network", *METRIC_FIELDS
        ):
            for department, sign in ((department_id, -1), (0, 1)):
                key = (kind, grain, _as_date(day), 0, item, network, department)
                for index, value in enumerate(numbers):
                    rows[key][index] += sign * value
        _upsert(rows)
        moving.filter(shares=0, presses=0, clicks=0, unique_clicks=0).delete()


def rollups_add_clicks(*, clicks: list[Click]) -> int:
    """Called by ``clicks_store`` in its transaction with the clicks it inserted: human
    clicks on days the rollups already hold are added to them. Clicks of today (nearly all)
    cost nothing. Returns the number of clicks added."""
    today = timezone.localdate(timezone.now(), report_tz())
    late = [c for c in clicks if not c.is_bot and c.day < today]
    if not late:
        return 0
    through = _valid_horizon(_locked_state())
    late = [c for c in late if through is not None and c.day <= through]
    if not late:
        return 0
    links = {
        pk: (ambassador, item, network)
        for pk, ambassador, item, network in TrackedLink.objects.filter(
            pk__in={c.link_id for c in late}
        ).values_list("pk", "ambassador_id", "item_id", "network")
    }
    deltas: dict[Cell, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for click in late:
        ambassador, item, network = links[click.link_id]
        numbers = deltas[(click.day, ambassador, item, network)]
        numbers[2] += 1
        numbers[3] += int(click.is_unique)
    _apply({cell: tuple(numbers) for cell, numbers in deltas.items()})
    return len(late)


def rollups_share_changed(*, share: Share) -> bool:
    """Called after a share was logged, undone or confirmed again: when its day is already
    in the rollups, its (ambassador, item, network, day) is counted again from the raw rows
    and the difference added. True when the rollups changed."""
    day = timezone.localdate(share.created_at, report_tz())
    if day >= report_today():
        return False
    with transaction.atomic():
        through = _valid_horizon(_locked_state())
        if through is None or day > through:
            return False
        presses = (
            counted_shares(period=Period(day, day))
            .filter(ambassador_id=share.ambassador_id, item_id=share.item_id, network=share.network)
            .count()
        )
        stored = (
            Rollup.objects.filter(
                kind="ai",
                grain=DAY,
                day=day,
                ambassador_id=share.ambassador_id,
                item_id=share.item_id,
                network=share.network,
            )
            .values_list("shares", "presses")
            .first()
        ) or (0, 0)
        delta = (int(presses > 0) - stored[0], presses - stored[1], 0, 0)
        if not any(delta):
            return False
        _apply({(day, share.ambassador_id, share.item_id, share.network): delta})
        return True


# Reconciliation -----------------------------------------------------------------------------


@dataclass
class Reconciliation:
    """What a reconciliation found: days compared, and the days (and months) repaired."""

    days_checked: int = 0
    repaired_days: list[date] = field(default_factory=list)
    repaired_months: list[date] = field(default_factory=list)
    repaired_years: list[date] = field(default_factory=list)
    repaired_totals: bool = False


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _expected(cells: dict[Cell, Numbers], departments: dict[int, int]) -> dict[tuple, Numbers]:
    """The day rows of every kind that `cells` (fresh from the raw rows) should give."""
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cell, numbers in cells.items():
        for kind, grain, day, *key in _row_keys(cell, departments.get(cell[1], 0)):
            if grain != DAY:
                continue
            for index, value in enumerate(numbers):
                rows[(kind, day, *key)][index] += value
    return {key: tuple(v) for key, v in rows.items() if any(v)}


def _stored(grain: str, start: date, end: date) -> dict[tuple, Numbers]:
    rows = Rollup.objects.filter(grain=grain, day__gte=start, day__lte=end).values_list(
        "kind", "day", "ambassador_id", "item_id", "network", "department_id", *METRIC_FIELDS
    )
    return {
        (kind, _as_date(day), a, i, n, d): tuple(numbers)
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
    month = _month(first)
    while month <= last:
        month_end = min(_next_month(month) - timedelta(days=1), last)
        days_start = max(first, month)
        with transaction.atomic():
            through = _valid_horizon(_locked_state())
            if through is None:
                break
            month_end = min(month_end, through)
            cells_sql, params = raw_cells_sql(start=days_start, end=month_end)
            with connection.cursor() as cursor:
                cursor.execute(cells_sql, params)
                fresh = {
                    (_as_date(d), a, i, n): (int(s), int(p), int(c or 0), int(u or 0))
                    for d, a, i, n, s, p, c, u in cursor.fetchall()
                }
            expected = _expected(fresh, _departments(cell[1] for cell in fresh))
            stored = _stored(DAY, days_start, month_end)
            differ = expected.keys() ^ stored.keys()
            differ |= {
                key for key in expected.keys() & stored.keys() if expected[key] != stored[key]
            }
            bad_days = sorted({key[1] for key in differ})
            for day in bad_days:
                _build_days(day, day)
            # the month rows must be the sum of all its built days (also those before `first`)
            month_last_day = min(_next_month(month) - timedelta(days=1), through)
            sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for (kind, _day, *key), numbers in _stored(DAY, month, month_last_day).items():
                for index, value in enumerate(numbers):
                    sums[(kind, month, *key)][index] += value
            want = {key: tuple(v) for key, v in sums.items() if any(v)}
            if want != _stored(MONTH, month, month):
                _rebuild_months(month, month)
                result.repaired_months.append(month)
            result.days_checked += (month_end - days_start).days + 1
            result.repaired_days += bad_days
        month = _next_month(month)
    with transaction.atomic():
        _locked_state()
        sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for (kind, day, *key), numbers in _stored(MONTH, date.min, date.max).items():
            for index, value in enumerate(numbers):
                sums[(kind, _year(day), *key)][index] += value
        want = {key: tuple(v) for key, v in sums.items() if any(v)}
        stored = _stored(YEAR, date.min, date.max)
        differ = want.keys() ^ stored.keys()
        differ |= {key for key in want.keys() & stored.keys() if want[key] != stored[key]}
        for year in sorted({key[1] for key in differ}):
            _rebuild_years(year, year)
            result.repaired_years.append(year)
    with transaction.atomic():
        _locked_state()
        sums = defaultdict(lambda: [0, 0, 0, 0])
        for (kind, _day, *key), numbers in _stored(MONTH, date.min, date.max).items():
            for index, value in enumerate(numbers):
                sums[(kind, TOTAL_DAY, *key)][index] += value
        if {k: tuple(v) for k, v in sums.items() if any(v)} != _stored(TOTAL, TOTAL_DAY, TOTAL_DAY):
            _rebuild_totals()
            result.repaired_totals = True
    with transaction.atomic():
        state = _locked_state()
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
    return result


# Department moves --------------------------------------------------------------------------


_UNKNOWN = object()


def _remember_department(sender, instance, **kwargs) -> None:
    # a deferred department stays unknown (never loaded just for this)
    instance._rollup_department_id = instance.__dict__.get("department_id", _UNKNOWN)


def _department_saved(sender, instance, created: bool, **kwargs) -> None:
    old = getattr(instance, "_rollup_department_id", _UNKNOWN)
    new = instance.__dict__.get("department_id", _UNKNOWN)
    if not created and _UNKNOWN not in (old, new) and old != new:
        rollups_department_changed(ambassador_id=instance.pk, old=old, new=new)
    instance._rollup_department_id = new


def _department_deleted(sender, instance, **kwargs) -> None:
    rollups_department_deleted(department_id=instance.pk)


def connect_signals() -> None:
    """Called from AppConfig.ready: keep the department rows with people's current
    department (saves through the ORM; anything else is repaired by the nightly check)."""
    from django.db.models.signals import post_init, post_save, pre_delete

    from .models import Ambassador, Department

    post_init.connect(_remember_department, sender=Ambassador, dispatch_uid="rollups-dept-init")
    post_save.connect(_department_saved, sender=Ambassador, dispatch_uid="rollups-dept-save")
    pre_delete.connect(_department_deleted, sender=Department, dispatch_uid="rollups-dept-del")

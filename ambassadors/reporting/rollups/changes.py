"""Changes to days the rollups already hold, added as they happen under a lock on the state
row: clicks stored late, shares undone, confirmed again or logged for an earlier day, and
people who move to another department (or whose department is deleted)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ...models import Ambassador, Click, Department, Rollup, Share, TrackedLink
from ..periods import Period, as_date, report_today, report_tz
from ..sources import TOTAL_DAY, counted_shares
from .build import (
    DAY,
    KEY_COLUMNS,
    KINDS,
    METRIC_FIELDS,
    MONTH,
    ROW_COLUMNS,
    TOTAL,
    YEAR,
    Cell,
    Numbers,
    RowKey,
    horizon,
    locked_state,
    month_of,
    rollup_columns,
    rollup_table,
    valid_horizon,
    year_of,
)


def departments_of(ambassador_ids: Iterable[int]) -> dict[int, int]:
    """{ambassador id: current department id, 0 for none}."""
    return {
        pk: department or 0
        for pk, department in Ambassador.objects.filter(pk__in=set(ambassador_ids)).values_list(
            "pk", "department_id"
        )
    }


def row_keys(cell: Cell, department: int) -> Iterable[RowKey]:
    """The key of every rollup row (kind, grain, day, ambassador, item, network,
    department) that a cell's numbers belong to."""
    day, ambassador, item, network = cell
    for grain, period in (
        (DAY, day),
        (MONTH, month_of(day)),
        (YEAR, year_of(day)),
        (TOTAL, TOTAL_DAY),
    ):
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


# rows per statement: 11 parameters each, well under SQLite's 32,766 (and fast on both)
UPSERT_ROWS = 1000


def upsert(rows: dict[RowKey, list[int]]) -> None:
    """Add numbers to rollup rows by key (insert or add; both databases), in statements of
    at most ``UPSERT_ROWS`` rows (a flush of a thousand clicks, each on another link,
    touches about 4,300 rows)."""
    items = [(key, numbers) for key, numbers in rows.items() if any(numbers)]
    if not items:
        return
    qn = connection.ops.quote_name
    table = rollup_table()
    updates = ", ".join(f"{qn(m)} = {table}.{qn(m)} + excluded.{qn(m)}" for m in METRIC_FIELDS)
    conflict = rollup_columns(*KEY_COLUMNS)
    row = "(" + ", ".join(["%s"] * len(ROW_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(items), UPSERT_ROWS):
            chunk = items[start : start + UPSERT_ROWS]
            params: list[str | date | int] = []
            for key, numbers in chunk:
                params.extend(key)
                params.extend(numbers)
            sql = (
                f"INSERT INTO {table} ({rollup_columns(*ROW_COLUMNS)}) "  # noqa: S608 - names from code
                f"VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            )
            cursor.execute(sql, params)


def _apply(deltas: dict[Cell, Numbers]) -> None:
    """Add the numbers of cells to the day, month and total rows of every kind."""
    deltas = {cell: numbers for cell, numbers in deltas.items() if any(numbers)}
    if not deltas:
        return
    departments = departments_of(cell[1] for cell in deltas)
    rows: dict[RowKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cell, numbers in deltas.items():
        for key in row_keys(cell, departments.get(cell[1], 0)):
            for index, value in enumerate(numbers):
                rows[key][index] += value
    upsert(rows)


def rollups_department_changed(*, ambassador_id: int, old: int | None, new: int | None) -> None:
    """Someone moved to another department: their numbers of every built day move with
    them (department figures always follow people's current department)."""
    with transaction.atomic():
        if valid_horizon(locked_state()) is None:
            return
        rows: dict[RowKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        # "d" rows move with the person's own rows, "id" rows with their item rows
        for kind, grain, day, item, network, *numbers in Rollup.objects.filter(
            kind__in=("a", "ai"), ambassador_id=ambassador_id
        ).values_list("kind", "grain", "day", "item_id", "network", *METRIC_FIELDS):
            target = "d" if kind == "a" else "id"
            for department, sign in ((old or 0, -1), (new or 0, 1)):
                key = (target, grain, as_date(day), 0, item, network, department)
                for index, value in enumerate(numbers):
                    rows[key][index] += sign * value
        upsert(rows)


def rollups_department_deleted(*, department_id: int) -> None:
    """A department is deleted (its people get none): its rows become "no department"."""
    with transaction.atomic():
        if valid_horizon(locked_state()) is None:
            return
        rows: dict[RowKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        moving = Rollup.objects.filter(kind__in=("d", "id"), department_id=department_id)
        for kind, grain, day, item, network, *numbers in moving.values_list(
            "kind", "grain", "day", "item_id", "network", *METRIC_FIELDS
        ):
            for department, sign in ((department_id, -1), (0, 1)):
                key = (kind, grain, as_date(day), 0, item, network, department)
                for index, value in enumerate(numbers):
                    rows[key][index] += sign * value
        upsert(rows)
        moving.filter(shares=0, presses=0, clicks=0, unique_clicks=0).delete()


def rollups_add_clicks(*, clicks: list[Click]) -> int:
    """Called by ``clicks_store`` in its transaction with the clicks it inserted: human
    clicks are added to the rollups of their day, for days already built (clicks stored
    late) and, once the days after them are open (``build.open_days_build``), for every
    day, so reports read no raw clicks. Before any rollup exists it costs one query.
    Returns the number of clicks added."""
    human = [c for c in clicks if not c.is_bot]
    if not human or horizon() is None:
        return 0
    state = locked_state()
    through = valid_horizon(state)
    if through is None:
        return 0
    added = human if state.open_clicks else [c for c in human if c.day <= through]
    if not added:
        return 0
    links = {
        pk: (ambassador, item, network)
        for pk, ambassador, item, network in TrackedLink.objects.filter(
            pk__in={c.link_id for c in added}
        ).values_list("pk", "ambassador_id", "item_id", "network")
    }
    deltas: dict[Cell, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for click in added:
        ambassador, item, network = links[click.link_id]
        numbers = deltas[(click.day, ambassador, item, network)]
        numbers[2] += 1
        numbers[3] += int(click.is_unique)
    _apply({cell: (n[0], n[1], n[2], n[3]) for cell, n in deltas.items()})
    return len(added)


def rollups_share_changed(*, share: Share) -> bool:
    """Called after a share was logged, undone or confirmed again: when its day is already
    in the rollups, its (ambassador, item, network, day) is counted again from the raw rows
    and the difference added. True when the rollups changed."""
    day = timezone.localdate(share.created_at, report_tz())
    if day >= report_today():
        return False
    with transaction.atomic():
        through = valid_horizon(locked_state())
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


# Department moves --------------------------------------------------------------------------


class _Unknown(Enum):
    """A department id that was never loaded (a deferred field)."""

    TOKEN = 0


_UNKNOWN = _Unknown.TOKEN
# the department id an Ambassador had when it was loaded, kept in its __dict__ (the model
# declares no such field)
_LOADED = "_rollup_department_id"


def _remember_department(sender: type[Ambassador], instance: Ambassador, **kwargs: Any) -> None:
    # a deferred department stays unknown (never loaded just for this)
    instance.__dict__[_LOADED] = instance.__dict__.get("department_id", _UNKNOWN)


def _department_saved(
    sender: type[Ambassador], instance: Ambassador, created: bool, **kwargs: Any
) -> None:
    old: int | None | _Unknown = instance.__dict__.get(_LOADED, _UNKNOWN)
    new: int | None | _Unknown = instance.__dict__.get("department_id", _UNKNOWN)
    if (
        not created
        and not isinstance(old, _Unknown)
        and not isinstance(new, _Unknown)
        and old != new
    ):
        rollups_department_changed(ambassador_id=instance.pk, old=old, new=new)
    instance.__dict__[_LOADED] = new


def _department_deleted(sender: type[Department], instance: Department, **kwargs: Any) -> None:
    rollups_department_deleted(department_id=instance.pk)


def connect_signals() -> None:
    """Called from AppConfig.ready: keep the department rows with people's current
    department (saves through the ORM; anything else is repaired by the nightly check)."""
    from django.db.models.signals import post_init, post_save, pre_delete

    post_init.connect(_remember_department, sender=Ambassador, dispatch_uid="rollups-dept-init")
    post_save.connect(_department_saved, sender=Ambassador, dispatch_uid="rollups-dept-save")
    pre_delete.connect(_department_deleted, sender=Department, dispatch_uid="rollups-dept-del")

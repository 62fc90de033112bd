"""Which rollup rows answer a period: the total rows for all time, else year, month and day
rows that add up to exactly its days, with as few rows per key as the grains allow."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, Value, When

from ..models import Rollup
from .periods import Period
from .sources import ONE, TOTAL_DAY


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
    where: Q | None = None,
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
    ``signed`` off.

    `where` (the caller's filter on keys, e.g. one item) is repeated inside every branch of
    the OR over grains and days, so each branch is one range of the (kind, grain, item or
    ambassador, day) indexes: SQLite does not carry a filter outside an OR into its
    branches and would otherwise read every row of the kind."""
    if through is None:
        return None
    base = Q(kind=kind) & (where or Q())
    rows = Rollup.objects.filter(base)
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
    rows = Rollup.objects.filter(reduce(operator.or_, (base & part.q() for part in parts)))
    if not subtracted:
        return rows.alias(sign=ONE)
    return rows.alias(
        sign=Case(
            When(reduce(operator.or_, subtracted), then=Value(-1)),
            default=ONE,
            output_field=IntegerField(),
        )
    )


def rollup_single_row(*, period: Period | None, through: date | None) -> Part | None:
    """The one rollup row per key that holds the part of `period` (None: all time) up to
    the horizon `through`, when there is one: the total row for all time, a month row for
    a month so far (this month on a leaderboard), a year row for a year so far. None when
    the period needs several rows per key, or no rollup row at all. The top of a ranking
    can then be read from an index on that row's numbers (see ``sql.ranked_on_rows_sql``)."""
    if through is None:
        return None
    if period is None:
        return Part("t", TOTAL_DAY, TOTAL_DAY, 1, 1)
    end = min(period.end, through)
    if period.start > end:
        return None
    parts = _cover(period.start, end, grain="y", through=through, signed=False)
    if len(parts) == 1 and parts[0].rows == 1 and parts[0].sign == 1:
        return parts[0]
    return None


def rolled_sum(field: str) -> Sum:
    """SUM of a rollup number over rows from `rollup_rows`, with their signs."""
    return Sum(F(field) * F("sign"))

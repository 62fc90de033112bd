"""The opt-in leaderboard: kind by design.

Only the top of the board is shown, never a bottom list: at most ten rows, and when more
people share the last place shown, a line says how many (a big programme can have
hundreds tied). People who did not switch on
"show my name on the leaderboard" keep their real place, so the places stay honest, but
appear as "An ambassador". Everyone always sees their own place, named or not. Only
people still in the programme are ranked; former ambassadors are never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..identity.names import public_name
from ..models import Ambassador
from .periods import Period, month_so_far
from .ranking import ranked

BOARD_SIZE = 10
SCOPES = ("month", "all")
METRICS = ("shares", "clicks")


@dataclass(frozen=True)
class Entry:
    place: int
    shares: int
    clicks: int
    name: str  # empty when the person is not named
    is_me: bool


@dataclass(frozen=True)
class Board:
    top: list[Entry]
    me: Entry | None
    more_tied: int = 0  # people who share the last place shown but do not fit on the board

    @property
    def me_below_top(self) -> bool:
        return self.me is not None and all(not entry.is_me for entry in self.top)


def _period(scope: str) -> Period | None:
    return month_so_far() if scope == "month" else None


def _board(
    rows: list[dict[str, Any]],
    *,
    my_key: int | None,
    size: int,
    name_of: Callable[[dict[str, Any]], str],
) -> Board:
    entries = [
        Entry(
            place=row["place"],
            shares=row["shares"],
            clicks=row["clicks"],
            name=name_of(row),
            is_me=my_key is not None and row["k0"] == my_key,
        )
        for row in rows
    ]
    top = [entry for row, entry in zip(rows, entries, strict=True) if row["row_number"] <= size]
    return Board(
        top=top,
        me=next((entry for entry in entries if entry.is_me), None),
        more_tied=max(0, rows[0]["in_top"] - len(top)) if rows else 0,
    )


def _person_name(row: dict[str, Any]) -> str:
    if not row.get("visible"):
        return ""
    return public_name(
        display_name=row["display_name"], first_name=row["first_name"], last_name=row["last_name"]
    )


def ambassador_board(
    *, ambassador: Ambassador, scope: str = "month", metric: str = "shares", size: int = BOARD_SIZE
) -> Board:
    """The top `size` places plus the viewer's own, in one query."""
    rows = ranked(
        dimension="ambassador",
        period=_period(scope),
        metric=metric,
        limit=size,
        include_key=ambassador.pk,
    )
    return _board(rows, my_key=ambassador.pk, size=size, name_of=_person_name)


def department_board(
    *, ambassador: Ambassador, scope: str = "month", metric: str = "shares", size: int = BOARD_SIZE
) -> Board:
    """Departments by the shares or clicks of all their people (also former ones)."""
    rows = ranked(
        dimension="department",
        period=_period(scope),
        metric=metric,
        limit=size,
        include_key=ambassador.department_id,
    )
    return _board(rows, my_key=ambassador.department_id, size=size, name_of=lambda r: r["name"])

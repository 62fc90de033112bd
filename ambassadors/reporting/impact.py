"""My impact: an ambassador's own shares and clicks, this month and all time, per item and
network, and their place on this month's leaderboard."""

from __future__ import annotations

from typing import Any

from ..models import Ambassador
from .activity import activity, activity_totals
from .periods import month_so_far
from .ranking import ranked


def impact_for(*, ambassador: Ambassador, limit: int = 100) -> dict[str, Any]:
    """Everything on "my impact" in four queries, whatever the number of items."""
    month = month_so_far()
    rows = list(
        activity(dimension="item_network", period=None, ambassador_id=ambassador.pk, limit=limit)
    )
    place = ranked(
        dimension="ambassador", period=month, metric="shares", limit=0, include_key=ambassador.pk
    )
    return {
        "month": month,
        "this_month": activity_totals(period=month, ambassador_id=ambassador.pk),
        "all_time": activity_totals(period=None, ambassador_id=ambassador.pk),
        "rows": rows,
        "place": place[0]["place"] if place else None,
    }

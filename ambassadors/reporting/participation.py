"""Who takes part: ambassadors who shared out of those in the programme, opt-ins and
opt-outs per week, and the outcomes of the weekly e-mails."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncWeek

from ..models import Ambassador, DigestDelivery
from .periods import Period, as_date, bucket_start, report_tz
from .plan import rolled_sum, rollup_rows
from .sources import counted_shares, raw_period, rollup_horizon


def participation(*, period: Period) -> dict[str, int]:
    """Ambassadors who shared, out of those in the programme at some time in the period.
    Who shared is always counted as in the programme (a rejoin resets opted_in_at), so
    the percentage never passes 100. Anonymised rows count too: they are never named."""
    shared = sharers_q(period=period)
    in_programme = Q(opted_in_at__lt=period.end_at) & (
        Q(opted_out_at__isnull=True) | Q(opted_out_at__gte=period.start_at)
    )
    counts = Ambassador.objects.aggregate(
        opted_in=Count("pk", filter=in_programme | shared),
        shared=Count("pk", filter=shared),
    )
    opted_in, who_shared = counts["opted_in"], counts["shared"]
    percent = round(100 * who_shared / opted_in) if opted_in else 0
    return {"shared": who_shared, "opted_in": opted_in, "percent": percent}


def sharers_q(*, period: Period | None) -> Q:
    """Ambassador rows with a counted share in the period: rollups up to the horizon, raw
    shares after it. Two hashed subqueries, not one probe per ambassador."""
    through = rollup_horizon()
    raw = counted_shares(period=raw_period(period, through))
    q = Q(pk__in=raw.values("ambassador_id"))
    rolled = rollup_rows(kind="a", period=period, through=through, signed=True)
    if rolled is not None:
        q |= Q(
            pk__in=rolled.values("ambassador_id")
            .annotate(shared=rolled_sum("shares"))
            .filter(shared__gt=0)
            .values("ambassador_id")
        )
    return q


def optin_trend(*, period: Period) -> list[dict[str, Any]]:
    """Opt-ins and opt-outs per week. opted_in_at holds the latest join, so someone who
    left and came back shows once as an opt-out and once as an opt-in."""
    weeks: dict[date, dict[str, int]] = {}
    for field, name in (("opted_in_at", "opt_ins"), ("opted_out_at", "opt_outs")):
        rows = (
            Ambassador.objects.filter(
                **{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at}
            )
            .annotate(week=TruncWeek(TruncDate(field, tzinfo=report_tz())))
            .values("week")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            weeks.setdefault(as_date(row["week"]), {})[name] = row["n"]
    start = bucket_start(period.start, "week")
    result = []
    week = start
    while week <= period.end:
        counts = weeks.get(week, {})
        result.append(
            {
                "week": week,
                "opt_ins": counts.get("opt_ins", 0),
                "opt_outs": counts.get("opt_outs", 0),
            }
        )
        week += timedelta(days=7)
    return result


DIGEST_STATUSES = ("sent", "failed", "unknown", "claimed")


def digest_outcomes(*, period: Period) -> list[dict[str, Any]]:
    """Weekly e-mails claimed in the period, per status (fixed order, zeros included)."""
    counts = dict(
        DigestDelivery.objects.filter(claimed_at__gte=period.start_at, claimed_at__lt=period.end_at)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [{"status": status, "count": counts.get(status, 0)} for status in DIGEST_STATUSES]

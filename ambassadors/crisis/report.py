"""What happened in a crisis: per update, who was reached on which channel, what failed, and
(for shareable crises) shares and clicks. Shown in the studio and exported as CSV.

Shares count distinct (ambassador, item, network, day) and clicks count unique clicks by
people (bots left out), as everywhere in the reports ("How we count" in the README).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from ..models import (
    Click,
    Crisis,
    CrisisAlertDelivery,
    CrisisUpdate,
    DeliveryStatus,
    Share,
    WebhookPost,
)


@dataclass
class UpdateRow:
    number: int
    at: datetime | None
    by: str
    email_sent: int = 0
    email_failed: int = 0
    email_unknown: int = 0
    posts_sent: dict[str, int] = field(default_factory=dict)
    posts_failed: int = 0
    shares: int = 0
    clicks: int = 0


@dataclass
class CrisisReport:
    crisis: Crisis
    rows: list[UpdateRow]

    @property
    def totals(self) -> UpdateRow:
        total = UpdateRow(number=0, at=None, by="")
        for row in self.rows:
            total.email_sent += row.email_sent
            total.email_failed += row.email_failed
            total.email_unknown += row.email_unknown
            total.posts_failed += row.posts_failed
            total.shares += row.shares
            total.clicks += row.clicks
            for kind, n in row.posts_sent.items():
                total.posts_sent[kind] = total.posts_sent.get(kind, 0) + n
        return total


def crisis_report(*, crisis: Crisis) -> CrisisReport:
    """A fixed number of grouped queries, whatever the number of updates and people."""
    updates = list(
        CrisisUpdate.objects.filter(crisis=crisis).select_related("author").order_by("number")
    )
    rows = {
        u.pk: UpdateRow(
            number=u.number, at=u.created_at, by=u.author.shown_name if u.author else ""
        )
        for u in updates
    }
    deliveries = (
        CrisisAlertDelivery.objects.filter(update__crisis=crisis)
        .values("update_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for d in deliveries:
        row = rows[d["update_id"]]
        if d["status"] == DeliveryStatus.SENT:
            row.email_sent += d["n"]
        elif d["status"] == DeliveryStatus.FAILED:
            row.email_failed += d["n"]
        elif d["status"] == DeliveryStatus.UNKNOWN:
            row.email_unknown += d["n"]
    posts = (
        WebhookPost.objects.filter(update__crisis=crisis)
        .values("update_id", "webhook__kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for p in posts:
        row = rows[p["update_id"]]
        if p["status"] == WebhookPost.Status.SENT:
            row.posts_sent[p["webhook__kind"]] = row.posts_sent.get(p["webhook__kind"], 0) + p["n"]
        elif p["status"] in (WebhookPost.Status.FAILED, WebhookPost.Status.UNKNOWN):
            row.posts_failed += p["n"]
    item_to_update: dict[int, int] = {}
    for u in updates:
        for item_id in (u.item_en_id, u.item_nl_id):
            if item_id:
                item_to_update[item_id] = u.pk
    if item_to_update and not crisis.internal_only:
        shares: Counter = Counter()
        for item_id, _a, _n, _d in (
            Share.objects.filter(item_id__in=list(item_to_update), undone_at__isnull=True)
            .values_list("item_id", "ambassador_id", "network", "created_at__date")
            .distinct()
        ):
            shares[item_to_update[item_id]] += 1
        clicks: defaultdict[int, int] = defaultdict(int)
        for c in (
            Click.objects.filter(
                Q(link__item_id__in=list(item_to_update)), is_bot=False, is_unique=True
            )
            .values("link__item_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            clicks[item_to_update[c["link__item_id"]]] += c["n"]
        for pk, row in rows.items():
            row.shares, row.clicks = shares[pk], clicks[pk]
    return CrisisReport(crisis=crisis, rows=[rows[u.pk] for u in updates])


CSV_HEADER = [
    "update",
    "at",
    "by",
    "emails_sent",
    "emails_failed",
    "emails_unknown",
    "slack_posts",
    "teams_posts",
    "posts_failed",
    "shares",
    "clicks",
]


def crisis_report_rows(report: CrisisReport) -> Iterator[list[Any]]:
    """Rows for ``csv_response`` (under ``CSV_HEADER``), one per update."""
    for row in report.rows:
        yield [
            row.number,
            row.at.isoformat() if row.at else "",
            row.by,
            row.email_sent,
            row.email_failed,
            row.email_unknown,
            row.posts_sent.get("slack", 0),
            row.posts_sent.get("teams", 0),
            row.posts_failed,
            row.shares,
            row.clicks,
        ]

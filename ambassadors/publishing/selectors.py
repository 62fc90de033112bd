"""Reads the studio's item pages share: the filtered item list and its tab counts, this
week's publishing pace, the item page with what it shows, the latest "sent back" note and
who an item without a topic reaches. Views call these; they change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import Ambassador, Item, ItemEvent, ItemRevision, User

Status = Item.Status
# Above this many new items a week, ambassadors start to skip them (see the studio list).
WEEKLY_ITEMS_HINT = 5


def items_for_studio_list(
    *, status: str, filters: dict[str, Any] | None, user: User
) -> QuerySet[Item]:
    """The studio list: every item (``status`` "all") or those in one status, narrowed by the
    cleaned filter form (``filters``: ``q``, ``language``, ``topic``, ``flag``; None when the
    form is not valid), newest change first. Each row carries the latest "sent back" note
    (``returned_note``) and whether a change waits for review (``has_pending_revision``)."""
    items = (
        Item.objects.select_related("author")
        .prefetch_related("topics")
        .annotate(
            returned_note=Subquery(
                ItemEvent.objects.filter(item=OuterRef("pk"), action=ItemEvent.Action.RETURNED)
                .order_by("-at", "-pk")
                .values("note")[:1]
            ),
            has_pending_revision=Exists(
                ItemRevision.objects.filter(item=OuterRef("pk"), status=ItemRevision.Status.PENDING)
            ),
        )
    )
    if status != "all":
        items = items.filter(status=status)
    if filters is not None:
        if filters["q"]:
            q = filters["q"].strip()
            items = items.filter(
                Q(title__icontains=q) | Q(body__icontains=q) | Q(slug__icontains=q)
            )
        if filters["language"]:
            items = items.filter(language=filters["language"])
        if filters["topic"]:
            items = items.filter(topics=filters["topic"])
        flag = filters["flag"]
        if flag == "urgent":
            items = items.filter(is_urgent=True)
        elif flag == "featured":
            items = items.filter(is_featured=True)
        elif flag == "mine":
            items = items.filter(author=user)
    return items.order_by("-updated_at", "-pk")


def items_count_by_status() -> dict[str, int]:
    """{"all": n, <status>: n, …} for the list's tabs, in one query."""
    return Item.objects.aggregate(
        all=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in Status}
    )


def _week_bounds(now: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday, monday + timedelta(days=7)


def items_week_volume(*, now: datetime) -> dict:
    """Items going live this week and next, against the number of active ambassadors:
    comms judge the pace from this, so we show numbers, not a verdict."""
    start, end = _week_bounds(now)
    published = Q(status=Status.PUBLISHED)
    counts = Item.objects.aggregate(
        this_week=Count("pk", filter=published & Q(publish_at__gte=start, publish_at__lt=end)),
        next_week=Count(
            "pk", filter=published & Q(publish_at__gte=end, publish_at__lt=end + timedelta(days=7))
        ),
    )
    return {
        **counts,
        "ambassadors": Ambassador.objects.active().count(),
        "hint": WEEKLY_ITEMS_HINT,
        "too_many": counts["this_week"] > WEEKLY_ITEMS_HINT,
        "week_start": start,
    }


def items_for_studio_page() -> QuerySet[Item]:
    """Items with what the studio's item page shows (author, translation, topics, audience,
    share texts, history with actors) fetched up front; the view picks one by pk."""
    return Item.objects.select_related("author", "translation_of").prefetch_related(
        "topics",
        "audience",
        "share_texts",
        Prefetch("events", queryset=ItemEvent.objects.select_related("actor")),
    )


def item_sent_back_event(*, item: Item) -> ItemEvent | None:
    """The reviewer's latest "sent back" step while the item is a draft again (a draft with
    a return was not sent for review since: submitting makes it "in review")."""
    if item.status != Status.DRAFT or item.pk is None:
        return None
    return (
        item.events.filter(action=ItemEvent.Action.RETURNED)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def item_revision_proposed_since(*, item: Item, author: User, since: datetime) -> bool:
    """Whether ``author``'s save since ``since`` became a change waiting for review."""
    return item.revisions.filter(
        status=ItemRevision.Status.PENDING, author=author, created_at__gte=since
    ).exists()


def ambassadors_no_topic_reach() -> dict:
    """Who an item without a topic reaches in the weekly e-mail: only the active
    ambassadors who follow no topic (a reader who picks topics gets only those).
    ``{"total": active ambassadors, "no_topics": those following no topic}``."""
    counts = Ambassador.objects.active().aggregate(
        total=Count("pk", distinct=True),
        no_topics=Count("pk", filter=Q(topics__isnull=True), distinct=True),
    )
    return counts

"""The review queue: items waiting for a second comms member."""

from __future__ import annotations

from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ...models import Item, ItemEvent, ItemRevision, SiteSettings
from ..access import comms_required


@comms_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Oldest first, so nothing waits forever. Own items are listed but marked: with review
    required, someone else has to approve them."""
    items = (
        Item.objects.filter(status=Item.Status.IN_REVIEW)
        .select_related("author")
        .prefetch_related("topics")
        .annotate(
            submitted_at=Max("events__at", filter=Q(events__action=ItemEvent.Action.SUBMITTED))
        )
        .order_by("submitted_at", "pk")
    )
    return render(
        request,
        "studio/items/review.html",
        {
            "studio_section": "review",
            "items": items,
            "review_required": SiteSettings.load().review_required,
            "revisions": ItemRevision.objects.filter(
                status=ItemRevision.Status.PENDING, item__status=Item.Status.PUBLISHED
            )
            .select_related("item", "author")
            .order_by("created_at", "pk"),
        },
    )

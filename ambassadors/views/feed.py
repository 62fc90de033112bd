from django.shortcuts import render

from ..models import Item


def feed(request):
    """The ambassador's feed (called by home for opted-in ambassadors)."""
    items = (
        Item.objects.live()
        .for_ambassador(request.ambassador)
        .prefetch_related("topics")
        .order_by("-is_urgent", "-is_featured", "-publish_at")[:20]
    )
    return render(request, "ambassadors/feed/feed.html", {"items": items})

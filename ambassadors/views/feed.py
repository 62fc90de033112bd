from django.http import HttpResponse
from django.shortcuts import render

from ..feed import feed_page, items_for_feed
from ..forms.ambassador import FeedFilterForm
from ..models import Network
from .access import AmbassadorRequest

# Nobody scrolls 100 pages of posts; the cap keeps a crafted page number from loading all.
MAX_PAGE = 100


def feed(request: AmbassadorRequest) -> HttpResponse:
    """The ambassador's feed (called by home for opted-in ambassadors). htmx "load more"
    gets only the next cards; without JavaScript the same URL pages normally."""
    form = FeedFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    topic = filters.get("topic")
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page = 1
    items = items_for_feed(
        ambassador=request.ambassador,
        topic=topic.slug if topic else None,
        language=filters.get("language") or None,
        network=filters.get("network") or None,
        query=filters.get("q") or None,
    )
    rows, has_next = feed_page(items, ambassador=request.ambassador, page=page)
    params = request.GET.copy()
    params.pop("page", None)
    network = filters.get("network") or ""
    context = {
        "form": form,
        "network": network,
        "network_label": Network(network).label if network else "",
        "items": rows,
        "page": page,
        "has_next": has_next,
        "filtered": bool(any(filters.values()) if filters else False),
        "query_string": params.urlencode(),
    }
    if request.htmx:
        return render(request, "ambassadors/feed/_page.html", context)
    return render(request, "ambassadors/feed/feed.html", context)

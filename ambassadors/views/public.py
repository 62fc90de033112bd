"""Public pages: an item's page for link previews, and the tracked redirect /s/<code>."""

from html import unescape

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from ..crisis.site import crisis_note_for_item, crisis_note_text
from ..images import og_image_url
from ..models import Item
from ..rendering import markdown_to_html
from ..tracking.clicks import click_count
from ..tracking.links import link_target, public_item_url
from ..tracking.ratelimit import client_ip


def public_item(request: HttpRequest, slug: str) -> HttpResponse:
    """Published and archived items (drafts and future items 404); expired and archived
    ones stay, because posted links lead here. Internal-only items have no public page, and
    items a content pause holds back are not out yet. An item published by a crisis update
    says where the live updates are, or that the crisis was resolved (page and link preview),
    because a posted link keeps pointing at an update that may be long out of date."""
    live_or_past = (
        Q(pk__in=Item.objects.live().values("pk"))
        | Q(status=Item.Status.ARCHIVED)
        | Q(expires_at__lte=timezone.now())
    )
    item = get_object_or_404(
        Item.objects.filter(
            live_or_past,
            status__in=[Item.Status.PUBLISHED, Item.Status.ARCHIVED],
            publish_at__lte=timezone.now(),
            internal_only=False,
        ),
        slug=slug,
    )
    plain = " ".join(unescape(strip_tags(markdown_to_html(item.body))).split())
    description = Truncator(plain).chars(200) or item.title
    crisis_note = crisis_note_for_item(item=item)
    og_title = item.title
    if crisis_note is not None:
        with translation.override(item.language):  # the preview speaks the item's language
            note = crisis_note_text(note=crisis_note)
            if crisis_note.closed_at is not None:
                og_title = _("Resolved: %(title)s") % {"title": item.title}
        description = Truncator(f"{note} {description}").chars(300)
    image_url = ""
    if item.image:
        image_url = og_image_url(item)  # the 1200×630 copy link previews expect
        if not image_url.startswith(("http://", "https://")):
            image_url = settings.SITE_URL + image_url
    return render(
        request,
        "ambassadors/public/item.html",
        {
            "item": item,
            "description": description,
            "og_title": og_title,
            "crisis_note": crisis_note,
            "canonical_url": public_item_url(item.slug),
            "image_url": image_url,
            "og_locale": "nl_NL" if item.language == "nl" else "en_GB",
        },
    )


@csrf_exempt
@require_safe
def tracked_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """The hot path: no SQL when the code is cached, one Redis round trip to count the
    click (and the rate limit), then a 302 to the stored target only."""
    target = link_target(code)
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:1000]
    # HEAD is not a visit, but it costs a lookup: it counts towards the limit only.
    counted = target[0] if target and request.method == "GET" else None
    allowed = click_count(link_id=counted, ip=client_ip(request), user_agent=user_agent)
    if not allowed:
        response = HttpResponse(
            _("Too many requests. Please try again in a minute."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
    if target is None:
        raise Http404
    response = HttpResponseRedirect(target[1])
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..models import Ambassador
from ..unsubscribe import (
    InvalidUnsubscribeToken,
    ambassador_stop_urgent,
    ambassador_unsubscribe,
    unsubscribe_ambassador_id,
    urgent_unsubscribe_ambassador_id,
)


@csrf_exempt  # RFC 8058: mail clients POST here without a session; the signed token is the key.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET only shows a button (mail scanners open links); POST unsubscribes, idempotently."""
    try:
        ambassador_id = unsubscribe_ambassador_id(token=token)
    except InvalidUnsubscribeToken:
        return render(request, "ambassadors/unsubscribe/invalid.html", status=400)
    ambassador = Ambassador.objects.filter(pk=ambassador_id).first()
    if ambassador is None:
        return render(request, "ambassadors/unsubscribe/invalid.html", status=404)
    with translation.override(ambassador.language):
        if request.method == "POST":
            ambassador_unsubscribe(ambassador=ambassador)
            return render(request, "ambassadors/unsubscribe/done.html")
        return render(
            request,
            "ambassadors/unsubscribe/confirm.html",
            {"already": not ambassador.digest_enabled},
        )


@csrf_exempt  # RFC 8058, as above; the token is signed with its own salt.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_urgent(request, token: str):
    """The one-click link of urgent e-mails and crisis alerts: POST turns urgent e-mails off."""
    try:
        ambassador_id = urgent_unsubscribe_ambassador_id(token=token)
    except InvalidUnsubscribeToken:
        return render(request, "ambassadors/unsubscribe/invalid.html", status=400)
    ambassador = Ambassador.objects.filter(pk=ambassador_id).first()
    if ambassador is None:
        return render(request, "ambassadors/unsubscribe/invalid.html", status=404)
    with translation.override(ambassador.language):
        if request.method == "POST":
            ambassador_stop_urgent(ambassador=ambassador)
            return render(request, "ambassadors/unsubscribe/urgent_done.html")
        return render(
            request,
            "ambassadors/unsubscribe/urgent_confirm.html",
            {"already": not ambassador.urgent_alerts},
        )

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..mail.unsubscribe import (
    InvalidUnsubscribeToken,
    ambassador_stop_urgent,
    ambassador_unsubscribe,
    unsubscribe_ambassador_id,
    urgent_unsubscribe_ambassador_id,
)
from ..models import Ambassador


def _one_click(
    request: HttpRequest,
    token: str,
    *,
    ambassador_id_of: Callable[..., int],
    stop: Callable[..., bool],
    field: str,
    templates: str,
) -> HttpResponse:
    """GET only shows a button (mail scanners open links); POST stops that kind of e-mail,
    idempotently. ``templates`` names the ``<templates>_confirm`` / ``<templates>_done`` pair."""
    try:
        ambassador_id = ambassador_id_of(token=token)
    except InvalidUnsubscribeToken:
        return render(request, "ambassadors/unsubscribe/invalid.html", status=400)
    ambassador = Ambassador.objects.filter(pk=ambassador_id).first()
    if ambassador is None:
        return render(request, "ambassadors/unsubscribe/invalid.html", status=404)
    with translation.override(ambassador.language):
        if request.method == "POST":
            stop(ambassador=ambassador)
            return render(request, f"ambassadors/unsubscribe/{templates}done.html")
        return render(
            request,
            f"ambassadors/unsubscribe/{templates}confirm.html",
            {"already": not getattr(ambassador, field)},
        )


@csrf_exempt  # RFC 8058: mail clients POST here without a session; the signed token is the key.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The weekly e-mail's one-click link: POST stops weekly e-mails."""
    return _one_click(
        request,
        token,
        ambassador_id_of=unsubscribe_ambassador_id,
        stop=ambassador_unsubscribe,
        field="digest_enabled",
        templates="",
    )


@csrf_exempt  # RFC 8058, as above; the token is signed with its own salt.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_urgent(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link of urgent e-mails and crisis alerts: POST turns urgent e-mails off."""
    return _one_click(
        request,
        token,
        ambassador_id_of=urgent_unsubscribe_ambassador_id,
        stop=ambassador_stop_urgent,
        field="urgent_alerts",
        templates="urgent_",
    )

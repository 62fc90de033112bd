"""Bouncing addresses: the person's "try my address again", comms' list."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..mail.bounces import address_retry
from ..models import BouncedAddress
from .access import SignedInRequest, comms_required


@require_POST
@login_required
def mail_retry(request: SignedInRequest) -> HttpResponse:
    if address_retry(user=request.user):
        messages.success(request, _("Thanks. We will send e-mails to your address again."))
    return redirect("ambassadors:home")


@comms_required
def studio_bounces(request: SignedInRequest) -> HttpResponse:
    """Addresses whose mail bounces, newest first, with the accounts that use them."""
    rows = BouncedAddress.objects.all()[:500]
    context = {
        "studio_section": "digests",
        "bounces": rows,
        "soft_limit": settings.BOUNCE_SOFT_LIMIT,
    }
    return render(request, "studio/bounces.html", context)

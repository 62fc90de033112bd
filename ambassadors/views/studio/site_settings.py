"""The site settings comms can change without a deploy (one row)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ...models import SiteSettings
from ..access import comms_required
from .forms import SiteSettingsForm


@comms_required
def site_settings(request: HttpRequest) -> HttpResponse:
    form = SiteSettingsForm(
        request.POST if request.method == "POST" else None, instance=SiteSettings.load()
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("ambassadors:studio_settings")
    return render(
        request, "studio/settings/settings.html", {"studio_section": "settings", "form": form}
    )

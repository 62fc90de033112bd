"""The site settings comms can change without a deploy (one row). Comms see them; only
comms leads and admins change them, and every change shows in the history below the form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ...audit import change_rows
from ...forms.studio import SiteSettingsForm
from ...models import SiteSettings
from ...site_settings import (
    SettingsRefused,
    can_change_settings,
    settings_history,
    site_settings_update,
)
from ..access import SignedInRequest, comms_required


@comms_required
def site_settings(request: SignedInRequest) -> HttpResponse:
    may_change = can_change_settings(request.user)
    if request.method == "POST" and not may_change:
        messages.error(request, _("Only comms leads can change the settings."))
        return render(
            request,
            "studio/settings/settings.html",
            _context(request, SiteSettingsForm(instance=SiteSettings.load()), False),
            status=403,
        )
    form = SiteSettingsForm(
        request.POST if request.method == "POST" else None, instance=SiteSettings.load()
    )
    if not may_change:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            site_settings_update(
                by=request.user, **{name: form.cleaned_data[name] for name in form.fields}
            )
        except SettingsRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Settings saved."))
        return redirect("ambassadors:studio_settings")
    return render(request, "studio/settings/settings.html", _context(request, form, may_change))


def _context(request: SignedInRequest, form: SiteSettingsForm, may_change: bool) -> dict:
    history = [{"event": event, "rows": change_rows(event)} for event in settings_history()]
    return {
        "studio_section": "settings",
        "form": form,
        "may_change": may_change,
        "history": history,
    }

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms.ambassador import AcceptGuidelinesForm, PreferencesForm
from ..identity.forms import NamesForm
from ..membership import (
    ambassador_for,
    ambassador_opt_in,
    ambassador_opt_out,
    ambassador_rejoin,
    current_guidelines,
)
from .access import AmbassadorRequest, SignedInRequest, ambassador_required
from .system import activate_language, set_language_cookie


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` page (from the form or the query string) if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
def join(request: SignedInRequest) -> HttpResponse:
    """Guidelines and the opt-in; also where a new guidelines version is accepted."""
    guidelines = current_guidelines()
    ambassador = ambassador_for(request.user)
    form = AcceptGuidelinesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and guidelines is not None and form.is_valid():
        was_active = ambassador is not None and ambassador.is_active
        ambassador_opt_in(user=request.user, guidelines=guidelines, language=get_language())
        if was_active:
            messages.success(request, _("Thank you. You accepted the new guidelines."))
            return redirect(_safe_next(request) or "ambassadors:home")
        messages.success(request, _("Welcome! Now tell us what you like to share."))
        return redirect("ambassadors:preferences")
    return render(
        request,
        "ambassadors/membership/join.html",
        {
            "guidelines": guidelines,
            "guidelines_body": guidelines.body_for(get_language()) if guidelines else "",
            "form": form,
            "member": ambassador,
            "next": _safe_next(request),
        },
    )


@ambassador_required
def preferences(request: AmbassadorRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, instance=request.ambassador)
    names_form = NamesForm(data, instance=request.user, prefix="names")
    if request.user.department_id:
        # The company directory (SSO or SCIM) decides the department.
        form.fields["department"].disabled = True
        form.fields["department"].help_text = _("From the company directory.")
    if request.method == "POST" and form.is_valid() and names_form.is_valid():
        form.save()
        names_form.save()
        activate_language(request, form.instance.language)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("ambassadors:preferences")
        set_language_cookie(response, form.instance.language)
        return response
    return render(
        request,
        "ambassadors/membership/preferences.html",
        {"form": form, "names_form": names_form},
    )


@require_POST
@ambassador_required
def opt_out(request: AmbassadorRequest) -> HttpResponse:
    ambassador_opt_out(ambassador=request.ambassador)
    messages.success(
        request,
        _("You left the programme. You will get no more e-mails from it."),
        extra_tags="undo-opt-out",
    )
    return redirect("ambassadors:home")


@require_POST
@login_required
def rejoin(request: SignedInRequest) -> HttpResponse:
    ambassador = ambassador_for(request.user)
    if ambassador is None:
        return redirect("ambassadors:join")
    guidelines = current_guidelines()
    if ambassador.needs_guidelines(guidelines):
        return redirect("ambassadors:join")
    ambassador_rejoin(ambassador=ambassador)
    messages.success(request, _("Welcome back!"))
    return redirect("ambassadors:home")

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..forms.ambassador import DeleteAccountForm
from ..privacy import user_data_export, user_delete
from .access import SignedInRequest


@login_required
def my_data(request: SignedInRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user_delete(user=user)
        messages.success(request, _("Your account and your personal data are deleted."))
        return redirect("ambassadors:home")
    return render(request, "ambassadors/privacy/my_data.html", {"form": form})


@login_required
def my_data_export(request: SignedInRequest) -> HttpResponse:
    payload = json.dumps(
        user_data_export(user=request.user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False
    )
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def privacy_page(request: HttpRequest) -> HttpResponse:
    return render(request, "ambassadors/privacy/privacy.html")

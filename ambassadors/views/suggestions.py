"""Suggestions: the ambassador's own list and form, and the comms queue."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import URLValidator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..models import Suggestion
from ..suggestions import (
    SuggestionError,
    suggestion_accept,
    suggestion_decline,
    suggestion_rate_allows,
    suggestion_submit,
)
from .access import AmbassadorRequest, SignedInRequest, ambassador_required, comms_required

PAGE_SIZE = 20


class SuggestionForm(forms.Form):
    link = forms.URLField(
        label=gettext_lazy("Link"),
        max_length=1000,
        assume_scheme="https",
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=gettext_lazy("Enter a web link that starts with http:// or https://."),
            )
        ],
        help_text=gettext_lazy("A news story, blog post or video you think we should share."),
    )
    note = forms.CharField(
        label=gettext_lazy("Why is it worth sharing?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        error_messages={"required": gettext_lazy("Write a short reason, so the sender knows why.")},
    )


@ambassador_required
def my_suggestions(request: AmbassadorRequest) -> HttpResponse:
    ambassador = request.ambassador
    form = SuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if suggestion_rate_allows(ambassador=ambassador):
            suggestion_submit(
                ambassador=ambassador,
                link=form.cleaned_data["link"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request, _("Thank you! The comms team will look at your suggestion soon.")
            )
            return redirect("ambassadors:suggestions")
        status = 429
    page = Paginator(
        ambassador.suggestions.select_related("item").order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "ambassadors/suggestions/suggestions.html",
        {"form": form, "page": page, "rate_limited": status == 429},
        status=status,
    )


QUEUE_ORDER: dict[str, tuple[str, str]] = {
    Suggestion.Status.NEW: ("created_at", "pk"),
    Suggestion.Status.ACCEPTED: ("-decided_at", "-pk"),
    Suggestion.Status.DECLINED: ("-decided_at", "-pk"),
}


@comms_required
def suggestion_queue(request: SignedInRequest) -> HttpResponse:
    status = request.GET.get("status")
    status = status if status in Suggestion.Status.values else Suggestion.Status.NEW
    suggestions = (
        Suggestion.objects.filter(status=status)
        .select_related("ambassador__user", "ambassador__department", "item", "decided_by")
        .order_by(*QUEUE_ORDER[status])
    )
    page = Paginator(suggestions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "studio/suggestions/queue.html",
        {
            "page": page,
            "status": status,
            "statuses": Suggestion.Status.choices,
            "decline_form": DeclineForm(),
            "studio_section": "suggestions",
        },
    )


@comms_required
@require_POST
def suggestion_accept_view(request: SignedInRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion.objects.select_related("ambassador__user"), pk=pk)
    try:
        item = suggestion_accept(suggestion=suggestion, by=request.user)
    except SuggestionError as error:
        messages.error(request, str(error))
        return redirect("ambassadors:suggestion_queue")
    # Like "Draft from this" on a source's entry: straight to the new draft, where the next
    # step (check it, send it for review) happens.
    messages.success(request, _("Draft made. Check it, then send it for review."))
    return redirect("ambassadors:studio_item_edit", pk=item.pk)


@comms_required
@require_POST
def suggestion_decline_view(request: SignedInRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["reason"]))
        return redirect("ambassadors:suggestion_queue")
    try:
        suggestion_decline(
            suggestion=suggestion, by=request.user, reason=form.cleaned_data["reason"]
        )
    except SuggestionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Declined. The sender will see your reason."))
    return redirect("ambassadors:suggestion_queue")

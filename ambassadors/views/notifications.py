"""The in-app inbox (/me/notifications/) and each person's switches per kind.

Everyone signed in has an inbox: comms hear about reviews, ambassadors about their
suggestions. The unread count in the menu loads with htmx after the page, so pages do not
pay a query for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..models import Notification, User
from ..notifications import (
    notification_url,
    notifications_mark_read,
    switches_for,
    switches_set,
    unread_count,
)
from .access import SignedInRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Kind = Notification.Kind
INBOX_SIZE = 50
# Kinds that concern people who review or write items; ambassadors only see the others.
COMMS_KINDS = {
    Kind.REVIEW_REQUESTED,
    Kind.RETURNED,
    Kind.APPROVED,
    Kind.PUBLISHED,
    Kind.REVISION_WAITING,
    Kind.REVISION_DECIDED,
}


class SwitchesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Tell me when"),
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, StrOrPromise]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["kinds"]).choices = kinds


def _kinds_for(user: User) -> list[tuple[str, StrOrPromise]]:
    if user.is_comms:
        return list(Kind.choices)
    return [(value, label) for value, label in Kind.choices if value not in COMMS_KINDS]


@login_required
def inbox(request: SignedInRequest) -> HttpResponse:
    notifications = list(
        Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")[
            :INBOX_SIZE
        ]
    )
    return render(
        request,
        "ambassadors/notifications/inbox.html",
        {
            "rows": [(n, notification_url(n)) for n in notifications],
            "unread": sum(1 for n in notifications if n.read_at is None),
        },
    )


@login_required
def unread_badge(request: SignedInRequest) -> HttpResponse:
    """The small count next to "Inbox" in the menu (fetched by htmx)."""
    return render(
        request,
        "ambassadors/notifications/_badge.html",
        {"count": unread_count(user=request.user)},
    )


@login_required
@require_POST
def open_notification(request: SignedInRequest, pk: int) -> HttpResponse:
    """Marks one of your own notifications read and goes where it points (an internal URL
    built from the database, never from the request)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification_url(notification))


@login_required
@require_POST
def mark_all_read(request: SignedInRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All marked as read."))
    return redirect("ambassadors:notifications")


@login_required
def notification_settings(request: SignedInRequest) -> HttpResponse:
    kinds = _kinds_for(request.user)
    current = switches_for(user=request.user)
    if request.method == "POST":
        form = SwitchesForm(request.POST, kinds=kinds)
        if form.is_valid():
            shown = {value for value, _label in kinds}
            # Kinds not shown to this person keep their current state.
            keep = {k for k, on in current.items() if on and k not in shown}
            switches_set(user=request.user, on=set(form.cleaned_data["kinds"]) | keep)
            messages.success(request, _("Saved. You get only what you switched on."))
            return redirect("ambassadors:notification_settings")
    else:
        form = SwitchesForm(initial={"kinds": [k for k, on in current.items() if on]}, kinds=kinds)
    return render(request, "ambassadors/notifications/settings.html", {"form": form})

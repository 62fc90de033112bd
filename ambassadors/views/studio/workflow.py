"""Workflow buttons: send for review, approve, publish, send back, archive, copy, and stop
urgent e-mails. All state changes are POST; approve and publish first show a confirmation
page with the plain-language result and, for urgent items, how many people it reaches."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...audience import urgent_alert_recipients
from ...forms.studio import PublishForm, ReturnForm
from ...models import Item, SiteSettings
from ...publishing.items import item_duplicate
from ...publishing.rules import (
    ConfirmationNeeded,
    PublishingError,
    can_approve,
    can_publish,
    plain_language_check,
    plain_language_text,
)
from ...publishing.workflow import (
    item_alerts_cancel,
    item_approve,
    item_archive,
    item_publish,
    item_return,
    item_submit,
)
from ..access import SignedInRequest, comms_required
from .plain_language import panel_context


def _back(item: Item) -> HttpResponse:
    return redirect("ambassadors:studio_item", pk=item.pk)


def _item(pk: int) -> Item:
    return get_object_or_404(Item, pk=pk)


def step_run(
    request: SignedInRequest, *, item: Item, step: Callable[..., object], done: str
) -> HttpResponse:
    """Take one workflow step, ``step(item=item, by=request.user)`` (a service), and go back
    to the item page: a refused step (``PublishingError``) shows its reason, a step taken
    shows ``done``."""
    try:
        step(item=item, by=request.user)
    except PublishingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back(item)


@comms_required
@require_POST
def submit(request: SignedInRequest, pk: int) -> HttpResponse:
    done = _("Sent for review. Someone else from the team can approve it.")
    return step_run(request, item=_item(pk), step=item_submit, done=done)


@comms_required
@require_POST
def send_back(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["note"][0]))
        return _back(item)
    step = partial(item_return, note=form.cleaned_data["note"])
    return step_run(
        request, item=item, step=step, done=_("Sent back to the author with your note.")
    )


def _confirm(request: SignedInRequest, pk: int, *, approving: bool) -> HttpResponse:
    item = get_object_or_404(Item.objects.prefetch_related("share_texts"), pk=pk)
    site = SiteSettings.load()
    allowed = (can_approve if approving else can_publish)(item=item, user=request.user, site=site)
    if not allowed:
        if approving and item.status == Item.Status.IN_REVIEW:
            messages.error(
                request, _("Someone else from the comms team must approve your own item.")
            )
        else:
            messages.error(request, _("You cannot publish this item now."))
        return _back(item)
    report = plain_language_check(title=item.title, body=item.body, language=item.language)
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        service = item_approve if approving else item_publish
        try:
            service(
                item=item,
                by=request.user,
                note=form.cleaned_data["note"],
                confirm_corporate=form.cleaned_data["confirm_corporate"],
            )
        except ConfirmationNeeded as error:
            form.add_error("confirm_corporate", error.message)
        except PublishingError as error:
            messages.error(request, error.message)
            return _back(item)
        else:
            if item.is_live():
                messages.success(request, _("Published. It is in the feed now."))
            else:
                messages.success(
                    request, _("Published. It goes into the feed at the time you set.")
                )
            return _back(item)
    return render(
        request,
        "studio/items/confirm.html",
        {
            "studio_section": "review" if approving else "items",
            "item": item,
            "approving": approving,
            "form": form,
            "corporate": report.band == "corporate",
            "reach": urgent_alert_recipients(item=item).count() if item.is_urgent else None,
            "delay": site.urgent_send_delay_minutes,
            "has_share_texts": bool(item.share_texts.all()),
            "now": timezone.now(),
            **panel_context(report, text=plain_language_text(title=item.title, body=item.body)),
        },
    )


@comms_required
def approve(request: SignedInRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, approving=True)


@comms_required
def publish(request: SignedInRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, approving=False)


@comms_required
@require_POST
def archive(request: SignedInRequest, pk: int) -> HttpResponse:
    done = _("Archived. It is no longer in the feed.")
    return step_run(request, item=_item(pk), step=item_archive, done=done)


@comms_required
@require_POST
def duplicate(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    copy = item_duplicate(item=item, by=request.user)
    messages.success(
        request, _("This is a new draft copied from “%(title)s”.") % {"title": item.title}
    )
    return redirect("ambassadors:studio_item_edit", pk=copy.pk)


@comms_required
@require_POST
def alerts_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    done = _("The urgent e-mails are stopped. Nobody gets them.")
    return step_run(request, item=_item(pk), step=item_alerts_cancel, done=done)

"""Reviewing a change to a live item: old and new side by side, approve or send back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ...forms.studio import PublishForm, ReturnForm
from ...models import Item
from ...publishing.revisions import (
    can_decide,
    pending_revision,
    revision_approve,
    revision_diff,
    revision_reject,
)
from ...publishing.rules import ConfirmationNeeded, PublishingError, plain_language_check
from ..access import SignedInRequest, comms_required
from .workflow import step_run


@comms_required
def revision_review(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    revision = pending_revision(item)
    if revision is None:
        messages.info(request, _("No change to this item waits for review."))
        return redirect("ambassadors:studio_item", pk=item.pk)
    allowed = can_decide(revision=revision, user=request.user)
    proposed = revision.proposed
    report = plain_language_check(
        title=proposed.get("title", item.title),
        body=proposed.get("body", item.body),
        language=proposed.get("language", item.language),
    )
    approve_form = PublishForm(prefix="approve")
    return_form = ReturnForm(prefix="return")
    if request.method == "POST":
        if not allowed:
            messages.error(
                request, _("Someone else from the comms team must approve your own change.")
            )
            return redirect("ambassadors:studio_item", pk=item.pk)
        if "send_back" in request.POST:
            return_form = ReturnForm(request.POST, prefix="return")
            if return_form.is_valid():
                note = return_form.cleaned_data["note"]
                return step_run(
                    request,
                    item=item,
                    step=lambda item, by: revision_reject(revision=revision, by=by, note=note),
                    done=_("Sent back. The live item stays as it was."),
                )
        else:
            approve_form = PublishForm(request.POST, prefix="approve")
            if approve_form.is_valid():
                try:
                    revision_approve(
                        revision=revision,
                        by=request.user,
                        note=approve_form.cleaned_data["note"],
                        confirm_corporate=approve_form.cleaned_data["confirm_corporate"],
                    )
                except ConfirmationNeeded as error:
                    approve_form.add_error("confirm_corporate", error.message)
                except PublishingError as error:
                    messages.error(request, error.message)
                    return redirect("ambassadors:studio_item", pk=item.pk)
                else:
                    messages.success(request, _("Approved. The change is live now."))
                    return redirect("ambassadors:studio_item", pk=item.pk)
    return render(
        request,
        "studio/items/revision.html",
        {
            "studio_section": "review",
            "item": item,
            "revision": revision,
            "diff": revision_diff(revision),
            "allowed": allowed,
            "approve_form": approve_form,
            "return_form": return_form,
            "corporate": report.band == "corporate",
        },
    )

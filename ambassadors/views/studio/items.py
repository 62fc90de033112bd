"""Studio item pages: the list, writing and editing, and the item page with its preview."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...forms.studio import (
    BaseShareTextFormSet,
    ItemFilterForm,
    ItemForm,
    ShareTextFormSet,
    item_initial,
    share_text_limits,
)
from ...held_images import held_image_store
from ...models import Item, Network, SiteSettings, User
from ...publishing.items import item_create, item_update
from ...publishing.revisions import pending_revision
from ...publishing.rules import PublishingError, can_approve, can_publish, item_disclosure
from ...publishing.selectors import (
    ambassadors_no_topic_reach,
    item_revision_proposed_since,
    item_sent_back_event,
    items_count_by_status,
    items_for_studio_list,
    items_for_studio_page,
    items_week_volume,
)
from ...publishing.workflow import alerts_can_cancel
from ...reporting.activity import Scope, activity_totals
from ..access import SignedInRequest, comms_required
from .plain_language import language_warning

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Status = Item.Status
PAGE_SIZE = 50

TABS = [
    ("all", gettext_lazy("All")),
    (Status.DRAFT, gettext_lazy("Drafts")),
    (Status.IN_REVIEW, gettext_lazy("To review")),
    (Status.PUBLISHED, gettext_lazy("Published")),
    (Status.ARCHIVED, gettext_lazy("Archived")),
]


def live_state(item: Item, now: datetime) -> str:
    """For published items: "live", "scheduled" or "ended"; "" otherwise."""
    if item.status != Status.PUBLISHED:
        return ""
    if item.publish_at and item.publish_at > now:
        return "scheduled"
    if item.expires_at and item.expires_at <= now:
        return "ended"
    return "live"


@comms_required
def item_list(request: SignedInRequest) -> HttpResponse:
    tab = request.GET.get("status", "all")
    if tab not in dict(TABS):
        tab = "all"
    filters = ItemFilterForm(request.GET or None)
    items = items_for_studio_list(
        status=tab,
        filters=filters.cleaned_data if filters.is_valid() else None,
        user=request.user,
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = items_count_by_status()
    now = timezone.now()
    rows = [(item, live_state(item, now)) for item in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("status", None)
    return render(
        request,
        "studio/items/list.html",
        {
            "studio_section": "items",
            "tabs": [(code, label, counts[code]) for code, label in TABS],
            "tab": tab,
            "filters": filters,
            "page": page,
            "rows": rows,
            "volume": items_week_volume(now=now),
            "query": query.urlencode(),
        },
    )


def _share_texts_initial(item: Item) -> list[dict]:
    return [{"network": t.network, "text": t.text} for t in item.share_texts.all()]


def _disclosure_from(data: QueryDict, site: SiteSettings) -> str:
    """The disclosure line the share-text counter must leave room for, from raw input, so
    share texts are checked against the line that will really be added."""
    override = (data.get("disclosure") or "").strip()
    return override or site.disclosure_for(data.get("language") or "en")


def _form_context(
    form: ItemForm, formset: BaseShareTextFormSet, site: SiteSettings, item: Item | None
) -> dict[str, Any]:
    return {
        "studio_section": "items",
        "form": form,
        "formset": formset,
        "item": item,
        "limits_json": json.dumps(share_text_limits()),
        "site": site,
        "site_url_length": len(settings.SITE_URL),
    }


def _texts_formset(data: Any = None, **kwargs: Any) -> BaseShareTextFormSet:
    """ShareTextFormSet with its own type (formset_factory is typed as returning the base)."""
    return cast(BaseShareTextFormSet, ShareTextFormSet(data, **kwargs))


def _save(request: SignedInRequest, item: Item | None) -> HttpResponse:
    site = SiteSettings.load()
    revision = pending_revision(item) if item is not None else None
    if request.method == "POST":
        form = ItemForm(request.POST, request.FILES, item=item, user=request.user)
        formset = _texts_formset(
            request.POST,
            prefix="texts",
            form_kwargs={"disclosure": _disclosure_from(request.POST, site)},
        )
        started = timezone.now()
        if form.is_valid() and formset.is_valid():
            fields = form.service_fields()
            try:
                if item is None:
                    item = item_create(
                        by=request.user,
                        share_texts=formset.share_texts(),
                        image=form.picture(),
                        **fields,
                    )
                    messages.success(request, _("Draft saved."))
                else:
                    item_update(
                        item=item,
                        by=request.user,
                        share_texts=formset.share_texts(),
                        image=form.picture(),
                        remove_image=form.cleaned_data["remove_image"],
                        **fields,
                    )
                    if item_revision_proposed_since(item=item, author=request.user, since=started):
                        messages.success(
                            request,
                            _(
                                "Saved as a change for review. The live version stays as it "
                                "is until someone else from the team approves the change."
                            ),
                        )
                    else:
                        messages.success(request, _("Changes saved."))
            except PublishingError as error:
                messages.error(request, error.message)
            else:
                for warning in form.warnings:
                    messages.warning(request, warning)
                if "save_and_continue" in request.POST:
                    return redirect("ambassadors:studio_item_edit", pk=item.pk)
                return redirect("ambassadors:studio_item", pk=item.pk)
        _hold_picture(request, form)
    elif item is None:
        form = ItemForm(item=None, user=request.user)
        formset = _texts_formset(prefix="texts", initial=[{"network": Network.LINKEDIN}])
        formset.extra = 0
    else:
        form = ItemForm(initial=item_initial(item, revision), item=item, user=request.user)
        texts = _share_texts_initial(item)
        if revision is not None and "share_texts" in revision.proposed:
            texts = [{"network": n, "text": t} for n, t in revision.proposed["share_texts"]]
        formset = _texts_formset(prefix="texts", initial=texts)
        formset.extra = 0 if texts else 1
    context = _form_context(form, formset, site, item)
    context.update(
        {
            "revision": revision,
            "returned": item_sent_back_event(item=item) if item is not None else None,
            "live_under_review": item is not None
            and item.status == Status.PUBLISHED
            and site.review_required,
            "no_topic_reach": ambassadors_no_topic_reach(),
            "errors": _error_list(form, formset),
        }
    )
    return render(request, "studio/items/form.html", context)


def _hold_picture(request: SignedInRequest, form: ItemForm) -> None:
    """A failed save keeps a valid chosen picture: cleaned, stored, and referenced from a
    hidden field so the next save uses it."""
    cleaned = getattr(form, "cleaned_data", {})
    image = cleaned.get("image")
    reference = None
    if image and "image" not in form.errors:
        reference = held_image_store(image, user=request.user)
    elif getattr(form, "held", None) is not None:
        reference = cleaned.get("held_image")
    if reference:
        data = request.POST.copy()  # the form's data
        data["held_image"] = reference
        form.data = data
        picture = getattr(form, "held", None) or image
        # ItemForm declares held_name once forms.py is typed (issue 16).
        form.held_name = picture.name  # type: ignore[attr-defined, union-attr]


def _error_list(form: ItemForm, formset: BaseShareTextFormSet) -> list[dict[str, Any]]:
    """Every error of a failed save, in page order, with the id of its field: the summary
    at the top links to each."""
    if not form.is_bound:
        return []
    errors = [{"field_id": "", "label": "", "message": m} for m in form.non_field_errors()]
    for name in form.fields:
        for message in form.errors.get(name, []):
            errors.append(
                {
                    "field_id": form[name].auto_id,
                    "label": form.fields[name].label or name,
                    "message": message,
                }
            )
    if formset.is_bound:
        for message in formset.non_form_errors():
            errors.append({"field_id": "", "label": "", "message": message})
        for share_form in formset.forms:
            for name, messages_ in share_form.errors.items():
                for message in messages_:
                    errors.append(
                        {
                            "field_id": share_form[name].auto_id
                            if name in share_form.fields
                            else "",
                            "label": _("Suggested text"),
                            "message": message,
                        }
                    )
    return errors


@comms_required
def item_new(request: SignedInRequest) -> HttpResponse:
    return _save(request, None)


@comms_required
def item_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    if item.status == Status.ARCHIVED:
        messages.error(request, _("Archived items cannot be changed. Make a copy instead."))
        return redirect("ambassadors:studio_item", pk=item.pk)
    return _save(request, item)


def item_actions(item: Item, user: User, site: SiteSettings, now: datetime) -> dict[str, Any]:
    """What the signed-in comms member may do with this item right now."""
    return {
        "submit": item.status == Status.DRAFT,
        "approve": can_approve(item=item, user=user, site=site),
        "publish": can_publish(item=item, user=user, site=site),
        "own_in_review": item.status == Status.IN_REVIEW
        and site.review_required
        and item.author_id == user.pk,
        "send_back": item.status == Status.IN_REVIEW,
        "edit": item.status != Status.ARCHIVED,
        "archive": item.status != Status.ARCHIVED,
        "cancel_alerts": alerts_can_cancel(item=item, now=now),
    }


def group_share_texts(item: Item) -> list[tuple[StrOrPromise, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for text in item.share_texts.all():
        grouped.setdefault(text.network, []).append(text.text)
    return [(Network(network).label, texts) for network, texts in grouped.items()]


@comms_required
def item_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """The item as an ambassador will see it (feed card, full text, share texts), with its
    workflow buttons and history."""
    item = get_object_or_404(items_for_studio_page(), pk=pk)
    site = SiteSettings.load()
    now = timezone.now()
    return render(
        request,
        "studio/items/detail.html",
        {
            "studio_section": "items",
            "item": item,
            "state": live_state(item, now),
            "actions": item_actions(item, request.user, site, now),
            "share_texts": group_share_texts(item),
            "disclosure": item_disclosure(item=item, site=site),
            "report": item.plain_language or None,
            "language_warning": language_warning(item.plain_language or {}),
            "now": now,
            "returned": item_sent_back_event(item=item),
            "revision": pending_revision(item),
            # its own numbers, all time (one query; drafts have none)
            "numbers": (
                activity_totals(period=None, scope=Scope(item_id=item.pk))
                if item.status in (Item.Status.PUBLISHED, Item.Status.ARCHIVED)
                else None
            ),
        },
    )

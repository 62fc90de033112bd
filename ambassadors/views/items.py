"""The item page with every share option, the share button, manual shares, confirm, undo."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from ..feed import item_is_featured, items_visible_to
from ..forms.ambassador import MASTODON_SERVER_ERROR, ConfirmShareForm, ManualShareForm, ShareForm
from ..membership import current_guidelines
from ..models import Item, Network, Share, Topic
from ..sharing import (
    ShareOption,
    ShareRefused,
    ambassador_set_mastodon_instance,
    share_confirm,
    share_intent,
    share_log,
    share_log_manual,
    share_native_link,
    share_options,
    share_undo,
)
from .access import AmbassadorRequest, HtmxRequest, ambassador_required


class IntentRedirect(HttpResponseRedirect):
    """A share intent: https, or mailto: for e-mail (Django allows only http/https/ftp)."""

    allowed_schemes = ["https", "mailto"]


def _visible_item(request: AmbassadorRequest, slug: str) -> Item:
    items = items_visible_to(ambassador=request.ambassador).prefetch_related(
        "share_texts", Prefetch("topics", queryset=Topic.objects.by_label())
    )
    return get_object_or_404(items, slug=slug)


def _draft_key(item: Item, network: str) -> str:
    return f"share-draft-{item.pk}-{network}"


def _guidelines_redirect(
    request: HtmxRequest, item: Item | None = None, network: str = "", text: str = ""
) -> HttpResponse:
    """To the guidelines, and back to the same share option afterwards with the words the
    ambassador wrote (kept in the session, never in the URL)."""
    messages.warning(request, _("Our guidelines have changed. Please accept them to share again."))
    url = reverse("ambassadors:join")
    if item is not None:
        back = reverse("ambassadors:item", args=[item.slug])
        if network:
            back += f"#share-{network}"
            if text:
                request.session[_draft_key(item, network)] = text
        url += "?" + urlencode({"next": back})
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _asked_network(request: HttpRequest, options: list[ShareOption]) -> str:
    """The share option to open: the one the feed's network filter led here from, else the
    first (the ambassador's own networks come first)."""
    asked = request.GET.get("network", "")
    return asked if any(o.network == asked for o in options) else options[0].network


@ambassador_required
def item_detail(request: AmbassadorRequest, slug: str) -> HttpResponse:
    item = _visible_item(request, slug)
    ambassador = request.ambassador
    my_shares = list(ambassador.shares.filter(item=item).order_by("-created_at")[:10])
    logged = None
    if request.GET.get("logged", "").isdigit():
        logged = next((s for s in my_shares if s.pk == int(request.GET["logged"])), None)
    story = item.translation_of_id or item.pk
    other_versions = items_visible_to(ambassador=ambassador).filter(
        Q(pk=story) | Q(translation_of_id=story)
    )
    options = share_options(ambassador=ambassador, item=item)
    draft_network = ""
    for option in options:  # words kept while the ambassador accepted new guidelines
        draft = request.session.pop(_draft_key(item, option.network), None)
        if draft:
            option.text = draft
            draft_network = option.network
    native = share_native_link(ambassador=ambassador, item=item)
    context = {
        "item": item,
        "options": options,
        "open_network": draft_network or _asked_network(request, options),
        "featured": item_is_featured(item),
        "native": native,
        "my_shares": my_shares,
        "other_versions": list(other_versions.exclude(pk=item.pk)[:2]),
        "manual_form": ManualShareForm(),
        "needs_guidelines_now": ambassador.needs_guidelines(current_guidelines()),
    }
    if logged is not None:
        text = request.session.get(f"share-text-{logged.pk}", "")
        context["result"] = _result(request, item, logged, text=text)
    return render(request, "ambassadors/items/detail.html", context)


def _result(request: AmbassadorRequest, item: Item, share: Share, *, text: str) -> dict[str, Any]:
    data = share_intent(ambassador=request.ambassador, item=item, network=share.network, text=text)
    return {
        "share": share,
        "network": share.network,
        "network_label": Network(share.network).label,
        "confirm_form": ConfirmShareForm(),
        **data,
    }


@require_POST
@ambassador_required
def share(request: AmbassadorRequest, slug: str, network: str) -> HttpResponse:
    """Log the press, then hand over to the network: a 302 without JavaScript, or an htmx
    fragment (the "logged" state) whose intent URL static JS opens."""
    if network not in Network.values:
        raise Http404
    item = _visible_item(request, slug)
    ambassador = request.ambassador
    form = ShareForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    if network == Network.MASTODON:
        instance = form.cleaned_data.get("instance", "") if form.is_valid() else ""
        if instance or not ambassador.mastodon_instance:
            try:
                ambassador_set_mastodon_instance(ambassador=ambassador, instance=instance)
            except ValueError:
                error = str(MASTODON_SERVER_ERROR)
                if request.htmx:
                    return render(
                        request,
                        "ambassadors/items/_share_error.html",
                        {"error": error},
                    )
                messages.error(request, error)
                if text:  # back to the Mastodon option with the words kept
                    request.session[_draft_key(item, Network.MASTODON)] = text
                url = reverse("ambassadors:item", args=[item.slug])
                return redirect(f"{url}?network=mastodon#share-mastodon")
    try:
        logged = share_log(ambassador=ambassador, item=item, network=network)
    except ShareRefused as refused:
        if refused.reason == ShareRefused.GUIDELINES:
            return _guidelines_redirect(request, item, network, text)
        raise Http404 from refused
    result = _result(request, item, logged, text=text)
    if request.htmx:
        return render(request, "ambassadors/items/_share_result.html", {"item": item, **result})
    if result["intent"]:
        return IntentRedirect(result["intent"])
    # Copy without JavaScript: show the edited text and the link on the item page.
    request.session[f"share-text-{logged.pk}"] = result["text"]
    url = reverse("ambassadors:item", args=[item.slug])
    return redirect(f"{url}?logged={logged.pk}#share-result")


@require_POST
@ambassador_required
def share_manual(request: AmbassadorRequest, slug: str) -> HttpResponse:
    item = _visible_item(request, slug)
    form = ManualShareForm(request.POST)
    if form.is_valid():
        try:
            share_log_manual(
                ambassador=request.ambassador,
                item=item,
                network=form.cleaned_data["network"],
                post_url=form.cleaned_data["post_url"],
            )
        except ShareRefused as refused:
            if refused.reason == ShareRefused.GUIDELINES:
                return _guidelines_redirect(request, item)
            raise Http404 from refused
        messages.success(request, _("Thank you. We added your share."))
    else:
        messages.error(request, _("Check the link to your post. It must start with https://."))
    return redirect("ambassadors:item", slug=item.slug)


def _own_share(request: AmbassadorRequest, pk: int) -> Share:
    return get_object_or_404(request.ambassador.shares.select_related("item"), pk=pk)


def _after_change(request: AmbassadorRequest, share: Share, message: str) -> HttpResponse:
    if request.htmx:
        return render(request, "ambassadors/items/_my_share.html", {"share": share})
    messages.success(request, message)
    return redirect("ambassadors:item", slug=share.item.slug)


@require_POST
@ambassador_required
def share_confirm_view(request: AmbassadorRequest, pk: int) -> HttpResponse:
    share = _own_share(request, pk)
    form = ConfirmShareForm(request.POST)
    post_url = form.cleaned_data["post_url"] if form.is_valid() else ""
    share_confirm(share=share, post_url=post_url)
    return _after_change(request, share, _("Thank you. We marked it as posted."))


@require_POST
@ambassador_required
def share_undo_view(request: AmbassadorRequest, pk: int) -> HttpResponse:
    share = _own_share(request, pk)
    share_undo(share=share)
    return _after_change(request, share, _("Done. We no longer count this share."))

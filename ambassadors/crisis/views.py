"""Crisis pages: the studio (scenarios, activation, updates, pause, webhooks, report) and the
public dark site with its Atom feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ..models import (
    ContentPause,
    Crisis,
    CrisisAlertDelivery,
    CrisisScenario,
    CrisisUpdate,
    DeliveryStatus,
    Webhook,
    WebhookPost,
)
from ..reporting.exports import csv_response
from ..views.access import SignedInRequest, comms_required
from . import services
from .forms import ActivateForm, CloseForm, PauseForm, ScenarioForm, UpdateForm, WebhookForm
from .placeholders import MissingPlaceholders
from .report import CSV_HEADER, crisis_report, crisis_report_rows
from .site import CachedPage, dark_site_cached, dark_site_context

SECTION = "crisis"


def _error(request: HttpRequest, error: services.CrisisError | Exception) -> None:
    messages.error(request, getattr(error, "message", str(error)))


# --- Overview -------------------------------------------------------------------------------


@comms_required
def crisis_home(request: SignedInRequest) -> HttpResponse:
    """Live and waiting crises, the pause, prepared scenarios, past crises, webhooks."""
    crises = list(
        Crisis.objects.annotate(update_count=Count("updates")).order_by("-created_at")[:30]
    )
    context = {
        "studio_section": SECTION,
        "open_crises": [c for c in crises if not c.is_closed],
        "past_crises": [c for c in crises if c.is_closed],
        "scenarios": list(CrisisScenario.objects.select_related("author").order_by("name")),
        "pause": services.content_pause_active(),
        "pause_form": PauseForm(),
        "webhook_count": Webhook.objects.filter(is_active=True).count(),
        "is_lead": services.is_comms_lead(request.user),
    }
    return render(request, "studio/crisis/home.html", context)


@comms_required
def pause_banner(request: SignedInRequest) -> HttpResponse:
    """The banner every studio page loads (htmx): empty when nothing is paused."""
    return render(request, "studio/crisis/_pause_banner.html", {"banner": services.pause_banner()})


# --- Scenarios ------------------------------------------------------------------------------


def _scenario_values(form: ScenarioForm) -> dict:
    data = dict(form.cleaned_data)
    audience = list(data.pop("audience", []))
    return {"audience": audience, **data}


@comms_required
def scenario_new(request: SignedInRequest) -> HttpResponse:
    form = ScenarioForm(request.POST or None, initial={"channels": ["email", "slack", "teams"]})
    if request.method == "POST" and form.is_valid():
        values = _scenario_values(form)
        scenario = services.scenario_create(by=request.user, **values)
        messages.success(request, _("Scenario saved. It stays dark until someone activates it."))
        return redirect("ambassadors:studio_crisis_scenario", pk=scenario.pk)
    return render(
        request,
        "studio/crisis/scenario_form.html",
        {"studio_section": SECTION, "form": form, "scenario": None},
    )


@comms_required
def scenario_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(
        CrisisScenario.objects.select_related("author", "approved_by"), pk=pk
    )
    return render(
        request,
        "studio/crisis/scenario.html",
        {
            "studio_section": SECTION,
            "scenario": scenario,
            "placeholders": services.scenario_placeholders(scenario=scenario),
            "audience": list(scenario.audience.all()),
            "can_approve": services.can_approve_scenario(scenario=scenario, user=request.user),
        },
    )


@comms_required
def scenario_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(CrisisScenario, pk=pk)
    form = ScenarioForm(request.POST or None, instance=None, initial=_scenario_initial(scenario))
    if request.method == "POST" and form.is_valid():
        services.scenario_update(scenario=scenario, by=request.user, **_scenario_values(form))
        messages.success(request, _("Scenario saved."))
        return redirect("ambassadors:studio_crisis_scenario", pk=scenario.pk)
    return render(
        request,
        "studio/crisis/scenario_form.html",
        {"studio_section": SECTION, "form": form, "scenario": scenario},
    )


def _scenario_initial(scenario: CrisisScenario) -> dict:
    fields = ScenarioForm.Meta.fields
    initial = {name: getattr(scenario, name) for name in fields if name != "audience"}
    initial["audience"] = list(scenario.audience.values_list("pk", flat=True))
    return initial


@comms_required
@require_POST
def scenario_step(request: SignedInRequest, pk: int, step: str) -> HttpResponse:
    scenario = get_object_or_404(CrisisScenario, pk=pk)
    steps = {
        "submit": (services.scenario_submit, _("Sent for review.")),
        "approve": (services.scenario_approve, _("Approved. It is ready to activate.")),
        "return": (services.scenario_return, _("Sent back to draft.")),
    }
    if step not in steps:
        raise Http404
    action, done = steps[step]
    try:
        action(scenario=scenario, by=request.user)
    except services.CrisisError as error:
        _error(request, error)
    else:
        messages.success(request, done)
    return redirect("ambassadors:studio_crisis_scenario", pk=scenario.pk)


# --- Activation -----------------------------------------------------------------------------


def _activation_form(request: HttpRequest, scenario: CrisisScenario | None) -> ActivateForm:
    placeholders = services.scenario_placeholders(scenario=scenario) if scenario else []
    initial = {"channels": ["email", "slack", "teams"], "send": "now", "pause_content": True}
    if scenario is not None:
        initial |= {
            name: getattr(scenario, name)
            for name in services.TEXT_FIELDS + ("internal_only", "must_reach", "channels")
        }
        initial["audience"] = list(scenario.audience.values_list("pk", flat=True))
    else:
        initial["internal_only"] = True
    data = request.POST if request.method == "POST" else None
    return ActivateForm(data, initial=initial, placeholders=placeholders)


@comms_required
def activate(request: SignedInRequest) -> HttpResponse:
    """One screen: pick a scenario (or blank), fill the blanks, see the reach, confirm.

    The first POST checks the form and shows the reach with a confirm button; the second
    (``confirm=1``) activates."""
    scenario = None
    scenario_id = request.POST.get("scenario") or request.GET.get("scenario")
    if scenario_id:
        if not str(scenario_id).isdigit():
            raise Http404
        scenario = get_object_or_404(
            CrisisScenario, pk=scenario_id, status=CrisisScenario.Status.APPROVED
        )
    form = _activation_form(request, scenario)
    reach = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            texts = services.crisis_texts_fill(
                texts={n: data.get(n, "") for n in services.TEXT_FIELDS}, values=form.values()
            )
        except MissingPlaceholders as missing:
            form.add_error(
                None,
                _("Fill in every blank: %(names)s")
                % {"names": ", ".join("{" + n + "}" for n in missing.names)},
            )
        except services.CrisisError as error:
            form.add_error(None, error.message)
        else:
            audience = list(data["audience"])
            if request.POST.get("confirm") == "1":
                try:
                    crisis = services.crisis_activate(
                        by=request.user,
                        texts=texts,
                        scenario=scenario,
                        audience=audience,
                        internal_only=data["internal_only"],
                        channels=data["channels"],
                        must_reach=data["must_reach"],
                        send_now=data["send"] == "now",
                        pause_content=data["pause_content"],
                    )
                except services.CrisisError as error:
                    form.add_error(None, error.message)
                else:
                    if crisis.is_active:
                        messages.success(
                            request, _("The crisis is active. The first message is out.")
                        )
                    else:
                        messages.success(
                            request,
                            _("Saved. A second person from the comms team must confirm it now."),
                        )
                    return redirect("ambassadors:studio_crisis", pk=crisis.pk)
            reach = services.crisis_reach(
                audience_ids=[d.pk for d in audience],
                must_reach=data["must_reach"],
                channels=data["channels"],
            )
            reach.texts = texts
    approved = CrisisScenario.objects.filter(status=CrisisScenario.Status.APPROVED).order_by("name")
    return render(
        request,
        "studio/crisis/activate.html",
        {
            "studio_section": SECTION,
            "form": form,
            "scenario": scenario,
            "scenarios": approved,
            "reach": reach,
            "is_lead": services.is_comms_lead(request.user),
        },
    )


# --- One crisis -----------------------------------------------------------------------------


def _crisis(pk: int) -> Crisis:
    return get_object_or_404(
        Crisis.objects.select_related("requested_by", "activated_by", "closed_by", "scenario"),
        pk=pk,
    )


def _count(model: type[CrisisAlertDelivery | WebhookPost], **filters: Any) -> Coalesce:
    rows = model.objects.filter(update=OuterRef("pk"), **filters).order_by()
    counted = rows.values("update").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


@comms_required
def crisis_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    crisis = _crisis(pk)
    # Counted in subqueries: joining deliveries and posts together would multiply rows.
    updates = list(
        crisis.updates.select_related("author", "item_en", "item_nl").annotate(
            emails_sent=_count(CrisisAlertDelivery, status=DeliveryStatus.SENT),
            emails_problem=_count(
                CrisisAlertDelivery, status__in=[DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN]
            ),
            posts_sent=_count(WebhookPost, status=WebhookPost.Status.SENT),
        )
    )
    now = timezone.now()
    for update in updates:
        update.can_cancel = services.update_alerts_can_cancel(update=update, now=now)
    audience_ids = list(crisis.audience.values_list("pk", flat=True))
    context = {
        "studio_section": SECTION,
        "crisis": crisis,
        "updates": updates,
        "audience": list(crisis.audience.all()),
        "draft": (crisis.draft or {}).get("texts", {}),
        "update_form": UpdateForm(),
        # Resuming is offered ticked only when there is something to resume.
        "close_form": CloseForm(
            initial={"resume_content": crisis.is_active and ContentPause.objects.active().exists()}
        ),
        "reach": services.crisis_reach(
            audience_ids=audience_ids, must_reach=crisis.must_reach, channels=crisis.channels
        ),
        "can_confirm": crisis.status == Crisis.Status.PENDING
        and (crisis.requested_by_id != request.user.pk or services.is_comms_lead(request.user)),
    }
    return render(request, "studio/crisis/crisis.html", context)


@comms_required
@require_POST
def crisis_confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    crisis = _crisis(pk)
    try:
        services.crisis_confirm(crisis=crisis, by=request.user)
    except services.CrisisError as error:
        _error(request, error)
    else:
        messages.success(request, _("The crisis is active. The first message is out."))
    return redirect("ambassadors:studio_crisis", pk=crisis.pk)


@comms_required
@require_POST
def crisis_discard(request: SignedInRequest, pk: int) -> HttpResponse:
    crisis = _crisis(pk)
    try:
        services.crisis_discard(crisis=crisis, by=request.user)
    except services.CrisisError as error:
        _error(request, error)
        return redirect("ambassadors:studio_crisis", pk=crisis.pk)
    messages.success(request, _("Thrown away. Nothing went out."))
    return redirect("ambassadors:studio_crisis_home")


@comms_required
@require_POST
def crisis_update(request: SignedInRequest, pk: int) -> HttpResponse:
    crisis = _crisis(pk)
    form = UpdateForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("ambassadors:studio_crisis", pk=crisis.pk)
    data = form.cleaned_data
    try:
        update = services.crisis_update_add(
            crisis=crisis,
            by=request.user,
            text_en=data["text_en"],
            text_nl=data["text_nl"],
            link=data["link"],
            image=data.get("image"),
            image_alt=data.get("image_alt", ""),
            alert=data["alert"],
            send_now=data["send"] == "now",
        )
    except services.CrisisError as error:
        _error(request, error)
    else:
        messages.success(request, _("Update %(number)s is out.") % {"number": update.number})
    return redirect("ambassadors:studio_crisis", pk=crisis.pk)


@comms_required
@require_POST
def update_alerts_cancel(request: SignedInRequest, pk: int, number: int) -> HttpResponse:
    update = get_object_or_404(CrisisUpdate, crisis_id=pk, number=number)
    try:
        services.crisis_update_alerts_cancel(update=update, by=request.user)
    except services.CrisisError as error:
        _error(request, error)
    else:
        messages.success(request, _("The messages for this update were stopped."))
    return redirect("ambassadors:studio_crisis", pk=pk)


@comms_required
@require_POST
def crisis_close(request: SignedInRequest, pk: int) -> HttpResponse:
    crisis = _crisis(pk)
    form = CloseForm(request.POST)
    resume = form.is_valid() and form.cleaned_data["resume_content"]
    try:
        report = services.crisis_close(crisis=crisis, by=request.user, resume_content=resume)
    except services.CrisisError as error:
        _error(request, error)
        return redirect("ambassadors:studio_crisis", pk=crisis.pk)
    messages.success(request, _("The crisis is closed. The public page says it is resolved."))
    if report is not None:
        return render(
            request, "studio/crisis/resumed.html", {"studio_section": SECTION, "report": report}
        )
    return redirect("ambassadors:studio_crisis_report", pk=crisis.pk)


@comms_required
def report(request: SignedInRequest, pk: int) -> HttpResponse:
    crisis = _crisis(pk)
    result = crisis_report(crisis=crisis)
    problems = (
        CrisisAlertDelivery.objects.filter(
            update__crisis=crisis, status__in=[DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN]
        )
        .select_related("ambassador__user", "update")
        .order_by("update__number", "pk")[:100]
    )
    failed_posts = (
        WebhookPost.objects.filter(
            update__crisis=crisis,
            status__in=[WebhookPost.Status.FAILED, WebhookPost.Status.UNKNOWN],
        )
        .select_related("webhook", "update")
        .order_by("update__number", "pk")
    )
    return render(
        request,
        "studio/crisis/report.html",
        {
            "studio_section": SECTION,
            "crisis": crisis,
            "report": result,
            "problems": problems,
            "failed_posts": failed_posts,
        },
    )


@comms_required
def report_csv(request: SignedInRequest, pk: int) -> HttpResponseBase:
    crisis = _crisis(pk)
    return csv_response(
        filename=f"crisis-{crisis.slug}",
        headers=CSV_HEADER,
        rows=crisis_report_rows(crisis_report(crisis=crisis)),
    )


@comms_required
def site_preview(request: SignedInRequest, pk: int) -> HttpResponse:
    """The dark site as it will look, for comms only, never indexed or cached."""
    crisis = _crisis(pk)
    language = translation.get_language() or "en"
    response = render(
        request,
        "crisis/site.html",
        dark_site_context(crisis=crisis, language=language, preview=True),
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


# --- Pause ----------------------------------------------------------------------------------


@comms_required
@require_POST
def pause_start(request: SignedInRequest) -> HttpResponse:
    form = PauseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.content_pause_start(by=request.user, reason=reason)
    except services.CrisisError as error:
        _error(request, error)
    else:
        messages.success(
            request, _("Other content is paused. Planned posts and weekly e-mails wait.")
        )
    return redirect("ambassadors:studio_crisis_home")


@comms_required
@require_POST
def pause_resume(request: SignedInRequest) -> HttpResponse:
    try:
        result = services.content_pause_resume(by=request.user)
    except services.CrisisError as error:
        _error(request, error)
        return redirect("ambassadors:studio_crisis_home")
    return render(
        request, "studio/crisis/resumed.html", {"studio_section": SECTION, "report": result}
    )


# --- Webhooks -------------------------------------------------------------------------------


@comms_required
def webhooks(request: SignedInRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hook = form.save(commit=False)
        hook.created_by = request.user
        hook.save()
        messages.success(request, _("Connected: %(name)s") % {"name": hook.name})
        return redirect("ambassadors:studio_crisis_webhooks")
    hooks = Webhook.objects.annotate(
        sent=Count("posts", filter=Q(posts__status=WebhookPost.Status.SENT)),
        failed=Count(
            "posts",
            filter=Q(posts__status__in=[WebhookPost.Status.FAILED, WebhookPost.Status.UNKNOWN]),
        ),
    )
    return render(
        request,
        "studio/crisis/webhooks.html",
        {"studio_section": SECTION, "form": form, "hooks": hooks},
    )


@comms_required
@require_POST
def webhook_toggle(request: SignedInRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    Webhook.objects.filter(pk=hook.pk).update(is_active=not hook.is_active)
    return redirect("ambassadors:studio_crisis_webhooks")


@comms_required
@require_POST
def webhook_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    hook.delete()
    messages.success(request, _("Removed: %(name)s") % {"name": hook.name})
    return redirect("ambassadors:studio_crisis_webhooks")


# --- Public dark site -----------------------------------------------------------------------


def _cached_response(request: HttpRequest, page: CachedPage | None) -> HttpResponse:
    if page is None:
        raise Http404
    if request.META.get("HTTP_IF_NONE_MATCH") == page.etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(page.body, content_type=page.content_type)
    response["ETag"] = page.etag
    response["Last-Modified"] = page.last_modified
    # Short while live (updates must show quickly), longer once resolved; a CDN may serve a
    # stale copy while it fetches a new one, or when we are down.
    max_age = 300 if page.closed else 30
    response["Cache-Control"] = (
        f"public, max-age={max_age}, stale-while-revalidate=60, stale-if-error=86400"
    )
    return response


@require_safe
def dark_site(request: HttpRequest, slug: str) -> HttpResponse:
    """Public, cached per language until the next update: no SQL when warm."""
    page = dark_site_cached(slug=slug, language=translation.get_language() or "en")
    return _cached_response(request, page)


@require_safe
def dark_site_feed(request: HttpRequest, slug: str) -> HttpResponse:
    page = dark_site_cached(slug=slug, language=translation.get_language() or "en", kind="feed")
    return _cached_response(request, page)

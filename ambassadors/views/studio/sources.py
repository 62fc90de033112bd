"""Studio pages for content sources and monitoring: the ideas inbox, sources, watched terms,
and the link preview the item form asks for while comms type."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ...fetching import FetchError, FetchRefused, check_url
from ...forms.ambassador import order_names_for_reader
from ...models import Language, Source, SourceEntry, Topic, WatchTerm
from ...sources.inbox import (
    InboxError,
    InboxFilters,
    ideas_inbox,
    source_entry_dismiss,
    source_entry_draft,
)
from ...sources.polling import source_poll
from ...sources.previews import link_preview
from ..access import SignedInRequest, comms_required

PAGE_SIZE = 50


class SourceForm(forms.ModelForm):
    url = forms.URLField(
        label=gettext_lazy("Feed address"),
        max_length=1000,
        assume_scheme="https",
        help_text=gettext_lazy("The address of the RSS or Atom feed, starting with https://."),
    )

    class Meta:
        model = Source
        fields = [
            "name",
            "url",
            "language",
            "topics",
            "interval_minutes",
            "auto_draft",
            "is_active",
        ]
        widgets = {"topics": forms.CheckboxSelectMultiple}
        help_texts = {
            "url": gettext_lazy("The address of the RSS or Atom feed, starting with https://.")
        }

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        try:
            check_url(url)
        except FetchRefused as error:
            raise ValidationError(error.message) from None
        return url

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order_names_for_reader(self)


class WatchTermForm(forms.ModelForm):
    class Meta:
        model = WatchTerm
        fields = ["term", "language", "is_alert"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [("", _("Every language")), *Language.choices]

    def clean_term(self) -> str:
        term = " ".join(self.cleaned_data["term"].split())
        if not any(ch.isalnum() for ch in term):
            raise ValidationError(_("Use at least one letter or number."))
        return term

    def validate_unique(self) -> None:
        term, language = self.cleaned_data.get("term"), self.cleaned_data.get("language", "")
        if term and WatchTerm.objects.filter(term__iexact=term, language=language).exists():
            self.add_error("term", _("You already watch this term."))


class InboxFilterForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=gettext_lazy("All topics"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("All languages")), *Language.choices],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("new", gettext_lazy("New")),
            ("done", gettext_lazy("Handled")),
            ("all", gettext_lazy("Everything")),
        ],
    )
    watched = forms.BooleanField(label=gettext_lazy("Only with watched terms"), required=False)

    def __init__(self, *args: Any, sources: list[Source], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order_names_for_reader(self)
        self.sources = {str(s.pk): s for s in sources}
        cast(forms.ChoiceField, self.fields["source"]).choices = [
            ("", _("All sources and suggestions")),
            ("suggestions", _("Suggestions from colleagues")),
            *[(str(s.pk), s.name) for s in sources],
        ]

    def filters(self) -> InboxFilters:
        if not self.is_valid():
            return InboxFilters()
        data = self.cleaned_data
        source = data["source"]
        return InboxFilters(
            source=self.sources.get(source) or (source or None),
            topic=data["topic"],
            language=data["language"],
            state=data["state"] or "new",
            watched_only=data["watched"],
        )


@comms_required
def ideas(request: SignedInRequest) -> HttpResponse:
    sources = list(Source.objects.order_by("name", "pk"))
    form = InboxFilterForm(request.GET or None, sources=sources)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    rows = ideas_inbox(filters=form.filters(), limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "studio/sources/ideas.html",
        {
            "studio_section": "ideas",
            "form": form,
            "rows": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "query": query.urlencode(),
            "has_sources": bool(sources),
        },
    )


def _back_to_inbox(request: SignedInRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    url = "/studio/ideas/"
    # Only our own query string is echoed back: no scheme, host or path can sneak in.
    if query and all(ch not in query for ch in "/\\:\r\n"):
        url += "?" + query
    return redirect(url)


@comms_required
@require_POST
def idea_draft(request: SignedInRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(SourceEntry.objects.select_related("source"), pk=pk)
    try:
        item = source_entry_draft(entry=entry, by=request.user)
    except InboxError as error:
        messages.error(request, error.message)
        return _back_to_inbox(request)
    messages.success(request, _("Draft made. Check it, then send it for review."))
    return redirect("ambassadors:studio_item_edit", pk=item.pk)


@comms_required
@require_POST
def idea_dismiss(request: SignedInRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(SourceEntry, pk=pk)
    try:
        source_entry_dismiss(entry=entry, by=request.user)
    except InboxError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Dismissed: “%(title)s”.") % {"title": entry.title})
    return _back_to_inbox(request)


def _poll_message(request: SignedInRequest, source: Source) -> None:
    from ...tasks import enqueue_term_alerts

    result = source_poll(source_id=source.pk, on_alerts=enqueue_term_alerts)
    source.refresh_from_db()
    if result.outcome == "new":
        count = len(result.new_entry_ids)
        messages.success(
            request,
            ngettext(
                "Checked “%(name)s”: %(count)s new entry.",
                "Checked “%(name)s”: %(count)s new entries.",
                count,
            )
            % {"name": source.name, "count": count},
        )
    elif result.outcome == "not_modified":
        messages.success(request, _("Checked “%(name)s”: nothing new.") % {"name": source.name})
    elif result.outcome in ("error", "gone"):
        messages.error(
            request,
            _("“%(name)s” has a problem: %(message)s")
            % {"name": source.name, "message": result.message},
        )


@comms_required
def sources(request: SignedInRequest) -> HttpResponse:
    """The list with each source's health, and the form to add one (checked at once, so a
    wrong address shows its problem straight away)."""
    if request.method == "POST":
        form = SourceForm(request.POST)
        if form.is_valid():
            source = form.save(commit=False)
            source.created_by = request.user
            source.save()
            form.save_m2m()
            messages.success(request, _("Source added."))
            _poll_message(request, source)
            return redirect("ambassadors:studio_sources")
    else:
        form = SourceForm()
    rows = Source.objects.annotate(
        new_count=Count("entries", filter=Q(entries__status=SourceEntry.Status.NEW))
    ).prefetch_related(Prefetch("topics", queryset=Topic.objects.by_label()))
    return render(
        request,
        "studio/sources/sources.html",
        {"studio_section": "sources", "form": form, "sources": rows},
    )


@comms_required
def source_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        url_changed = "url" in form.changed_data
        source = form.save(commit=False)
        if url_changed:
            source.etag = source.last_modified = ""
            source.next_poll_at = None
        source.save()
        form.save_m2m()
        messages.success(request, _("Changes saved."))
        return redirect("ambassadors:studio_sources")
    return render(
        request,
        "studio/sources/source_form.html",
        {"studio_section": "sources", "form": form, "source": source},
    )


@comms_required
@require_POST
def source_check(request: SignedInRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    if not source.is_active:
        messages.error(request, _("This source is switched off. Switch it on to check it."))
    else:
        _poll_message(request, source)
    return redirect("ambassadors:studio_sources")


@comms_required
@require_POST
def source_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    """Removes the source and its entries; drafts already made from them stay."""
    source = get_object_or_404(Source, pk=pk)
    source.delete()
    messages.success(request, _("Source “%(name)s” removed.") % {"name": source.name})
    return redirect("ambassadors:studio_sources")


@comms_required
def watch_terms(request: SignedInRequest) -> HttpResponse:
    form = WatchTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Now watching “%(term)s”.") % {"term": form.instance.term})
        return redirect("ambassadors:studio_watch_terms")
    return render(
        request,
        "studio/sources/watch_terms.html",
        {"studio_section": "watch", "form": form, "terms": WatchTerm.objects.all()},
    )


@comms_required
@require_POST
def watch_term_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(WatchTerm, pk=pk)
    term.delete()
    messages.success(request, _("Stopped watching “%(term)s”.") % {"term": term.term})
    return redirect("ambassadors:studio_watch_terms")


@comms_required
@require_POST
def preview(request: SignedInRequest) -> HttpResponse:
    """htmx: the preview of the link in the item form (title, summary, picture to use)."""
    url = (request.POST.get("link") or "").strip()
    context: dict = {"url": url}
    if url:
        try:
            context["preview"] = link_preview(url=url)
        except FetchError as error:
            context["problem"] = error.message
    return render(request, "studio/sources/_link_preview.html", context)

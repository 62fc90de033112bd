"""The audit trail in the studio: browse, filter and download (CSV) every recorded step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...audit import change_rows, field_label, value_display
from ...models import AuditEvent
from ...reporting.exports import csv_response
from ..access import comms_required

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[("", gettext_lazy("Everything")), *AuditEvent.Action.choices],
    )
    who = forms.CharField(label=gettext_lazy("Who (e-mail)"), required=False, max_length=254)
    item = forms.IntegerField(label=gettext_lazy("Item number"), required=False, min_value=1)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def audit_events(filters: AuditFilterForm) -> QuerySet[AuditEvent]:
    """Newest first, narrowed by the valid filters (dates are whole days, local time)."""
    events = AuditEvent.objects.all()
    if not filters.is_valid():
        return events.order_by("-at", "-pk")
    data = filters.cleaned_data
    if data["action"]:
        events = events.filter(action=data["action"])
    if data["who"]:
        events = events.filter(actor_label__icontains=data["who"].strip())
    if data["item"]:
        events = events.filter(item_id=data["item"])
    if data["q"]:
        q = data["q"].strip()
        events = events.filter(Q(object_label__icontains=q) | Q(note__icontains=q))
    tz = timezone.get_current_timezone()
    if data["start"]:
        events = events.filter(at__gte=datetime.combine(data["start"], time.min, tzinfo=tz))
    if data["end"]:
        end = datetime.combine(data["end"] + timedelta(days=1), time.min, tzinfo=tz)
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-pk")


@comms_required
def audit_page(request: HttpRequest) -> HttpResponse:
    filters = AuditFilterForm(request.GET or None)
    page = Paginator(audit_events(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "studio/audit/audit.html",
        {
            "studio_section": "audit",
            "filters": filters,
            "page": page,
            "rows": [(event, change_rows(event)) for event in page.object_list],
            "query": query.urlencode(),
        },
    )


@comms_required
def audit_csv(request: HttpRequest) -> HttpResponseBase:
    """The filtered trail, one line per changed field (an event without changes: one line)."""
    events = audit_events(AuditFilterForm(request.GET or None))

    def rows() -> Iterator[list[Any]]:
        for event in events.iterator(chunk_size=500):
            base = [
                event.at.astimezone(timezone.get_current_timezone()),
                event.actor_label,
                event.get_action_display(),
                event.object_type,
                event.object_id,
                event.object_label,
                event.note,
            ]
            if not event.changes:
                yield [*base, "", "", ""]
            for name, values in event.changes.items():
                yield [
                    *base,
                    field_label(event.object_type, name),
                    value_display(event.object_type, name, values.get("old")),
                    value_display(event.object_type, name, values.get("new")),
                ]

    return csv_response(
        filename="audit-trail.csv",
        headers=[
            _("When"),
            _("Who"),
            _("What"),
            _("Object type"),
            _("Object number"),
            _("Object"),
            _("Note"),
            _("Field"),
            _("Before"),
            _("After"),
        ],
        rows=rows(),
    )

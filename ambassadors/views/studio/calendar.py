"""The content calendar page (month and week), and the private iCalendar feed."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...forms.ambassador import order_names_for_reader
from ...models import CalendarToken, Language, Topic
from ...publishing.calendar import (
    calendar_entries,
    calendar_token_reset,
    calendar_token_revoke,
    calendar_token_user,
    kind_label,
    local_midnight,
    month_weeks,
    week_days,
)
from ...publishing.calendar import calendar_ics as build_ics
from ...publishing.selectors import WEEKLY_ITEMS_HINT, items_week_volume
from ..access import SignedInRequest, comms_required


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[("month", gettext_lazy("Month")), ("week", gettext_lazy("Week"))],
    )
    date = forms.DateField(
        label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order_names_for_reader(self)


@comms_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    filters = CalendarFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    now = timezone.now()
    today = timezone.localdate(now)
    anchor = data.get("date") or today
    view = data.get("view") or "month"
    if view == "week":
        weeks = [week_days(anchor)]
        previous, following = anchor - timedelta(days=7), anchor + timedelta(days=7)
    else:
        weeks = month_weeks(anchor)
        first = anchor.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
    start, end = local_midnight(weeks[0][0]), local_midnight(weeks[-1][-1] + timedelta(days=1))
    entries = calendar_entries(
        start=start,
        end=end,
        now=now,
        topic=data.get("topic"),
        language=data.get("language") or "",
    )
    by_day: dict[date, list] = defaultdict(list)
    for entry in entries:
        by_day[entry.day].append({"entry": entry, "label": kind_label(entry.kind)})
    rows = []
    for week in weeks:
        going_live = sum(
            1 for day in week for e in by_day[day] if e["entry"].kind in ("live", "scheduled")
        )
        rows.append(
            {
                "days": [
                    {
                        "date": day,
                        "entries": by_day[day],
                        "today": day == today,
                        "other_month": view == "month" and day.month != anchor.month,
                    }
                    for day in week
                ],
                "going_live": going_live,
                "too_many": going_live > WEEKLY_ITEMS_HINT,
            }
        )
    query = request.GET.copy()
    for name in ("date", "view"):
        query.pop(name, None)
    return render(
        request,
        "studio/calendar/calendar.html",
        {
            "studio_section": "calendar",
            "filters": filters,
            "view": view,
            "anchor": anchor,
            "weeks": rows,
            "previous": previous,
            "following": following,
            "today": today,
            "volume": items_week_volume(now=now),
            "hint": WEEKLY_ITEMS_HINT,
            "query": query.urlencode(),
        },
    )


@comms_required
def feed_settings(request: SignedInRequest) -> HttpResponse:
    """Create, reset or revoke your private feed address (POST); the address is shown once."""
    feed_url = None
    if request.method == "POST":
        if "revoke" in request.POST:
            if calendar_token_revoke(user=request.user):
                messages.success(request, _("Your calendar address no longer works."))
            return redirect("ambassadors:studio_calendar_feed")
        secret = calendar_token_reset(user=request.user)
        feed_url = request.build_absolute_uri(
            reverse("ambassadors:studio_calendar_ics", args=[secret])
        )
    token = CalendarToken.objects.filter(user=request.user).first()
    return render(
        request,
        "studio/calendar/feed.html",
        {"studio_section": "calendar", "feed_url": feed_url, "token": token},
    )


def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """No login (calendar apps cannot sign in): the private token is the key. Unknown,
    revoked or no longer comms: 404, the same answer for all."""
    if calendar_token_user(token) is None:
        raise Http404
    response = HttpResponse(build_ics(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="content-calendar.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response

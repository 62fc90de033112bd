"""Drill-downs from the reports: one item, one department, one network (comms only).

Each page takes the same period filters as the reports page (links from a report row
carry them along) and runs a fixed number of queries whatever the amount of data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..forms.reports import PRESET_LABELS, PeriodForm
from ..models import Department, Item, Network
from ..reporting import drilldowns
from ..reporting.charts import bar_chart, horizontal_bar_chart
from ..reporting.periods import Period
from ..reporting.tables import (
    Table,
    bucket_header,
    bucket_label,
    department_label,
    item_label,
    network_label,
    network_link,
)
from .access import SignedInRequest, comms_required
from .reports import _with_default_period


def _metric_headers() -> list[str]:
    return [_("Shares"), _("Clicks"), _("Unique clicks")]


def _metrics(row: Mapping[str, Any]) -> list[int]:
    return [row["shares"], row["clicks"], row["unique_clicks"]]


def _over_time_table(
    period: Period,
    over_time: Sequence[Mapping[str, Any]],
    extra_headers: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> Table:
    rows = [
        [bucket_label(row["bucket"], period.granularity), *_metrics(row)]
        + [row[key] for key in extra]
        for row in over_time
    ]
    headers = [bucket_header(period.granularity), *_metric_headers(), *extra_headers]
    return Table("over-time", _("Shares and clicks over time"), headers, rows, download=False)


def _time_charts(
    period: Period, over_time: Sequence[Mapping[str, Any]], prefix: str
) -> list[tuple[SafeString, str]]:
    """(chart, visible caption) pairs for shares and clicks over time."""
    labels = [bucket_label(row["bucket"], period.granularity) for row in over_time]
    charts = (
        (
            "shares",
            _("Shares over time"),
            _("Bar chart of shares per period. The same numbers are in the table."),
            _("Shares"),
        ),
        (
            "clicks",
            _("Clicks over time"),
            _("Bar chart of clicks per period. The same numbers are in the table."),
            _("Clicks"),
        ),
    )
    return [
        (
            bar_chart(
                chart_id=f"{prefix}-{metric}",
                title=title,
                description=description,
                labels=labels,
                values=[row[metric] for row in over_time],
                series_class=f"chart-bar chart-{metric}",
            ),
            caption,
        )
        for metric, title, description, caption in charts
    ]


def _period_or_400(
    request: HttpRequest, template: str, context: dict[str, Any]
) -> Period | HttpResponse:
    form = PeriodForm(_with_default_period(request.GET))
    context["form"] = form
    context["studio_section"] = "reports"
    if not form.is_valid():
        return render(request, template, context, status=400)
    period = form.cleaned_data["report_period"]
    context.update(
        period=period,
        preset_label=PRESET_LABELS.get(period.preset, ""),
        query=form.query_string(),
    )
    return period


@comms_required
def item_report(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.only("pk", "title", "slug", "status"), pk=pk)
    template = "studio/reports/item.html"
    context = {"item": item, "form_action": request.path}
    period = _period_or_400(request, template, context)
    if isinstance(period, HttpResponse):
        return period
    numbers = drilldowns.item_report(item_id=item.pk, period=period)
    networks = numbers["networks"]
    context.update(
        totals=numbers["totals"],
        charts=_time_charts(period, numbers["over_time"], "item"),
        networks_chart=horizontal_bar_chart(
            chart_id="item-networks",
            title=_("Shares by network"),
            description=_("Bar chart of shares per network. The same numbers are in the table."),
            labels=[network_label(row["k0"]) for row in networks],
            values=[row["shares"] for row in networks],
            series_class="chart-bar chart-shares",
        ),
        sections=[
            _over_time_table(period, numbers["over_time"]),
            _breakdown(
                "networks",
                _("By network"),
                _("Network"),
                [(network_link(row["k0"]), row) for row in networks],
            ),
            _breakdown(
                "departments",
                _("By department"),
                _("Department"),
                [(department_label(row), row) for row in numbers["departments"]],
            ),
            _breakdown(
                "people",
                _("Top ambassadors"),
                _("Ambassador"),
                [(row["name"], row) for row in numbers["people"]],
            ),
        ],
    )
    return render(request, template, context)


@comms_required
def department_report(request: SignedInRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk)
    template = "studio/reports/department.html"
    context = {"department": department, "form_action": request.path}
    period = _period_or_400(request, template, context)
    if isinstance(period, HttpResponse):
        return period
    numbers = drilldowns.department_report(department_id=department.pk, period=period)
    over_time = numbers["over_time"]
    labels = [bucket_label(row["bucket"], period.granularity) for row in over_time]
    context.update(
        totals=numbers["totals"],
        participation=numbers["participation"],
        charts=[
            (
                bar_chart(
                    chart_id="department-sharers",
                    title=_("Ambassadors who shared"),
                    description=_(
                        "Bar chart of ambassadors who shared per period. "
                        "The same numbers are in the table."
                    ),
                    labels=labels,
                    values=[row["sharers"] for row in over_time],
                    series_class="chart-bar chart-shares",
                ),
                _("Ambassadors who shared"),
            ),
            *_time_charts(period, over_time, "department"),
        ],
        sections=[
            _over_time_table(
                period,
                over_time,
                extra_headers=[_("Ambassadors who shared"), _("Joined")],
                extra=("sharers", "joined"),
            ),
            _breakdown(
                "items",
                _("Top items"),
                _("Item"),
                [(item_label(row), row) for row in numbers["items"]],
            ),
        ],
    )
    return render(request, template, context)


def _breakdown(name: str, title: str, header: str, rows: list) -> Table:
    """A drill-down table of (label, numbers row) pairs: shares and clicks per label, shown on
    the page only (the report itself has the CSVs)."""
    return Table(
        name,
        title,
        [header, *_metric_headers()],
        [[label, *_metrics(row)] for label, row in rows],
        download=False,
    )


@comms_required
def network_report(request: SignedInRequest, network: str) -> HttpResponse:
    if network not in Network.values:
        raise Http404
    template = "studio/reports/network.html"
    context: dict[str, Any] = {
        "network_name": network_label(network),
        "form_action": request.path,
    }
    period = _period_or_400(request, template, context)
    if isinstance(period, HttpResponse):
        return period
    numbers = drilldowns.network_report(network=network, period=period)
    context.update(
        totals=numbers["totals"],
        charts=_time_charts(period, numbers["over_time"], "network"),
        sections=[
            _over_time_table(period, numbers["over_time"]),
            _breakdown(
                "items",
                _("Top items"),
                _("Item"),
                [(item_label(row), row) for row in numbers["items"]],
            ),
            _breakdown(
                "departments",
                _("By department"),
                _("Department"),
                [(department_label(row), row) for row in numbers["departments"]],
            ),
        ],
    )
    return render(request, template, context)


@comms_required
def report_emails(request: SignedInRequest) -> HttpResponse:
    """Subscribe to the weekly or monthly report e-mail, or stop it (POST, CSRF)."""
    from django.utils.translation import gettext_lazy

    from ..models import ReportSubscription
    from ..reporting.emails import report_subscription_set

    choices = [
        ("", gettext_lazy("No report e-mails")),
        *ReportSubscription.Frequency.choices,
    ]
    error = ""
    saved = False
    status = 200
    if request.method == "POST":
        frequency = request.POST.get("frequency", "")
        if frequency not in {value for value, _label in choices}:
            error = _("Choose one of the options.")
            status = 400
        else:
            report_subscription_set(user=request.user, frequency=frequency or None)
            saved = True
    current = (
        ReportSubscription.objects.filter(user=request.user)
        .values_list("frequency", flat=True)
        .first()
    ) or ""
    return render(
        request,
        "studio/reports/emails.html",
        {
            "studio_section": "reports",
            "choices": choices,
            "current": current,
            "saved": saved,
            "error": error,
        },
        status=status,
    )

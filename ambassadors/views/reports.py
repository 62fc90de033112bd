"""Reports for comms: one page of tables and charts, and a CSV download of each table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..forms.reports import PRESET_LABELS, PeriodForm
from ..reporting.charts import bar_chart, horizontal_bar_chart
from ..reporting.exports import csv_delimiter, csv_response
from ..reporting.periods import DEFAULT_PRESET
from ..reporting.sources import METRICS
from ..reporting.tables import SCREEN_TABLES, TABLES
from .access import SignedInRequest, comms_required


def _charts(rows: dict[str, list[list[Any]]]) -> dict[str, SafeString]:
    """The three SVG charts of the page, from the rows of its over-time and network tables."""
    over_time = rows["over-time"]
    labels = [getattr(row[0], "label", row[0]) for row in over_time]
    networks = rows["networks"]
    return {
        "shares_chart": bar_chart(
            chart_id="chart-shares",
            title=_("Shares over time"),
            description=_("Bar chart of shares per period. The same numbers are in the table."),
            labels=labels,
            values=[row[1] for row in over_time],
            series_class="chart-bar chart-shares",
        ),
        "clicks_chart": bar_chart(
            chart_id="chart-clicks",
            title=_("Clicks over time"),
            description=_("Bar chart of clicks per period. The same numbers are in the table."),
            labels=labels,
            values=[row[2] for row in over_time],
            series_class="chart-bar chart-clicks",
        ),
        "networks_chart": horizontal_bar_chart(
            chart_id="chart-networks",
            title=_("Shares by network"),
            description=_("Bar chart of shares per network. The same numbers are in the table."),
            labels=[row[0] for row in networks],
            values=[row[1] for row in networks],
            series_class="chart-bar chart-shares",
        ),
    }


def _totals(network_rows: Iterable[list[Any]]) -> dict[str, int]:
    """Every share and click has exactly one network, so the network table's lines add up
    to the totals: no second pass over a million clicks."""
    return {
        metric: sum(row[index] for row in network_rows)
        for index, metric in enumerate(METRICS, start=1)
    }


def _with_default_period(query: QueryDict) -> QueryDict:
    """Show the preset in use as selected when the page opens without a choice."""
    if query.get("period") or query.get("start") or query.get("end"):
        return query
    data = query.copy()
    data["period"] = DEFAULT_PRESET
    return data


@comms_required
def reports_page(request: SignedInRequest) -> HttpResponse:
    form = PeriodForm(_with_default_period(request.GET))
    context = {"form": form, "studio_section": "reports"}
    if not form.is_valid():
        return render(request, "studio/reports/reports.html", context, status=400)
    period = form.cleaned_data["report_period"]
    top = form.cleaned_data["top"]
    tables = {name: TABLES[name](period=period, top=top) for name in SCREEN_TABLES}
    rows: dict[str, list[list[Any]]] = {}
    for name, table in tables.items():
        table.rows = rows[name] = list(table.rows)
    context.update(
        period=period,
        preset_label=PRESET_LABELS.get(period.preset, ""),
        query=form.query_string(),
        sections=list(tables.values()),
        totals=_totals(rows["networks"]),
        participation=rows["participation"][0],
        **_charts(rows),
    )
    return render(request, "studio/reports/reports.html", context)


@comms_required
def report_csv(request: SignedInRequest, table: str) -> HttpResponse | StreamingHttpResponse:
    build = TABLES.get(table)
    if build is None:
        raise Http404
    form = PeriodForm(request.GET)
    if not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    period = form.cleaned_data["report_period"]
    result = build(period=period, top=form.cleaned_data["top"])
    return csv_response(
        filename=f"{result.name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}",
        headers=result.headers,
        rows=result.rows,
        delimiter=csv_delimiter(language=get_language(), choice=request.GET.get("sep", "")),
    )

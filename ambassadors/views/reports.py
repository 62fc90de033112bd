"""Reports for comms: one page of tables and charts, and a CSV download of each table."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ..charts import bar_chart, horizontal_bar_chart
from ..csv_export import csv_delimiter, csv_response
from ..report_tables import SCREEN_TABLES, TABLES
from ..reports import DEFAULT_PRESET, MAX_PERIOD_DAYS, METRICS, Period, period_for_preset
from .access import comms_required

PRESET_LABELS = {
    "7d": gettext_lazy("Last 7 days"),
    "30d": gettext_lazy("Last 30 days"),
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "this_quarter": gettext_lazy("This quarter"),
    "this_year": gettext_lazy("This year"),
    "custom": gettext_lazy("Choose dates"),
}


# Far-off dates overflow date arithmetic; nothing happened before 2000 or after 2100.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=list(PRESET_LABELS.items()), required=False
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    top = forms.TypedChoiceField(
        label=gettext_lazy("Items in the top list"),
        choices=[("10", "10"), ("50", "50"), ("0", gettext_lazy("All"))],
        coerce=int,
        required=False,
        empty_value=10,
    )

    def clean(self):
        data = super().clean()
        preset = data.get("period") or ""
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if preset == "custom" or (not preset and (start or end)):
            if not start or not end:
                raise forms.ValidationError(_("Choose a start date and an end date."))
            if start > end:
                raise forms.ValidationError(_("The start date must be before the end date."))
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of five years or less."))
            if start.year < EARLIEST_YEAR or end.year > LATEST_YEAR:
                raise forms.ValidationError(
                    _("Choose dates between %(first)s and %(last)s.")
                    % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
                )
            data["report_period"] = Period(start, end)
        else:
            data["report_period"] = period_for_preset(preset or DEFAULT_PRESET)
        return data

    def query_string(self) -> str:
        """The cleaned filters as a query string, so CSV links repeat them exactly."""
        period: Period = self.cleaned_data["report_period"]
        params = {"period": period.preset}
        if period.preset == "custom":
            params.update(start=period.start.isoformat(), end=period.end.isoformat())
        params["top"] = self.cleaned_data["top"]
        return urlencode(params)


def _charts(tables) -> dict:
    over_time = tables["over-time"].rows
    labels = [getattr(row[0], "label", row[0]) for row in over_time]
    networks = tables["networks"].rows
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


def _totals(network_rows) -> dict[str, int]:
    """Every share and click has exactly one network, so the network table's lines add up
    to the totals: no second pass over a million clicks."""
    return {
        metric: sum(row[index] for row in network_rows)
        for index, metric in enumerate(METRICS, start=1)
    }


def _with_default_period(query):
    """Show the preset in use as selected when the page opens without a choice."""
    if query.get("period") or query.get("start") or query.get("end"):
        return query
    data = query.copy()
    data["period"] = DEFAULT_PRESET
    return data


@comms_required
def reports_page(request):
    form = PeriodForm(_with_default_period(request.GET))
    context = {"form": form, "studio_section": "reports"}
    if not form.is_valid():
        return render(request, "studio/reports/reports.html", context, status=400)
    period = form.cleaned_data["report_period"]
    top = form.cleaned_data["top"]
    tables = {name: TABLES[name](period=period, top=top) for name in SCREEN_TABLES}
    for table in tables.values():
        table.rows = list(table.rows)
    context.update(
        period=period,
        preset_label=PRESET_LABELS.get(period.preset, ""),
        query=form.query_string(),
        sections=list(tables.values()),
        totals=_totals(tables["networks"].rows),
        participation=tables["participation"].rows[0],
        **_charts(tables),
    )
    return render(request, "studio/reports/reports.html", context)


@comms_required
def report_csv(request, table: str):
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

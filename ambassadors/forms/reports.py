"""The filters of the comms report pages: which period (a preset or chosen dates) and how
long the top list is. Shared by the reports page, its CSV downloads and the drill-down
pages, so a CSV link repeats the page's filters exactly."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..reporting.periods import DEFAULT_PRESET, MAX_PERIOD_DAYS, Period, period_for_preset

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
        empty_value=10,  # type: ignore[arg-type]  # any value works; the stubs say str
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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

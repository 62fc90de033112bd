from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..membership import ambassador_for
from ..reporting.charts import bar_chart
from ..reporting.drilldowns import impact_trend
from ..reporting.impact import impact_for
from ..reporting.tables import network_label
from .access import SignedInRequest


@login_required
def my_impact(request: SignedInRequest) -> HttpResponse:
    """My shares and the clicks on my links, and both per month over the last year; a
    fixed number of queries however much I shared. Also for people who left the programme:
    what they did stays theirs to see (and links they posted keep counting clicks)."""
    ambassador = ambassador_for(request.user)
    if ambassador is None:
        return redirect("ambassadors:join")
    impact = impact_for(ambassador=ambassador)
    for row in impact["rows"]:
        row["network"] = network_label(row["k1"])
    trend = impact_trend(ambassador_id=ambassador.pk)
    for row in trend:
        row["label"] = row["bucket"].strftime("%Y-%m")
    labels = [row["label"] for row in trend]
    charts = [
        bar_chart(
            chart_id="impact-shares",
            title=_("My shares per month"),
            description=_("Bar chart of your shares per month. The same numbers are in the table."),
            labels=labels,
            values=[row["shares"] for row in trend],
            series_class="chart-bar chart-shares",
        ),
        bar_chart(
            chart_id="impact-clicks",
            title=_("Clicks on my links per month"),
            description=_(
                "Bar chart of clicks on your links per month. The same numbers are in the table."
            ),
            labels=labels,
            values=[row["clicks"] for row in trend],
            series_class="chart-bar chart-clicks",
        ),
    ]
    return render(
        request,
        "ambassadors/impact/impact.html",
        {
            "impact": impact,
            "has_left": not ambassador.is_active,
            "trend": trend,
            "trend_charts": charts,
        },
    )

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ..membership import ambassador_for
from ..report_tables import network_label
from ..reports import impact_for


@login_required
def my_impact(request):
    """My shares and the clicks on my links; a fixed number of queries however much I shared.
    Also for people who left the programme: what they did stays theirs to see (and links
    they posted keep counting clicks)."""
    ambassador = ambassador_for(request.user)
    if ambassador is None:
        return redirect("ambassadors:join")
    impact = impact_for(ambassador=ambassador)
    for row in impact["rows"]:
        row["network"] = network_label(row["k1"])
    return render(
        request,
        "ambassadors/impact/impact.html",
        {"impact": impact, "has_left": not ambassador.is_active},
    )

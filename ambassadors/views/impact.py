from django.shortcuts import render

from ..report_tables import network_label
from ..reports import impact_for
from .access import ambassador_required


@ambassador_required
def my_impact(request):
    """My shares and the clicks on my links; a fixed number of queries however much I shared."""
    impact = impact_for(ambassador=request.ambassador)
    for row in impact["rows"]:
        row["network"] = network_label(row["k1"])
    return render(request, "ambassadors/impact/impact.html", {"impact": impact})

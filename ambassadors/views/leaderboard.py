from django.http import HttpResponse
from django.shortcuts import render

from ..reporting.leaderboard import METRICS, SCOPES, ambassador_board, department_board
from .access import AmbassadorRequest, ambassador_required


@ambassador_required
def leaderboard_page(request: AmbassadorRequest) -> HttpResponse:
    scope = request.GET.get("period")
    scope = scope if scope in SCOPES else "month"
    metric = request.GET.get("by")
    metric = metric if metric in METRICS else "shares"
    ambassador = request.ambassador
    return render(
        request,
        "ambassadors/leaderboard/leaderboard.html",
        {
            "scope": scope,
            "metric": metric,
            "board": ambassador_board(ambassador=ambassador, scope=scope, metric=metric),
            "departments": department_board(ambassador=ambassador, scope=scope, metric=metric),
            "named": ambassador.leaderboard_visible,
        },
    )

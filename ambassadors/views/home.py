from typing import cast

from django.http import HttpResponse
from django.shortcuts import render

from ..membership import ambassador_for, current_guidelines
from .access import AmbassadorRequest, HtmxRequest
from .feed import feed


def home(request: HtmxRequest) -> HttpResponse:
    """One address, three audiences: visitors, employees who have not joined, ambassadors."""
    if not request.user.is_authenticated:
        return render(request, "ambassadors/home/landing.html")
    ambassador = ambassador_for(request.user)
    if ambassador is None or not ambassador.is_active:
        return render(
            request,
            "ambassadors/home/invitation.html",
            {"member": ambassador, "guidelines": current_guidelines()},
        )
    opted_in = cast(AmbassadorRequest, request)  # signed in, and now with the ambassador
    opted_in.ambassador = ambassador
    return feed(opted_in)

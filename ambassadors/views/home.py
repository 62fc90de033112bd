from django.shortcuts import render

from ..membership import ambassador_for, current_guidelines
from .feed import feed


def home(request):
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
    request.ambassador = ambassador
    return feed(request)

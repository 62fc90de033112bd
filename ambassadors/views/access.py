"""Access decorators every view uses: who may see what."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from ..membership import ambassador_for
from ..models import Ambassador, User


class HtmxRequest(HttpRequest):
    """A request that went through django-htmx's middleware (every request does)."""

    htmx: HtmxDetails


class SignedInRequest(HtmxRequest):
    """The request a view behind ``login_required`` or ``comms_required`` gets (for type
    checking only: Django builds a plain HttpRequest)."""

    user: User


class AmbassadorRequest(SignedInRequest):
    """The request a view behind ``ambassador_required`` gets."""

    ambassador: Ambassador


def ambassador_required(view):
    """Signed in and opted in. The ambassador is passed on as ``request.ambassador``, so
    views fetch what belongs to someone through it (no IDOR by construction)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        ambassador = ambassador_for(request.user)
        if ambassador is None or not ambassador.is_active:
            return redirect("ambassadors:join")
        request.ambassador = ambassador
        return view(request, *args, **kwargs)

    return wrapper


def comms_required(view):
    """Comms only: anonymous users go to the login page, everyone else gets 403."""
    return login_required(
        permission_required("ambassadors.publish_item", raise_exception=True)(view)
    )

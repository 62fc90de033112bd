"""Access decorators every view uses: who may see what."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponseBase
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


View = Callable[..., HttpResponseBase]


def ambassador_required(view: View) -> View:
    """Signed in and opted in. The ambassador is passed on as ``request.ambassador``, so
    views fetch what belongs to someone through it (no IDOR by construction)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        ambassador = ambassador_for(request.user)
        if ambassador is None or not ambassador.is_active:
            return redirect("ambassadors:join")
        opted_in = cast(AmbassadorRequest, request)
        opted_in.ambassador = ambassador
        return view(opted_in, *args, **kwargs)

    return wrapper


def comms_required(view: View) -> View:
    """Comms only: anonymous users go to the login page, everyone else gets 403."""
    return login_required(
        permission_required("ambassadors.publish_item", raise_exception=True)(view)
    )

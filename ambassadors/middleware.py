"""Request policy that needs the signed-in user: their language, and MFA for staff."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils import translation

from .membership import ambassador_for

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class UserLanguageMiddleware:
    """The user's own setting wins over the switcher's cookie and Accept-Language."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        ambassador = ambassador_for(request.user)
        if ambassador is not None and ambassador.language:
            translation.activate(ambassador.language)
            request.LANGUAGE_CODE = ambassador.language
        return self.get_response(request)


MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/media/")


class RequireMFAMiddleware:
    """With MFA_REQUIRED_FOR_STAFF on, comms and admins must set up a second factor
    before they can use anything but the account pages."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.MFA_REQUIRED_FOR_STAFF and self._must_enrol(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request: HttpRequest) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(MFA_EXEMPT_PREFIXES):
            return False
        if not (user.is_superuser or user.is_staff or user.is_comms):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user).exists()

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from ..health import health_report
from ..membership import ambassador_for


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Every check, for monitors: 503 when a critical one fails (ambassadors/health.py)."""
    report = health_report(scope="all")
    return JsonResponse(report.as_json(), status=report.http_status)


@never_cache
def healthz_web(request: HttpRequest) -> HttpResponse:
    """What this web process needs to serve pages, for load balancers: a dead worker must
    not take the web servers out of rotation."""
    report = health_report(scope="web")
    return JsonResponse(report.as_json(), status=report.http_status)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The switcher: also stores the choice on the ambassador, whose setting wins."""
    ambassador = ambassador_for(request.user)
    language = request.POST.get("language", "")
    if ambassador is not None and language in ("en", "nl"):
        ambassador.language = language
        ambassador.save(update_fields=["language"])
    response = django_set_language(request)
    if language in dict(settings.LANGUAGES):
        activate_language(request, language)
    return response


def activate_language(request: HttpRequest, language: str) -> None:
    """Switch the rest of this request to ``language`` (a code from ``LANGUAGES``), so the
    messages made after a language change, and the response's ``Content-Language``, are in
    the language just chosen rather than the one the request came in with."""
    translation.activate(language)
    request.LANGUAGE_CODE = language


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    """The language cookie with exactly the flags Django's own switcher sets (``Secure`` and a
    year's ``Max-Age`` in production), so both ways of choosing a language agree."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )

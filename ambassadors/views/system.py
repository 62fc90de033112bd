from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST, require_safe
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


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Which paths search engines may crawl: public item pages and crisis dark sites only
    (templates/robots.txt says why each rule is there)."""
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon_ico(request: HttpRequest) -> HttpResponse:
    """Browsers, feed readers and link previews ask for /favicon.ico whatever the page says;
    the same icon as static/favicon.svg, in the old format they all read."""
    path = finders.find("favicon.ico")
    if not isinstance(path, str):
        raise Http404
    with open(path, "rb") as icon:
        return HttpResponse(icon.read(), content_type="image/x-icon")


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

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from ..membership import ambassador_for

log = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Database and broker both answer, or 503 so the load balancer takes us out."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("healthz: database: %s", exc)
        checks["database"] = "error"
    try:
        from portal.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("healthz: broker: %s", exc)
        checks["broker"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


@require_POST
def set_language(request):
    """The switcher: also stores the choice on the ambassador, whose setting wins."""
    ambassador = ambassador_for(request.user)
    language = request.POST.get("language", "")
    if ambassador is not None and language in ("en", "nl"):
        ambassador.language = language
        ambassador.save(update_fields=["language"])
    return django_set_language(request)


def set_language_cookie(response, language: str) -> None:
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

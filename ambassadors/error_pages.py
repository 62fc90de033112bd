"""The product's own error pages (404, 403, 500) in every settings profile.

With DEBUG off Django renders ``templates/404.html`` etc. itself. With DEBUG on (``make
run``) it shows its technical pages, which leak settings and confuse testers:
``ErrorPagesMiddleware`` swaps them for ours. ``DEBUG_TECHNICAL_ERRORS=1`` keeps Django's
technical pages for someone debugging.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template import loader

log = logging.getLogger(__name__)

ERROR_TEMPLATES = {403: "403.html", 404: "404.html", 500: "500.html"}


class ErrorPageResponse(HttpResponse):
    """One of our error pages: the middleware lets it pass unchanged."""

    product_error_page = True


def error_page(request: HttpRequest | None, status: int) -> HttpResponse:
    """Our page for ``status`` (403, 404 or 500). The 500 page is rendered without the
    request (no context processors, no database): whatever broke must not break it too."""
    template = loader.get_template(ERROR_TEMPLATES[status])
    content = template.render({}, request if status != 500 else None)
    return ErrorPageResponse(content, status=status, content_type="text/html; charset=utf-8")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def handler500(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


class ErrorPagesMiddleware:
    """Under DEBUG, replaces Django's technical 404/403/500 HTML pages with ours. A page
    that is already ours, or that is not HTML, passes unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not settings.DEBUG or getattr(settings, "DEBUG_TECHNICAL_ERRORS", False):
            return response
        if response.status_code not in ERROR_TEMPLATES:
            return response
        if getattr(response, "product_error_page", False) or getattr(response, "streaming", False):
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        try:
            return error_page(request, response.status_code)
        except Exception:  # noqa: BLE001 - never turn an error page into a worse one
            log.exception("could not render the %s page", response.status_code)
            return response

"""The project's URLs plus a bare Django view returning a fixed HTML page of the same size as
the dark site's, through the same middleware: the baseline /crisis/<slug>/ is compared to."""

import os

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

BODY = b"<!doctype html>" + b"x" * max(0, int(os.environ.get("CRISIS_BENCH_BYTES", "4000")) - 15)


def bare_page(request):
    response = HttpResponse(BODY, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "public, max-age=30"
    return response


urlpatterns = [path("bench/bare-page", bare_page), *portal_urlpatterns]

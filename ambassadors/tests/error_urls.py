"""A URLconf for the error page tests: the site's own, plus a view that fails."""

from django.urls import path

from portal.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [*urlpatterns, path("broken/", broken)]

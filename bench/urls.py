"""The project's URLs plus a bare Django view returning a 302, through the same middleware:
the baseline /s/<code> is compared against."""

from django.http import HttpResponseRedirect
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare_redirect(request):
    return HttpResponseRedirect(
        "https://example.com/news?id=7&utm_source=linkedin&utm_medium=ambassador&utm_campaign=b"
    )


urlpatterns = [path("bench/bare-redirect", bare_redirect), *portal_urlpatterns]

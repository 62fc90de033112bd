"""The product's 404/403/500 pages, in production and under DEBUG (make run)."""

import importlib

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

MIDDLEWARE = "ambassadors.error_pages.ErrorPagesMiddleware"


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def profile(request, settings):
    settings.DEBUG = request.param
    settings.DEBUG_TECHNICAL_ERRORS = False
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    settings.ROOT_URLCONF = "ambassadors.tests.error_urls"
    return request.param


@pytest.mark.parametrize("path", ["/s/NoSuchCode1/", "/no/such/page/", "/items/nothing-here/"])
def test_unknown_pages_show_our_404(client_as, ambassador, profile, path):
    response = client_as(ambassador.user).get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "We cannot find this page" in html
    assert 'href="/"' in html
    assert "URLconf" not in html
    assert "Traceback" not in html


def test_404_in_dutch(client, profile):
    client.cookies["portal_language"] = "nl"
    html = client.get("/s/NoSuchCode1/").content.decode()
    assert "We kunnen deze pagina niet vinden" in html
    assert '<html lang="nl">' in html


def test_errors_show_our_500(profile):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "RuntimeError" not in html
    assert "boom" not in html


def test_technical_pages_only_when_asked(settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_ERRORS = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    html = Client().get("/no/such/page/").content.decode()
    assert "We cannot find this page" not in html


def test_make_run_profile_uses_our_error_pages():
    local = importlib.import_module("portal.settings.local")
    assert MIDDLEWARE in local.MIDDLEWARE
    assert local.DEBUG_TECHNICAL_ERRORS is False

"""Rules checked over EVERY URL the project has, so new pages are covered automatically."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter

from ambassadors.tests.factories import AmbassadorFactory

SAMPLE = {IntConverter: "1", SlugConverter: "sample", StringConverter: "sample"}
SAMPLE[PathConverter] = "sample"
ROUTE_VARIABLE = re.compile(r"<(?:\w+:)?(\w+)>")

# The only views that may take a POST without a CSRF token (DESIGN.md): the RFC 8058
# one-click unsubscribe (signed token) and the public tracked redirect.
# The bounce webhook is server-to-server: basic auth and the provider's signature instead.
CSRF_EXEMPT_PREFIXES = ("/unsubscribe/", "/s/", "/anymail/")


def all_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_paths(entry, prefix + _render(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _render(entry.pattern), entry.name


def _render(pattern) -> str:
    route = getattr(pattern, "_route", None)
    if route is None:  # a regex pattern (allauth's key URLs): left out
        return "regex:" + str(pattern)
    converters = pattern.converters
    return ROUTE_VARIABLE.sub(lambda m: SAMPLE.get(type(converters[m.group(1)]), "sample"), route)


def project_paths():
    return sorted(
        {
            "/" + path
            for path, _name in all_paths()
            if not path.startswith(("admin/", "media/")) and "regex:" not in path
        }
    )


STUDIO_PATHS = [p for p in project_paths() if p.startswith("/studio/")]


def test_the_url_walk_finds_the_studio():
    assert "/studio/" in STUDIO_PATHS
    assert "/studio/reports/" in STUDIO_PATHS


@pytest.mark.django_db
@pytest.mark.parametrize("path", STUDIO_PATHS)
def test_every_studio_url_refuses_anonymous_users_and_ambassadors(
    client, client_as, ambassador, path
):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    signed_in = client_as(ambassador.user)
    assert signed_in.get(path).status_code == 403
    assert signed_in.post(path).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [p for p in project_paths() if not p.startswith(CSRF_EXEMPT_PREFIXES)]
)
def test_every_post_without_a_csrf_token_is_refused(guidelines, comms_user, path):
    AmbassadorFactory(user=comms_user)  # both roles, so no view turns them away first
    client = Client(enforce_csrf_checks=True)
    client.force_login(comms_user)
    response = client.post(path, {"confirm": "on"})
    assert response.status_code == 403, path
    assert b"CSRF" in response.content

"""Rules checked over EVERY URL the project has, so new pages are covered automatically."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter

from ambassadors.models import Item, ItemEvent, Network, SiteSettings
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory, ShareTextFactory
from ambassadors.tests.test_studio import form_data, snapshot

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


@pytest.fixture
def item_1(comms_user) -> Item:
    """A draft whose id is the 1 every sample path carries, so a view that let the wrong
    person through would find a real item to change."""
    item = ItemFactory(pk=1, title="We opened a new office", link="", author=comms_user)
    ShareTextFactory(item=item, network=Network.X, text="Our new office is open!")
    ItemEvent.objects.create(item=item, actor=comms_user, action=ItemEvent.Action.CREATED)
    return item


@pytest.mark.django_db
@pytest.mark.parametrize("path", STUDIO_PATHS)
def test_every_studio_url_refuses_anonymous_users_and_ambassadors(
    client, client_as, ambassador, item_1, path
):
    before = snapshot(item_1)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 302, (method, path)
        assert response["Location"] == f"/accounts/login/?next={path}"
    signed_in = client_as(ambassador.user)
    assert signed_in.get(path).status_code == 403
    # A complete item form that would also switch review off, were it let through.
    tempting = form_data(note="x", confirm_corporate="on", review_required="")
    assert signed_in.post(path, tempting).status_code == 403
    assert snapshot(item_1) == before
    assert SiteSettings.load().review_required is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [p for p in project_paths() if not p.startswith(CSRF_EXEMPT_PREFIXES)]
)
def test_every_post_without_a_csrf_token_is_refused(guidelines, comms_user, item_1, path):
    AmbassadorFactory(user=comms_user)  # both roles, so no view turns them away first
    client = Client(enforce_csrf_checks=True)
    client.force_login(comms_user)
    before = snapshot(item_1)
    response = client.post(path, {"confirm": "on"})
    assert response.status_code == 403, path
    assert b"CSRF" in response.content
    assert snapshot(item_1) == before

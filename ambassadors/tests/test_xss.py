"""Hostile text in every field is escaped or sanitised on every page that shows it.

The browser half (no dialog fires) is ambassadors/tests/browser/test_xss.py.
"""

import pytest

from ambassadors.tests.hostile import build_hostile_data, live_markup, pages_for


@pytest.fixture
def hostile(db):
    return build_hostile_data()


@pytest.mark.django_db
def test_no_page_shows_hostile_input_as_live_markup(client, hostile):
    pages = pages_for(hostile)
    checked = 0
    for role, user in (("ambassador", hostile["ambassador"].user), ("comms", hostile["comms"])):
        client.force_login(user)
        for path in pages[role]:
            response = client.get(path)
            assert response.status_code == 200, path
            assert live_markup(response.content.decode()) == [], path
            checked += 1
    client.logout()
    for path in pages["anonymous"]:
        assert live_markup(client.get(path).content.decode()) == [], path
    assert checked == len(pages["ambassador"]) + len(pages["comms"])


def test_the_detector_finds_live_markup():
    html = (
        '<p>&lt;script&gt;</p><script src="/static/x.js"></script><script>alert(1)</script>'
        '<a href=" JavaScript:alert(1)">x</a><img src=x onerror=alert(1)>'
        "<svg onload=alert(1)></svg><iframe></iframe>"
        '<iframe sandbox="" src="/studio/digests/preview/1/email.html"></iframe>'
        '<iframe sandbox="allow-scripts" src="/x"></iframe>'
    )
    assert live_markup(html) == [
        "inline <script>",
        "<a href=javascript:>",
        "<img onerror=>",
        "<svg onload=>",
        "<iframe>",
        "<iframe>",
    ]


@pytest.mark.django_db
def test_hostile_text_is_shown_as_text(client, hostile):
    client.force_login(hostile["comms"])
    html = client.get(f"/studio/items/{hostile['item'].pk}/").content.decode()
    assert "&lt;img src=x onerror=alert(&quot;xss-img&quot;)&gt;" in html

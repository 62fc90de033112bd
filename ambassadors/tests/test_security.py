"""Security rules that hold for every page: CSP, headers, redirects, CSRF."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PAGE_TEMPLATES = [
    p for p in (ROOT / "templates").rglob("*.html") if "email" not in p.relative_to(ROOT).parts
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_templates_keep_to_the_content_security_policy(template):
    """No inline scripts, event handlers or style attributes: the CSP would block them."""
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text)
    assert not STYLE_ATTRIBUTE.search(text)


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


OPEN_REDIRECTS = [
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "http:evil.example",
    "https:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "//evil.example/%2f..",
    "javascript:alert(1)",
    " //evil.example",
]


@pytest.mark.django_db
@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_login_next_never_leaves_the_site(client, employee, target):
    response = client.post(
        reverse("account_login") + "?next=" + target,
        {"login": employee.email, "password": "correct horse battery", "next": target},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert "evil" not in location
    assert not location.startswith("javascript")


@pytest.mark.django_db
def test_state_changes_need_a_csrf_token(ambassador, guidelines):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ambassador.user)
    for url in [
        reverse("ambassadors:opt_out"),
        reverse("ambassadors:preferences"),
        reverse("ambassadors:my_data"),
        reverse("set_language"),
        reverse("account_logout"),
    ]:
        assert client.post(url, {"confirm": "on", "language": "nl"}).status_code == 403, url
    ambassador.refresh_from_db()
    assert ambassador.opted_out_at is None
    assert ambassador.language == "en"

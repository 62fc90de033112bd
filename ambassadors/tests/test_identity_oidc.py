"""Sign-in against a real (local) OpenID Connect provider: sign-up with names and
department from the claims, domain refusal, tampered and replayed callbacks, and the CSP
that lets the browser continue to an internal plain-http provider."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from ambassadors.models import User
from ambassadors.tests.factories import UserFactory
from ambassadors.tests.oidc_idp import CLIENT_ID, CLIENT_SECRET, OidcProvider

CLAIMS = {
    "sub": "u-123",
    "email": "noor@example.com",
    "email_verified": True,
    "given_name": "Noor",
    "family_name": "Bakker",
    "name": "Noor B.",
    "department": "Customer Care",
}


@pytest.fixture
def idp(settings, monkeypatch):
    from portal.settings import base

    with OidcProvider() as provider:
        monkeypatch.setenv("OIDC_SERVER_URL", provider.issuer)
        monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("OIDC_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("OIDC_NAME", "Company SSO")
        settings.SOCIALACCOUNT_PROVIDERS = base.sso_providers()
        settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]["settings"][
            "verified_email"
        ] = True
        yield provider


def begin(client) -> dict:
    """Press "Company SSO": returns the authorisation request's parameters."""
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "sso"}))
    assert response.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert params["client_id"] == CLIENT_ID
    assert params["code_challenge_method"] == "S256"
    return params


def callback(client, params, code, state=None):
    path = urlsplit(params["redirect_uri"]).path
    return client.get(path, {"code": code, "state": state or params["state"]})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.django_db
def test_sign_up_by_oidc_with_names_and_department(client, idp):
    params = begin(client)
    code = idp.authorize(claims=CLAIMS, nonce=params.get("nonce"))
    response = callback(client, params, code)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name, user.display_name) == (
        "noor@example.com",
        "Noor",
        "Bakker",
        "Noor B.",
    )
    assert user.department.name == "Customer Care"
    assert SocialAccount.objects.get().uid == "u-123"


@pytest.mark.django_db
def test_oidc_outside_the_company_domain_is_refused(client, idp):
    params = begin(client)
    code = idp.authorize(claims={**CLAIMS, "email": "noor@gmail.com"}, nonce=params.get("nonce"))
    response = callback(client, params, code)
    assert response.status_code == 403
    assert "Only work addresses can join" in response.content.decode()
    assert not signed_in(client)
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_a_tampered_state_is_refused(client, idp):
    params = begin(client)
    code = idp.authorize(claims=CLAIMS, nonce=params.get("nonce"))
    response = callback(client, params, code, state="forged-state")
    assert response.status_code != 302 or not signed_in(client)
    assert not signed_in(client)
    assert User.objects.count() == 0
    assert idp.token_requests == 0  # the code was never exchanged


@pytest.mark.django_db
def test_a_replayed_callback_is_refused(client, idp):
    params = begin(client)
    code = idp.authorize(claims=CLAIMS, nonce=params.get("nonce"))
    assert callback(client, params, code).status_code == 302
    client.logout()
    again = callback(client, params, code)
    assert not signed_in(client)
    assert again.status_code == 401  # allauth's sign-in error page
    assert User.objects.count() == 1
    assert SocialAccount.objects.count() == 1


@pytest.mark.django_db
def test_a_control_character_in_a_claim_is_never_stored(client, idp):
    params = begin(client)
    claims = {**CLAIMS, "given_name": "Noor\r\nBcc: x@evil.example", "name": "Noor\u202e"}
    code = idp.authorize(claims=claims, nonce=params.get("nonce"))
    assert callback(client, params, code).status_code == 302
    user = User.objects.get()
    assert (user.first_name, user.display_name) == ("", "")


@pytest.mark.django_db
def test_existing_password_account_is_told_how_to_connect(client, idp):
    UserFactory(email="noor@example.com")
    params = begin(client)
    code = idp.authorize(claims=CLAIMS, nonce=params.get("nonce"))
    response = callback(client, params, code)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is already an account for noor@example.com" in html
    assert "Choose Company SSO there." in html
    assert SocialAccount.objects.count() == 0


@pytest.mark.django_db
def test_account_page_lists_connected_sign_ins(client, idp):
    params = begin(client)
    callback(client, params, idp.authorize(claims=CLAIMS, nonce=params.get("nonce")))
    html = client.get(reverse("account_email")).content.decode()
    assert f'href="{reverse("socialaccount_connections")}"' in html
    assert "Connected sign-ins" in html
    connections = client.get(reverse("socialaccount_connections")).content.decode()
    assert "Company SSO" in connections


def settings_in_subprocess(**env_vars) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "SAML_", "GOOGLE_"))}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", **env_vars)
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_csp_form_action_allows_the_configured_providers_only():
    assert settings_in_subprocess() == ["'self'", "https:"]
    assert settings_in_subprocess(
        OIDC_SERVER_URL="http://idp.internal:8080/realms/corp",
        OIDC_CLIENT_ID="portal",
        OIDC_CLIENT_SECRET="x",
        SAML_IDP_ENTITY_ID="urn:idp",
        SAML_IDP_SSO_URL="http://saml.internal/sso",
        SAML_IDP_X509_CERT="MIIB",
    ) == ["'self'", "https:", "http://idp.internal:8080", "http://saml.internal"]


@pytest.mark.django_db
def test_login_page_sends_the_provider_origin_in_form_action(client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"form-action": ["'self'", "https:", "http://idp.internal:8080"]}
    }
    response = client.get(reverse("account_login"))
    assert (
        "form-action 'self' https: http://idp.internal:8080" in response["Content-Security-Policy"]
    )

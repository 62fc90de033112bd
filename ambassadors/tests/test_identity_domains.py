"""Domains compared as the DNS sees them (IDNA), one spelling per mailbox, and the same
rule for sign-up, SSO and SCIM."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from ambassadors.identity.domains import domain_normal_form, email_domain_verdict
from ambassadors.identity.scim_auth import scim_token_create
from ambassadors.models import User
from portal.adapters import SocialAccountAdapter

SIGNUP = {"password1": "a long Pass-phrase 42", "password2": "a long Pass-phrase 42"}
UNICODE = "bücher.example"
PUNY = "xn--bcher-kva.example"
LOOK_ALIKES = [
    "lea@bucher.example",  # no umlaut
    "lea@xn--bcher-kva.example.evil.org",
    "lea@bücher.example.evil.org",
    "lea@bu\u0308cher.examp1e",  # digit one for l
    "lea@bücher.еxample",  # Cyrillic е
    "lea@xn--bcher-kva.xn--xample-2of",  # the same, spelled in punycode
    "lea@sub.bücher.example",
    "lea@",
    "@bücher.example",
    "lea@bücher..example",
]


def test_normal_form_is_the_ascii_form_the_dns_uses():
    assert domain_normal_form("Bücher.Example.") == PUNY
    assert domain_normal_form("BU\u0308CHER.example") == PUNY  # combining diaeresis
    assert domain_normal_form(PUNY.upper()) == PUNY
    assert domain_normal_form("a..b") is None


def signup(client, email):
    return client.post(reverse("account_signup"), {"email": email, **SIGNUP})


@pytest.mark.django_db
def test_unicode_configured_unicode_signs_up_punycode_refused(client, settings):
    settings.ALLOWED_EMAIL_DOMAINS = [UNICODE]
    assert signup(client, "lea1@bücher.example").status_code == 302
    assert User.objects.filter(email="lea1@bücher.example").exists()

    response = signup(client, "lea2@xn--bcher-kva.example")
    assert response.status_code == 200
    assert "write the part after @ as bücher.example" in response.content.decode()
    assert not User.objects.filter(email__icontains="lea2").exists()


@pytest.mark.django_db
def test_punycode_configured_unicode_refused_with_the_punycode_form(client, settings):
    settings.ALLOWED_EMAIL_DOMAINS = [PUNY]
    response = signup(client, "lea1@bücher.example")
    assert response.status_code == 200
    assert "write the part after @ as xn--bcher-kva.example" in response.content.decode()
    assert User.objects.count() == 0
    assert signup(client, "lea2@XN--BCHER-KVA.example").status_code == 302
    assert User.objects.get().email.endswith("@xn--bcher-kva.example")


@pytest.mark.django_db
@pytest.mark.parametrize("configured", [[UNICODE], [PUNY]])
@pytest.mark.parametrize("email", LOOK_ALIKES)
def test_look_alike_domains_stay_refused(client, settings, configured, email):
    settings.ALLOWED_EMAIL_DOMAINS = configured
    response = signup(client, email)
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert mail.outbox == []


def test_combining_characters_are_the_same_unicode_spelling(settings):
    settings.ALLOWED_EMAIL_DOMAINS = [UNICODE]
    verdict = email_domain_verdict("Lea@BU\u0308CHER.example")
    assert (verdict.allowed, verdict.email) == (True, "Lea@bücher.example")


def _sociallogin(email):
    user = User(email=email)
    account = SocialAccount(provider="openid_connect", uid="1", extra_data={})
    return SocialLogin(user=user, account=account, email_addresses=[])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configured", "email", "allowed"),
    [
        ([UNICODE], "lea@bücher.example", True),
        ([UNICODE], "lea@xn--bcher-kva.example", False),
        ([PUNY], "lea@xn--bcher-kva.example", True),
        ([PUNY], "lea@bücher.example", False),
        ([UNICODE], "lea@bucher.example", False),
    ],
)
def test_sso_uses_the_same_rule(settings, configured, email, allowed):
    settings.ALLOWED_EMAIL_DOMAINS = configured
    request = RequestFactory().get("/")
    sociallogin = _sociallogin(email)
    if allowed:
        assert SocialAccountAdapter().pre_social_login(request, sociallogin) is None
    else:
        with pytest.raises(ImmediateHttpResponse) as refused:
            SocialAccountAdapter().pre_social_login(request, sociallogin)
        assert refused.value.response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configured", "email", "status"),
    [
        ([UNICODE], "lea@bücher.example", 201),
        ([UNICODE], "lea@xn--bcher-kva.example", 400),
        ([PUNY], "lea@xn--bcher-kva.example", 201),
        ([PUNY], "lea@bücher.example", 400),
        ([UNICODE], "lea@bucher.example", 400),
    ],
)
def test_scim_uses_the_same_rule(client, settings, configured, email, status):
    settings.ALLOWED_EMAIL_DOMAINS = configured
    _row, token = scim_token_create(name="Entra ID", by=None)
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "active": True,
    }
    response = client.post(
        "/scim/v2/Users",
        json.dumps(body),
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == status
    assert User.objects.count() == (1 if status == 201 else 0)

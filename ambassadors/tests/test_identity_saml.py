"""SAML 2.0 sign-in through allauth's provider, tested for real: the test makes an IdP key
pair, signs responses and posts them to the assertion consumer service. Only a good,
fresh, correctly addressed, first-time response signs anyone in. No network."""

import base64
import re
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from ambassadors.models import Department, User
from ambassadors.tests.factories import UserFactory
from ambassadors.tests.saml_idp import (
    IDP_ENTITY_ID,
    IDP_SSO_URL,
    Assertion,
    key_pair,
    signed_response,
)

SP_METADATA = "http://portal.example.com/accounts/saml/company/metadata/"
ACS = "http://portal.example.com/accounts/saml/company/acs/"
GIVEN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
DISPLAY = "http://schemas.microsoft.com/identity/claims/displayname"
DEPARTMENT = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"


def test_lxml_and_xmlsec_agree_on_libxml2():
    """Built against different libxml2 versions, importing both fails or corrupts
    signatures (the known trap of the saml extra)."""
    import lxml.etree
    import xmlsec

    assert xmlsec.get_libxml_version() == lxml.etree.LIBXML_VERSION
    assert xmlsec.get_libxml_compiled_version() == lxml.etree.LIBXML_COMPILED_VERSION


@pytest.fixture
def client():
    """python3-saml refuses single-label host names such as "testserver"."""
    from django.test import Client

    return Client(HTTP_HOST="portal.example.com")


@pytest.fixture(scope="module")
def idp_keys():
    return key_pair()


@pytest.fixture
def saml(settings, monkeypatch, idp_keys):
    """SAML switched on by environment variables alone, as in production."""
    from portal.settings import base

    monkeypatch.setenv("SAML_IDP_ENTITY_ID", IDP_ENTITY_ID)
    monkeypatch.setenv("SAML_IDP_SSO_URL", IDP_SSO_URL)
    monkeypatch.setenv("SAML_IDP_X509_CERT", idp_keys.cert_body)
    providers = base.sso_providers()
    assert sorted(providers) == ["saml"]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    return providers


def start_login(client) -> str:
    """Press the SAML button; returns the AuthnRequest ID the IdP must answer."""
    response = client.post(reverse("saml_login", kwargs={"organization_slug": "company"}))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(IDP_SSO_URL + "?")
    request_xml = zlib.decompress(
        base64.b64decode(parse_qs(urlsplit(location).query)["SAMLRequest"][0]), -15
    ).decode()
    return re.search(r'ID="([^"]+)"', request_xml).group(1)


def post_to_acs(client, saml_response):
    response = client.post(ACS, {"SAMLResponse": saml_response})
    assert response.status_code == 302  # allauth parks the POST and finishes in a GET
    return client.get(response["Location"])


def good_assertion(request_id, **kwargs):
    values = {
        "email": "lea@example.com",
        "audience": SP_METADATA,
        "recipient": ACS,
        "in_response_to": request_id,
        "attributes": {
            EMAIL: ["lea@example.com"],
            GIVEN: ["Lea"],
            DISPLAY: ["Lea de Boer"],
            DEPARTMENT: ["Sales"],
        },
    }
    values.update(kwargs)
    return Assertion(**values)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.django_db
def test_sp_metadata_is_served_for_the_idp(client, saml):
    response = client.get(SP_METADATA)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    xml = response.content.decode()
    assert f'entityID="{SP_METADATA}"' in xml
    assert f'Location="{ACS}"' in xml
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in xml


@pytest.mark.django_db
def test_a_good_signed_response_signs_in_with_names_and_department(client, saml, idp_keys):
    request_id = start_login(client)
    response = post_to_acs(client, signed_response(good_assertion(request_id), idp_keys))
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == "/"
    assert signed_in(client)
    user = User.objects.get()
    assert (user.email, user.first_name, user.display_name, user.department.name) == (
        "lea@example.com",
        "Lea",
        "Lea de Boer",
        "Sales",
    )
    assert SocialAccount.objects.get().provider == "saml"
    assert user.emailaddress_set.get().verified is True


def refused(client, response) -> bool:
    return not signed_in(client) and User.objects.count() == 0 and response.status_code != 302


@pytest.mark.django_db
def test_a_bad_signature_is_refused(client, saml, idp_keys):
    request_id = start_login(client)
    forged = signed_response(good_assertion(request_id), key_pair("Someone else"))
    assert refused(client, post_to_acs(client, forged))


@pytest.mark.django_db
def test_a_tampered_assertion_is_refused(client, saml, idp_keys):
    request_id = start_login(client)
    good = base64.b64decode(signed_response(good_assertion(request_id), idp_keys)).decode()
    tampered = good.replace("lea@example.com", "boss@example.com")
    assert refused(client, post_to_acs(client, base64.b64encode(tampered.encode()).decode()))


@pytest.mark.django_db
def test_an_unsigned_response_is_refused(client, saml):
    request_id = start_login(client)
    xml = good_assertion(request_id).xml()
    response = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1"'
        f' Version="2.0" IssueInstant="2026-01-01T00:00:00Z" InResponseTo="{request_id}">'
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        f"</samlp:Status>{xml}</samlp:Response>"
    )
    assert refused(client, post_to_acs(client, base64.b64encode(response.encode()).decode()))


@pytest.mark.django_db
def test_an_expired_response_is_refused(client, saml, idp_keys):
    request_id = start_login(client)
    old = good_assertion(request_id, issued=datetime.now(UTC) - timedelta(hours=2))
    assert refused(client, post_to_acs(client, signed_response(old, idp_keys)))


@pytest.mark.django_db
def test_a_response_for_another_audience_is_refused(client, saml, idp_keys):
    request_id = start_login(client)
    other = good_assertion(request_id, audience="https://other-app.example/saml")
    assert refused(client, post_to_acs(client, signed_response(other, idp_keys)))


@pytest.mark.django_db
def test_a_replayed_response_is_refused(client, saml, idp_keys, django_user_model):
    request_id = start_login(client)
    captured = signed_response(good_assertion(request_id), idp_keys)
    assert post_to_acs(client, captured).status_code == 302
    client.logout()
    # The same browser, and a fresh one (an attacker who captured the POST).
    again = post_to_acs(client, captured)
    assert again.status_code != 302
    assert not signed_in(client)
    assert django_user_model.objects.count() == 1
    assert SocialAccount.objects.count() == 1


@pytest.mark.django_db
def test_an_unsolicited_response_is_refused(client, saml, idp_keys):
    """IdP-initiated sign-in (no request of ours to answer) is off: it cannot be tied to
    this browser, so it would allow login CSRF."""
    response = post_to_acs(client, signed_response(good_assertion("_made_up"), idp_keys))
    assert refused(client, response)


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["lea@gmail.com", "lea@example.com.evil.org"])
def test_the_domain_rule_of_sign_up_applies(client, saml, idp_keys, email):
    request_id = start_login(client)
    assertion = good_assertion(request_id, email=email, attributes={EMAIL: [email]})
    response = post_to_acs(client, signed_response(assertion, idp_keys))
    assert response.status_code == 403
    assert "Only work addresses can join" in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_names_from_the_idp_never_overwrite_names_the_person_chose(client, saml, idp_keys):
    request_id = start_login(client)
    post_to_acs(client, signed_response(good_assertion(request_id), idp_keys))
    User.objects.update(display_name="Lea B.", names_chosen_at=datetime.now(UTC))
    client.logout()
    request_id = start_login(client)
    assertion = good_assertion(
        request_id,
        attributes={
            EMAIL: ["lea@example.com"],
            DISPLAY: ["Lea de Boer-Jansen"],
            DEPARTMENT: ["SALES"],
        },
    )
    assert post_to_acs(client, signed_response(assertion, idp_keys)).status_code == 302
    user = User.objects.get()
    assert (user.display_name, user.department.name) == ("Lea B.", "Sales")
    assert Department.objects.count() == 1


@pytest.mark.django_db
def test_a_leaver_cannot_sign_in_by_saml(client, saml, idp_keys):
    request_id = start_login(client)
    post_to_acs(client, signed_response(good_assertion(request_id), idp_keys))
    client.logout()
    User.objects.update(is_active=False)
    request_id = start_login(client)
    response = post_to_acs(client, signed_response(good_assertion(request_id), idp_keys))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert not signed_in(client)


@pytest.mark.django_db
def test_an_existing_password_account_is_told_how_to_connect(client, saml, idp_keys):
    UserFactory(email="lea@example.com")
    request_id = start_login(client)
    response = post_to_acs(client, signed_response(good_assertion(request_id), idp_keys))
    html = response.content.decode()
    assert response.status_code == 200
    assert "You already have an account" in html
    assert "Company SSO (SAML)" in html
    assert f'href="{reverse("account_login")}?next={reverse("socialaccount_connections")}"' in html
    assert not signed_in(client)
    assert SocialAccount.objects.count() == 0


@pytest.mark.django_db
def test_someone_provisioned_by_scim_signs_in_by_saml_into_the_same_account(client, saml, idp_keys):
    from ambassadors.tests.factories import UserFactory as Factory

    provisioned = Factory(email="lea@example.com", first_name="", password=None)
    provisioned.set_unusable_password()
    provisioned.save()
    request_id = start_login(client)
    response = post_to_acs(client, signed_response(good_assertion(request_id), idp_keys))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(provisioned.pk)
    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user_id == provisioned.pk
    provisioned.refresh_from_db()
    assert (provisioned.first_name, provisioned.department.name) == ("Lea", "Sales")


@pytest.mark.django_db
def test_a_switched_off_account_is_told_so(client, saml, idp_keys):
    UserFactory(email="lea@example.com", is_active=False)
    request_id = start_login(client)
    response = post_to_acs(client, signed_response(good_assertion(request_id), idp_keys))
    assert response.status_code == 403
    assert "This account is switched off" in response.content.decode()
    assert not signed_in(client)

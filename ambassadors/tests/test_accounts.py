"""Sign-up, verification, domain limits, SSO, MFA and deactivation (allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse

from ambassadors.models import User
from portal.adapters import SocialAccountAdapter

SIGNUP = {"password1": "a long Pass-phrase 42", "password2": "a long Pass-phrase 42"}


def signup(client, email):
    return client.post(reverse("account_signup"), {"email": email, **SIGNUP})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["someone@gmail.com", "x@example.com.evil.org", "y@sub.example.com"]
)
def test_signup_with_a_non_company_address_is_refused_and_creates_nothing(client, email):
    response = signup(client, email)
    assert response.status_code == 200
    assert "Only work addresses can join" in response.content.decode()
    assert "@example.com, @example.nl" in response.content.decode()
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_signup_needs_email_verification_before_login(client):
    response = signup(client, "New.Person@Example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email.lower() == "new.person@example.com"
    assert len(mail.outbox) == 1
    assert "new.person@example.com" in mail.outbox[0].to[0].lower()

    # Not verified: logging in sends the user back to the verification step.
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "new.person@example.com", "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    # The e-mail's link shows a confirm page (GET never confirms: mail scanners open links).
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    assert not EmailAddress.objects.get(user=user).verified
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified

    response = client.post(
        reverse("account_login"),
        {"login": "new.person@example.com", "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_rotates_the_session(client, employee):
    client.get(reverse("account_login"))
    client.cookies["sessionid"] = "attacker-chosen"
    client.post(
        reverse("account_login"), {"login": employee.email, "password": "correct horse battery"}
    )
    assert client.cookies["sessionid"].value != "attacker-chosen"
    assert client.session["_auth_user_id"] == str(employee.pk)


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, employee):
    response = client.post(reverse("account_reset_password"), {"email": employee.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_login_is_rate_limited_per_client(client, employee):
    with override_settings(ACCOUNT_RATE_LIMITS={"login": "3/m/ip"}):
        statuses = [
            client.post(
                reverse("account_login"), {"login": employee.email, "password": "wrong"}
            ).status_code
            for _ in range(5)
        ]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_address_for_a_while(client, employee):
    with override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "2/m/key"}):
        for _ in range(2):
            client.post(reverse("account_login"), {"login": employee.email, "password": "wrong"})
        response = client.post(
            reverse("account_login"),
            {"login": employee.email, "password": "correct horse battery"},
        )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_is_rate_limited(client):
    with override_settings(ACCOUNT_RATE_LIMITS={"signup": "2/m/ip"}):
        statuses = [signup(client, f"p{n}@gmail.com").status_code for n in range(4)]
    assert statuses[-1] == 429


OIDC = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "corp-sso",
                "name": "Corp Single Sign-On",
                "client_id": "portal",
                "secret": "not-a-secret",
                "settings": {"server_url": "https://sso.example.com"},
            }
        ]
    }
}


@pytest.mark.django_db
def test_sso_button_appears_only_when_configured(client):
    assert "Corp Single Sign-On" not in client.get(reverse("account_login")).content.decode()
    with override_settings(SOCIALACCOUNT_PROVIDERS=OIDC):
        page = client.get(reverse("account_login")).content.decode()
    assert "Corp Single Sign-On" in page
    assert "/accounts/oidc/corp-sso/login/" in page


def _sociallogin(email, extra_data=None):
    user = User(email=email, username=email)
    account = SocialAccount(provider="corp-sso", uid="1", extra_data=extra_data or {})
    return SocialLogin(user=user, account=account, email_addresses=[EmailAddress(email=email)])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "extra"),
    [("boss@gmail.com", {}), ("x@example.com", {"hd": "other.org"})],
)
def test_sso_signup_outside_the_company_domain_is_refused(email, extra):
    request = RequestFactory().get("/accounts/oidc/corp-sso/login/callback/")
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(request, _sociallogin(email, extra))
    assert refused.value.response.status_code == 403
    assert "Only work addresses can join" in refused.value.response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_sso_signup_inside_the_company_domain_goes_ahead():
    request = RequestFactory().get("/")
    sociallogin = _sociallogin("jo@example.nl", {"hd": "example.nl"})
    assert SocialAccountAdapter().pre_social_login(request, sociallogin) is None
    assert SocialAccountAdapter().is_open_for_signup(request, sociallogin) is True


@pytest.mark.django_db
def test_a_deactivated_leaver_loses_access_at_once(client_as, ambassador):
    client = client_as(ambassador.user)
    assert client.get(reverse("ambassadors:preferences")).status_code == 200
    ambassador.user.is_active = False
    ambassador.user.save(update_fields=["is_active"])
    response = client.get(reverse("ambassadors:preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_admin_action_deactivates_leavers(client_as, employee):
    admin = User.objects.create_superuser("admin@example.com", "admin@example.com", "pw-admin-1")
    response = client_as(admin).post(
        reverse("admin:ambassadors_user_changelist"),
        {"action": "deactivate", "_selected_action": [employee.pk, admin.pk]},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    admin.refresh_from_db()
    assert employee.is_active is False
    assert admin.is_active is True  # never locks yourself out


@pytest.mark.django_db
def test_mfa_is_required_for_comms_when_the_setting_is_on(client_as, comms_user, ambassador):
    with override_settings(MFA_REQUIRED_FOR_STAFF=True):
        response = client_as(comms_user).get("/")
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
        # The enrolment page itself is reachable (after allauth's re-authentication step).
        response = client_as(comms_user).get(reverse("mfa_activate_totp"))
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        assert client_as(comms_user).get(response["Location"]).status_code == 200
        assert client_as(ambassador.user).get("/").status_code == 200
    assert client_as(comms_user).get("/").status_code == 200


@pytest.mark.django_db
def test_account_pages_use_the_site_layout(client):
    page = client.get(reverse("account_login")).content.decode()
    assert 'class="site-header"' in page
    assert 'class="auth-card card"' in page
    assert 'class="button"' in page


def test_sso_is_switched_on_by_environment_variables_alone(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.local",
        PORTAL_VAR_DIR=str(tmp_path),
        OIDC_SERVER_URL="https://sso.example.com",
        OIDC_CLIENT_ID="portal",
        OIDC_CLIENT_SECRET="x",
        GOOGLE_CLIENT_ID="g",
        GOOGLE_CLIENT_SECRET="x",
        MICROSOFT_CLIENT_ID="m",
        MICROSOFT_CLIENT_SECRET="x",
        MICROSOFT_TENANT="contoso.onmicrosoft.com",
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "p = s.SOCIALACCOUNT_PROVIDERS; print(json.dumps([sorted(p),"
        " p['microsoft']['APPS'][0]['settings']['tenant'],"
        " [a.rsplit('.', 1)[1] for a in s.INSTALLED_APPS if '.providers.' in a]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        ["google", "microsoft", "openid_connect"],
        "contoso.onmicrosoft.com",
        ["openid_connect", "google", "microsoft"],
    ]


@pytest.mark.django_db
def test_account_pages_link_to_password_and_two_step_sign_in(client_as, employee):
    page = client_as(employee).get(reverse("account_email")).content.decode()
    assert f'href="{reverse("account_change_password")}"' in page
    assert f'href="{reverse("mfa_index")}"' in page

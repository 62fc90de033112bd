"""Account e-mails (confirm your address, new password) in our words and the person's
language, and being signed in after confirming in the browser that signed up."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ambassadors.models import User
from ambassadors.tests.factories import AmbassadorFactory

pytestmark = pytest.mark.django_db
SIGNUP = {"password1": "a long Pass-phrase 42", "password2": "a long Pass-phrase 42"}


def confirm_path(body: str) -> str:
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body).group(0)
    return "/" + link.split("/", 3)[3]


def assert_our_words(message):
    text = message.subject + message.body
    for stock in ("Hello from", "Thank you for using", "127.0.0.1", "example.com!", "[example"):
        assert stock not in text


@pytest.mark.parametrize(
    ("language", "subject", "opening"),
    [
        ("en", "Confirm your e-mail address for Example", "Hello,"),
        ("nl", "Bevestig je e-mailadres voor Example", "Hoi,"),
    ],
)
def test_signup_mail_in_the_page_language_and_signed_in_after_confirming(
    client, settings, language, subject, opening
):
    settings.COMPANY_NAME = "Example"
    client.cookies["portal_language"] = language
    client.post(reverse("account_signup"), {"email": "new@example.com", **SIGNUP})
    (message,) = mail.outbox
    assert message.subject == subject
    assert message.body.startswith(opening)
    assert_our_words(message)
    path = confirm_path(message.body)
    assert "_auth_user_id" not in client.session
    response = client.post(path)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_confirming_in_another_browser_does_not_sign_in(client):
    client.post(reverse("account_signup"), {"email": "new@example.com", **SIGNUP})
    other = Client()
    other.post(confirm_path(mail.outbox[0].body))
    assert "_auth_user_id" not in other.session
    assert User.objects.get().emailaddress_set.get().verified


@pytest.mark.parametrize(("setting", "opening"), [("nl", "Hoi,"), ("en", "Hello,")])
def test_password_reset_mail_follows_the_persons_setting_not_the_browser(
    client, settings, setting, opening
):
    settings.COMPANY_NAME = "Example"
    ambassador = AmbassadorFactory(language=setting, user__email="anna@example.com")
    client.cookies["portal_language"] = "nl" if setting == "en" else "en"
    client.post(reverse("account_reset_password"), {"email": ambassador.user.email})
    (message,) = mail.outbox
    assert message.body.startswith(opening)
    assert (
        message.subject
        == {
            "nl": "Kies een nieuw wachtwoord voor Example",
            "en": "Choose a new password for Example",
        }[setting]
    )
    assert "/accounts/password/reset/key/" in message.body
    assert_our_words(message)

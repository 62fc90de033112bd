"""The first visit of a new employee, in a real browser."""

import re

import pytest
from django.core import mail

from ambassadors.models import Ambassador
from ambassadors.tests.factories import GuidelinesFactory, TopicFactory


@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_join_set_preferences_and_switch_to_dutch(page, live_server):
    GuidelinesFactory(version=1, body_en="Be yourself. Say that you work here.")
    TopicFactory(slug="jobs", name="Jobs")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Create an account").click()
    page.fill("input[name=email]", "new.colleague@example.com")
    page.fill("input[name=password1]", "a long Pass-phrase 42")
    page.fill("input[name=password2]", "a long Pass-phrase 42")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + "/" + link.split("/", 3)[3])
    page.get_by_role("button", name="Confirm").click()

    # Confirmed in the browser that signed up: signed in straight away.
    page.get_by_role("link", name="Read the guidelines and join").click()

    assert page.get_by_text("Be yourself. Say that you work here.").is_visible()
    page.get_by_label("I have read the guidelines and I want to join.").check()
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(r"/me/preferences/$"))

    page.get_by_label("Jobs").check()
    page.get_by_label("LinkedIn").check()
    page.get_by_label("Day of the weekly e-mail").select_option("5")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Your preferences are saved.").is_visible()

    ambassador = Ambassador.objects.get(user__email="new.colleague@example.com")
    assert ambassador.digest_weekday == 5
    assert ambassador.networks == ["linkedin"]
    assert list(ambassador.topics.values_list("slug", flat=True)) == ["jobs"]

    page.select_option("#language-select", "nl")  # choosing alone changes nothing (WCAG 3.2.2)
    with page.expect_navigation():
        page.get_by_role("button", name="Change").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", name="Je voorkeuren").is_visible()
    ambassador.refresh_from_db()
    assert ambassador.language == "nl"

"""Names, end to end in a real browser: sign up with a name, opt in to the leaderboard,
share; another ambassador sees the name on the leaderboard; the weekly e-mail greets by
first name."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from ambassadors.mail.digests.schedule import digest_period
from ambassadors.mail.digests.sending import digest_batch_send
from ambassadors.models import Ambassador, Share, SiteSettings
from ambassadors.tests.factories import (
    AmbassadorFactory,
    GuidelinesFactory,
    ItemFactory,
    ShareTextFactory,
)


@pytest.mark.django_db(transaction=True)
def test_a_name_given_at_sign_up_reaches_the_leaderboard_and_the_weekly_email(
    page, live_server, login, browser
):
    GuidelinesFactory(version=1, body_en="Be yourself.")
    item = ItemFactory(live=True, slug="open-day", title="Open day", author=None)
    ShareTextFactory(item=item, network="linkedin", text="Come to our open day!")
    colleague = AmbassadorFactory(user__email="colleague@example.com", user__display_name="Col")
    page.context.route(
        re.compile(r"^https://www\.linkedin\.com/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>stub</h1>"),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "dirk.jansen@example.com")
    page.get_by_label("First name").fill("Dirk")
    page.get_by_label("Name others see").fill("Dirk J. <Sales>")
    page.fill("input[name=password1]", "a long Pass-phrase 42")
    page.fill("input[name=password2]", "a long Pass-phrase 42")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + "/" + link.split("/", 3)[3])
    page.get_by_role("button", name="Confirm").click()  # the same browser: signed in at once
    assert page.get_by_text("Successfully signed in as Dirk J. <Sales>.").is_visible()

    page.goto(f"{live_server.url}/join/")
    page.get_by_label("I have read the guidelines and I want to join.").check()
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(r"/me/preferences/$"))
    assert page.get_by_label("First name").input_value() == "Dirk"
    page.get_by_label("show my name on the leaderboard").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Your preferences are saved.").is_visible()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.select_option("#language-select", "nl")  # the menu changes only with its button
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="Change").click()
    assert page.get_by_label("Voornaam").input_value() == "Dirk"
    page.set_viewport_size({"width": 390, "height": 844})
    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="Wijzigen").click()

    page.goto(f"{live_server.url}/items/open-day/")
    with page.context.expect_page():
        page.get_by_role("button", name="Share on LinkedIn").click()
    page.get_by_text("Logged: you shared on LinkedIn.").wait_for()
    assert Share.objects.filter(ambassador__user__email="dirk.jansen@example.com").count() == 1

    other = browser.new_context(viewport={"width": 390, "height": 844})
    other_page = other.new_page()
    login(other_page, colleague.user)
    other_page.goto(f"{live_server.url}/leaderboard/")
    board = other_page.locator("main")
    assert board.get_by_text("Dirk J. <Sales>", exact=True).is_visible()
    other.close()

    SiteSettings.objects.update_or_create(pk=1, defaults={"digests_enabled": True})
    dirk = Ambassador.objects.get(user__email="dirk.jansen@example.com")
    mail.outbox.clear()
    period = digest_period(moment=timezone.now(), time_zone=dirk.time_zone)
    digest_batch_send(run_id=None, period=period, ambassador_ids=[dirk.pk])
    (digest,) = mail.outbox
    assert digest.to == ["dirk.jansen@example.com"]
    assert "Hi Dirk,\n" in digest.body
    assert "Hi Dirk," in digest.alternatives[0][0]

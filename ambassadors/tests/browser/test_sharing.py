"""An ambassador shares an item to LinkedIn in a real browser; a visit to the tracked link
is counted. Network pages are intercepted (page.route), never loaded."""

import re

import pytest

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"  # noqa: E501


@pytest.fixture
def browser_context_args(browser_context_args):
    # Headless Chromium says "HeadlessChrome", which we rightly count as a bot.
    return {**browser_context_args, "user_agent": CHROME}


@pytest.mark.django_db(transaction=True)
def test_share_to_linkedin_is_logged_and_the_tracked_link_counts_a_click(page, live_server, login):
    from ambassadors.models import Click, Share, TrackedLink
    from ambassadors.tests.factories import (
        AmbassadorFactory,
        GuidelinesFactory,
        ItemFactory,
        ShareTextFactory,
    )
    from ambassadors.tracking import clicks, links

    links.link_cache_clear()
    GuidelinesFactory(version=1)
    ambassador = AmbassadorFactory(user__email="sharer@example.com")
    item = ItemFactory(
        live=True,
        slug="open-day",
        title="Open day",
        link="https://example.com/open-day",
        author=None,  # no Comms group needed (a transactional flush removes it)
    )
    ShareTextFactory(item=item, network="linkedin", text="Come to our open day!")

    intents: list[str] = []

    def linkedin(route):
        intents.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>LinkedIn (stub)</h1>")

    def article(route):
        route.fulfill(status=200, content_type="text/html", body="<h1>Open day</h1>")

    page.context.route(re.compile(r"^https://www\.linkedin\.com/.*"), linkedin)
    page.context.route(re.compile(r"^https://example\.com/.*"), article)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    login(page, ambassador.user)
    page.goto(f"{live_server.url}/items/open-day/")
    text = page.locator("#text-linkedin")
    # The ambassador edits only their words; the disclosure line is added when sharing.
    assert text.input_value() == "Come to our open day!"
    line = page.locator("#share-linkedin [data-disclosure-line]")
    assert line.inner_text() == "We add this line after your text: #employee"
    assert line.is_visible()
    text.fill("Our open day is on Saturday.")
    page.locator("#share-linkedin").screenshot(path="/tmp/wtfixA-disclosure.png")  # noqa: S108

    with page.context.expect_page() as popup_info:
        page.get_by_role("button", name="Share on LinkedIn").click()
    popup = popup_info.value
    popup.wait_for_url(re.compile(r"^https://www\.linkedin\.com/feed/\?shareActive=true&text="))

    logged = page.get_by_text("Logged: you shared on LinkedIn.")
    logged.wait_for()
    assert logged.is_visible()
    assert page.get_by_text("We opened LinkedIn with your text.").is_visible()
    assert page.evaluate("navigator.clipboard.readText()") == (
        "Our open day is on Saturday.\n\n#employee"
    )

    share = Share.objects.get()
    assert (share.ambassador_id, share.item_id, share.network) == (
        ambassador.pk,
        item.pk,
        "linkedin",
    )
    link = TrackedLink.objects.get(network="linkedin")
    assert len(intents) == 1
    assert "text=Our%20open%20day%20is%20on%20Saturday.%0A%0A%23employee%0A%0A" in intents[0]
    assert intents[0].endswith("%2Fs%2F" + link.code)

    # Chromium resolves a redirect's target before page.route sees it, and this machine
    # has no DNS: make the visit with the browser context's own HTTP client instead.
    visit = page.request.get(
        f"{live_server.url}/s/{link.code}", max_redirects=0, headers={"User-Agent": CHROME}
    )
    assert visit.status == 302
    assert visit.headers["location"] == (
        "https://example.com/open-day"
        "?utm_source=linkedin&utm_medium=ambassador&utm_campaign=open-day"
    )
    assert clicks.pump.wait_idle()
    clicks.clicks_flush()
    click = Click.objects.get()
    assert (click.link_id, click.is_bot, click.is_unique) == (link.pk, False, True)


@pytest.mark.django_db(transaction=True)
def test_new_guidelines_send_the_ambassador_to_join_before_sharing(page, live_server, login):
    from ambassadors.models import Share
    from ambassadors.tests.factories import AmbassadorFactory, GuidelinesFactory, ItemFactory

    GuidelinesFactory(version=1)
    ambassador = AmbassadorFactory(user__email="late@example.com", guidelines_version=1)
    ItemFactory(live=True, slug="news", title="News", link="https://example.com/n", author=None)
    login(page, ambassador.user)
    page.goto(f"{live_server.url}/items/news/")
    GuidelinesFactory(version=2)

    with page.context.expect_page() as popup_info:
        page.get_by_role("button", name="Share on LinkedIn").click()
    popup = popup_info.value
    page.wait_for_url(f"{live_server.url}/join/?next=%2Fitems%2Fnews%2F%23share-linkedin")
    assert page.get_by_text("Please accept them to share again.").is_visible()
    if not popup.is_closed():  # it may have closed before we started to wait
        popup.wait_for_event("close")
    assert popup.is_closed()
    assert Share.objects.count() == 0

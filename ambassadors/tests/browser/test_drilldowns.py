"""Comms open the reports, click through to an item and a department, and read the charts
at phone width (390 px): the horizontal charts show, the wide ones hide, labels stay
legible, and no script is needed."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

SHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}-{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "nl"])
def test_comms_click_through_and_read_charts_on_a_phone(browser, live_server, login, language):
    from ambassadors.reporting.rollups.build import rollups_refresh
    from ambassadors.tests.factories import (
        AmbassadorFactory,
        ClickFactory,
        CommsUserFactory,
        DepartmentFactory,
        GuidelinesFactory,
        ItemFactory,
        ShareFactory,
        TrackedLinkFactory,
    )

    GuidelinesFactory(version=1)
    sales = DepartmentFactory(name="Sales")
    anna = AmbassadorFactory(
        department=sales, leaderboard_visible=True, user__first_name="Anna", user__last_name="Smit"
    )
    item = ItemFactory(live=True, title="Solar roofs on every office")
    now = timezone.now()
    for days, network in ((1, "linkedin"), (2, "x"), (9, "linkedin"), (0, "bluesky")):
        ShareFactory(
            ambassador=anna, item=item, network=network, created_at=now - timedelta(days=days)
        )
    link = TrackedLinkFactory(ambassador=anna, item=item, network="linkedin")
    for days in (1, 1, 3):
        ClickFactory(link=link, at=now - timedelta(days=days))
    rollups_refresh()  # past days from the rollups, today from the raw rows
    comms = CommsUserFactory(email="phone@example.com")

    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="nl-NL" if language == "nl" else "en-GB",
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    scripts = []
    page.on("console", lambda message: scripts.append(message.text))
    login(page, comms)
    page.goto(f"{live_server.url}/studio/reports/?period=30d")
    assert page.locator("#figure-shares").inner_text() == "4"
    # phone: the horizontal twin shows, the wide chart hides
    assert page.locator("svg#chart-shares-narrow").is_visible()
    assert not page.locator("svg#chart-shares").is_visible()
    label = page.locator("svg#chart-shares-narrow text.chart-label").first
    assert label.evaluate("e => e.getBoundingClientRect().height") >= 11  # px on screen
    _shot(page, f"reports-{language}-390")

    page.locator("#table-items a", has_text="Solar roofs").click()
    page.wait_for_url(f"**/studio/reports/items/{item.pk}/?period=30d*")
    assert page.get_by_role("heading", name="Solar roofs on every office").is_visible()
    assert page.locator("#figure-shares").inner_text() == "4"
    assert page.locator("#figure-clicks").inner_text() == "3"
    assert page.locator("#table-people").inner_text().count("Anna Smit") == 1
    assert page.locator("svg#item-shares-narrow").is_visible()
    _shot(page, f"item-{language}-390")

    page.locator("#table-departments a", has_text="Sales").click()
    page.wait_for_url(f"**/studio/reports/departments/{sales.pk}/?period=30d*")
    assert page.locator("#figure-participation").inner_text().startswith("1 / 1")
    assert page.locator("svg#department-sharers-narrow").is_visible()
    _shot(page, f"department-{language}-390")

    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator("svg#department-shares").is_visible()
    assert not page.locator("svg#department-shares-narrow").is_visible()
    _shot(page, f"department-{language}-1366")
    assert not [text for text in scripts if "Content Security Policy" in text]
    context.close()

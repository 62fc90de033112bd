"""Comms read the reports, change the period and download a CSV; an ambassador's suggestion
becomes a draft item when comms accept it."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.mark.django_db(transaction=True)
def test_comms_change_the_period_see_the_chart_and_export_csv(page, live_server, login):
    from ambassadors.tests.factories import (
        AmbassadorFactory,
        CommsUserFactory,
        GuidelinesFactory,
        ShareFactory,
    )

    GuidelinesFactory(version=1)
    ambassador = AmbassadorFactory()
    now = timezone.now()
    for days, network in ((1, "linkedin"), (2, "x"), (20, "linkedin")):
        ShareFactory(ambassador=ambassador, network=network, created_at=now - timedelta(days=days))
    comms = CommsUserFactory(email="reports@example.com")

    login(page, comms)
    page.goto(f"{live_server.url}/studio/reports/")
    assert page.get_by_role("heading", name="Reports", exact=True).is_visible()
    assert page.locator("#figure-shares").inner_text() == "3"

    page.select_option("select[name=period]", "7d")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/studio/reports/?period=7d*")
    assert page.locator("#figure-shares").inner_text() == "2"
    assert "(Last 7 days)" in page.locator("#report-period").inner_text()

    chart = page.locator("svg#chart-shares")
    assert chart.is_visible()
    assert chart.locator("rect.chart-bar").count() == 7
    assert page.locator("#table-over-time tbody tr").count() == 7

    with page.expect_download() as download_info:
        page.locator("#h-networks ~ .report-export a").click()
    download = download_info.value
    assert download.suggested_filename.startswith("networks-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows == [
        ["Network", "Shares", "Clicks", "Unique clicks"],
        ["LinkedIn", "1", "0", "0"],
        ["X", "1", "0", "0"],
    ]


@pytest.mark.django_db(transaction=True)
def test_a_suggestion_becomes_a_draft(browser, live_server, login):
    from ambassadors.models import Item, Suggestion
    from ambassadors.tests.factories import (
        AmbassadorFactory,
        CommsUserFactory,
        GuidelinesFactory,
    )

    GuidelinesFactory(version=1)
    ambassador = AmbassadorFactory(user__email="idea@example.com", user__first_name="Ida")
    comms = CommsUserFactory(email="queue@example.com")

    page = browser.new_page()
    login(page, ambassador.user)
    page.get_by_role("link", name="Suggestions").first.click()
    page.fill("input[name=link]", "https://example.com/our-award")
    page.fill("textarea[name=note]", "We won a prize for our bike plan")
    page.get_by_role("button", name="Send suggestion").click()
    assert page.get_by_text("Thank you! The comms team will look at your suggestion").is_visible()
    assert page.get_by_text("The comms team has not looked at it yet.").is_visible()
    page.close()

    page = browser.new_page()
    login(page, comms)
    page.goto(f"{live_server.url}/studio/suggestions/")
    assert page.get_by_text("https://example.com/our-award").is_visible()
    page.get_by_role("button", name="Accept and make a draft").click()
    page.wait_for_url(re.compile(r"/studio/items/\d+/edit/$"))  # straight to the new draft
    assert page.get_by_text("Draft made. Check it, then send it for review.").is_visible()
    assert page.locator("input[name=title]").input_value() == "We won a prize for our bike plan"
    page.close()

    item = Item.objects.get()
    assert (item.status, item.link, item.author) == (
        "draft",
        "https://example.com/our-award",
        comms,
    )
    assert Suggestion.objects.get().item == item

    page = browser.new_page()
    login(page, ambassador.user)
    page.goto(f"{live_server.url}/suggestions/")
    assert page.get_by_text("The comms team is writing a post about it.").is_visible()
    page.close()

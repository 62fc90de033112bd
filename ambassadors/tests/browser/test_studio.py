"""A comms member writes an item while the plain-language panel follows along, sends it for
review, a colleague approves it, and it shows in the preview as ambassadors will see it."""

import re

import pytest
from playwright.sync_api import expect

CORPORATE = (
    "In order to facilitate the organisational transformation, stakeholders are expected to "
    "leverage synergistic capabilities and operationalise comprehensive, cross-functional "
    "deliverables, thereby institutionalising sustainable value creation across the "
    "enterprise ecosystem while simultaneously optimising strategic alignment."
)
PLAIN = (
    "We opened a new office in Utrecht. It is next to the station. There is room for two "
    "hundred people. You can park your bike in the basement. The roof has a garden with "
    "benches. Come and have a look. We would love to see you there."
)


@pytest.mark.django_db(transaction=True)
def test_write_check_submit_approve_and_preview(page, live_server, login):
    from ambassadors.models import Item
    from ambassadors.tests.factories import CommsUserFactory

    writer = CommsUserFactory(email="writer@example.com")
    reviewer = CommsUserFactory(email="checker@example.com")
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    login(page, writer)
    page.goto(f"{live_server.url}/studio/items/new/")
    panel = page.locator("#plain-language-panel")
    page.fill("#id_title", "Our new office")
    page.locator("#id_body").press_sequentially(CORPORATE[:60], delay=5)
    page.fill("#id_body", CORPORATE)
    expect(panel).to_contain_text("Hard to read", timeout=10_000)
    page.fill("#id_body", "")
    page.locator("#id_body").press_sequentially(PLAIN, delay=2)
    expect(panel).to_contain_text("Plain: easy to read", timeout=10_000)

    page.select_option("#id_texts-0-network", "x")
    page.fill("#id_texts-0-text", "Our new office in Utrecht is open!")
    expect(page.locator(".share-text-row .share-count").first).to_have_text(
        re.compile(r"^\d+ / 280$")
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Our new office")).to_be_visible()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("This is your own item.")).to_be_visible()
    item = Item.objects.get()
    assert item.status == Item.Status.IN_REVIEW

    page.context.clear_cookies()
    login(page, reviewer)
    page.goto(f"{live_server.url}/studio/review/")
    page.get_by_role("link", name="Our new office").click()
    page.get_by_role("link", name="Approve and publish").click()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text("Published. It is in the feed now.")).to_be_visible()

    preview = page.locator(".preview")
    expect(preview.locator(".item-card")).to_contain_text("Our new office")
    expect(preview).to_contain_text("Our new office in Utrecht is open!")
    expect(page.locator(".history")).to_contain_text("Approved")
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert item.is_live()
    assert csp_errors == []


@pytest.mark.django_db(transaction=True)
def test_leaving_the_editor_with_unsaved_changes_asks_first(page, live_server, login):
    from ambassadors.tests.factories import CommsUserFactory

    login(page, CommsUserFactory(email="writer@example.com"))
    page.goto(f"{live_server.url}/studio/items/new/")
    page.locator("#id_title").press_sequentially("Half a thought", delay=5)
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator(".studio-nav").get_by_role("link", name="Items").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url == f"{live_server.url}/studio/items/new/"
    page.remove_listener("dialog", dismiss)

    page.get_by_role("button", name="Save", exact=True).click()  # saving never asks
    expect(page.get_by_role("heading", level=1, name="Half a thought")).to_be_visible()
    assert dialogs == ["beforeunload"]


@pytest.mark.django_db(transaction=True)
def test_panel_warns_when_the_text_is_in_the_other_language(page, live_server, login):
    from ambassadors.tests.factories import CommsUserFactory

    login(page, CommsUserFactory(email="writer@example.com"))
    page.goto(f"{live_server.url}/studio/items/new/")
    panel = page.locator("#plain-language-panel")
    page.select_option("#id_language", "nl")
    page.fill("#id_title", "Open day")
    page.fill("#id_body", PLAIN)
    page.locator("#id_body").press("End")
    page.locator("#id_body").type(" ")
    expect(panel).to_contain_text("seems to be in English", timeout=10_000)
    expect(panel).to_contain_text("Plain: easy to read")
    page.select_option("#id_language", "en")
    expect(panel).not_to_contain_text("seems to be in", timeout=10_000)

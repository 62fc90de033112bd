"""Comms paste a link and see its preview; add a source, see its entries in the ideas inbox
and make a draft from one."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

FEEDS = Path(__file__).resolve().parents[1] / "feeds"
OG_PAGE = b"""<!doctype html><html><head><title>Old title</title>
<meta property="og:title" content="Acme opens in Leeds">
<meta property="og:description" content="We are hiring 120 people.">
</head><body></body></html>"""


def shoot(page, name: str) -> None:
    """Screenshots for a human to look at, only when PORTAL_SCREENSHOTS names a folder."""
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"sources-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_preview_then_source_inbox_and_draft(page, live_server, login, local_server):
    from ambassadors.models import Item, SourceEntry
    from ambassadors.tests.factories import CommsUserFactory

    script_errors: list[str] = []
    page.on(
        "console",
        lambda msg: script_errors.append(msg.text) if "script-src" in msg.text else None,
    )
    login(page, CommsUserFactory(email="writer@example.com"))

    # Paste a link: the preview offers its title and summary.
    story = local_server.route("/story", body=OG_PAGE, content_type="text/html")
    page.goto(f"{live_server.url}/studio/items/new/")
    page.fill("#id_link", story)
    preview = page.locator("[data-link-preview]")
    expect(preview).to_contain_text("Acme opens in Leeds", timeout=10_000)
    expect(preview).to_contain_text("We are hiring 120 people.")
    page.get_by_role("button", name="Use this title").click()
    expect(page.locator("#id_title")).to_have_value("Acme opens in Leeds")
    page.get_by_role("button", name="Use this summary").click()
    expect(page.locator("#id_body")).to_have_value("We are hiring 120 people.")
    page.set_viewport_size({"width": 390, "height": 900})
    shoot(page, "preview-390")

    # Add a source: it is checked at once and its entries show in the inbox.
    page.set_viewport_size({"width": 1366, "height": 900})
    feed = local_server.route("/feed.xml", body=(FEEDS / "rss2_en.xml").read_bytes())
    page.once("dialog", lambda dialog: dialog.accept())  # leaving the unsaved item form
    page.goto(f"{live_server.url}/studio/sources/")
    page.fill("#id_name", "Acme Newsroom")
    page.fill("#id_url", feed)
    page.get_by_role("button", name="Add and check").click()
    expect(page.get_by_text("Checked “Acme Newsroom”: 3 new entries.")).to_be_visible()
    shoot(page, "sources-1366")

    page.get_by_role("navigation", name="Ideas").get_by_role("link", name="Inbox").click()
    card = page.locator(".idea").filter(has_text="Acme opens a new office in Leeds")
    expect(card).to_be_visible()
    expect(page.locator(".idea")).to_have_count(3)
    shoot(page, "ideas-1366")
    page.set_viewport_size({"width": 390, "height": 900})
    shoot(page, "ideas-390")

    card.get_by_role("button", name="Draft from this").click()
    expect(page.locator("#id_title")).to_have_value("Acme opens a new office in Leeds")
    item = Item.objects.get()
    assert (item.status, item.body) == ("draft", "We are hiring 120 people in Leeds & York.")
    assert SourceEntry.objects.get(item=item).status == "drafted"
    page.goto(f"{live_server.url}/studio/ideas/")
    expect(page.locator(".idea")).to_have_count(2)
    assert script_errors == []

"""Issue 12 in a real browser, at the two most common desktop sizes: a reviewer approves a
hard-to-read text with the mouse (the plain-language card never covers the form), and a
failed save lands on the error summary with the chosen picture kept."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from ambassadors.tests.test_publishing import CORPORATE_EN

SIZES = [(1366, 768), (1920, 1080)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_reviewer_approves_a_hard_to_read_text_with_the_mouse(
    page, live_server, login, width, height
):
    from ambassadors.models import AuditEvent, Item
    from ambassadors.publishing.items import item_create
    from ambassadors.publishing.workflow import item_submit
    from ambassadors.tests.factories import CommsUserFactory

    author = CommsUserFactory(email="author@example.com")
    reviewer = CommsUserFactory(email="reviewer@example.com")
    # A long, dense text: the report card is tall (many long sentences and jargon words).
    item = item_create(by=author, title="Our strategy", body="\n\n".join([CORPORATE_EN] * 6))
    item_submit(item=item, by=author)

    page.set_viewport_size({"width": width, "height": height})
    login(page, reviewer)
    page.goto(f"{live_server.url}/studio/items/{item.pk}/approve/")
    card = page.locator(".confirm-report")
    box = card.bounding_box()
    assert box["height"] <= height * 0.5
    tick = page.get_by_label("I know this text is hard to read. Publish it anyway.")
    tick.scroll_into_view_if_needed()
    # click() moves the mouse there and fails if anything else would receive the click.
    tick.click()
    page.get_by_label("Note (optional)").click()
    page.keyboard.type("Fine for the board")
    page.get_by_role("button", name="Approve and publish").click()
    page.wait_for_url(f"**/studio/items/{item.pk}/")
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.OVERRIDE_CORPORATE, actor=reviewer
    ).exists()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_failed_save_lands_on_the_error_summary_and_keeps_the_picture(
    page, live_server, login, width, height
):
    from ambassadors.models import Item
    from ambassadors.tests.factories import CommsUserFactory

    comms = CommsUserFactory(email="writer@example.com")
    page.set_viewport_size({"width": width, "height": height})
    login(page, comms)
    page.goto(f"{live_server.url}/studio/items/new/")
    page.fill("#id_title", "Our new office")
    page.fill("#id_body", "We opened a new office. It is next to the station.")
    page.set_input_files(
        "#id_image", files=[{"name": "office.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.fill("#id_image_alt", "The new office")
    page.fill("#id_expires_at", "2020-01-01T10:00")  # already past: refused by the server
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    top = summary.bounding_box()["y"]
    assert 0 <= top < height
    assert "This end date has passed" in summary.inner_text()
    assert page.get_by_text("We kept your picture office.png").is_visible()

    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_expires_at"
    page.fill("#id_expires_at", "")
    page.get_by_role("button", name="Save", exact=True).click()
    # (The browser keeps the summary link's #fragment across the redirect.)
    page.wait_for_url(re.compile(r"/studio/items/\d+/(#.*)?$"))
    item = Item.objects.get()
    assert item.image.name.endswith(".png")
    assert item.expires_at is None


@pytest.mark.django_db(transaction=True)
def test_the_plain_language_panel_sits_under_the_text_on_a_phone_and_fits_on_a_laptop(
    page, live_server, login
):
    from ambassadors.tests.factories import CommsUserFactory

    login(page, CommsUserFactory(email="writer@example.com"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/studio/items/new/")
    page.fill("#id_title", "Strategy")
    page.fill("#id_body", "\n\n".join([CORPORATE_EN] * 4))
    page.locator("#plain-language-panel .band").first.wait_for()
    body = page.locator("#id_body").bounding_box()
    panel = page.locator(".plain-language").bounding_box()
    assert 0 <= panel["y"] - (body["y"] + body["height"]) < 60
    page.set_viewport_size({"width": 1366, "height": 768})
    page.wait_for_timeout(200)
    panel = page.locator(".plain-language").bounding_box()
    assert panel["x"] > body["x"] + 400  # back in the side column
    assert panel["height"] <= 768  # scrolls within itself: every suggestion reachable

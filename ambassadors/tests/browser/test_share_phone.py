"""Sharing on a phone (390 px): the share sheet logs only what was shared, with the words the
ambassador edited; the live counter; LinkedIn's composer gets the text and the link.
Network pages are intercepted (page.route), never loaded."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

PHONE = {"width": 390, "height": 844}
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"  # noqa: E501

# Chromium on Linux has no share sheet: a stub records what it was given and resolves or
# rejects as the test says (window.__shareOutcome).
SHARE_STUB = """
window.__shared = [];
window.__shareOutcome = "resolve";
navigator.share = function (data) {
  window.__shared.push({ title: data.title, text: data.text, url: data.url || "",
                         files: (data.files || []).length });
  if (window.__shareOutcome === "resolve") { return Promise.resolve(); }
  return Promise.reject(new DOMException("Share canceled", "AbortError"));
};
navigator.canShare = function (data) { return true; };
"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "user_agent": CHROME, "viewport": PHONE}


def _setup():
    from ambassadors.tests.factories import (
        AmbassadorFactory,
        GuidelinesFactory,
        ItemFactory,
        ShareTextFactory,
    )

    GuidelinesFactory(version=1)
    ambassador = AmbassadorFactory(user__email="phone@example.com")
    item = ItemFactory(
        live=True, slug="open-day", title="Open day", link="https://example.com/o", author=None
    )
    ShareTextFactory(item=item, network="linkedin", text="Come to our open day!")
    return ambassador, item


@pytest.mark.django_db(transaction=True)
def test_share_sheet_cancel_logs_nothing_and_success_logs_the_edited_text(page, live_server, login):
    from ambassadors.models import Share, TrackedLink

    ambassador, _item = _setup()
    page.add_init_script(SHARE_STUB)
    login(page, ambassador.user)
    page.goto(f"{live_server.url}/items/open-day/")
    text = page.locator("#text-native")
    text.wait_for()
    assert text.is_visible()
    text.fill("Mijn eigen woorden: kom zaterdag!")

    page.evaluate("window.__shareOutcome = 'reject'")
    page.get_by_role("button", name="Share with an app on this phone").click()
    page.wait_for_function("window.__shared.length === 1")
    page.wait_for_timeout(300)
    assert Share.objects.count() == 0
    assert not page.get_by_text("Logged: you shared with an app.").is_visible()

    page.evaluate("window.__shareOutcome = 'resolve'")
    page.get_by_role("button", name="Share with an app on this phone").click()
    page.get_by_text("Logged: you shared with an app.").wait_for()
    shared = page.evaluate("window.__shared")
    link = TrackedLink.objects.get(network="native")
    url = f"{settings.SITE_URL}/s/{link.code}"
    assert shared[1] == {
        "title": "Open day",
        "text": "Mijn eigen woorden: kom zaterdag!\n\n#employee",  # the line is added
        "url": url,
        "files": 0,
    }
    share = Share.objects.get()
    assert (share.network, share.ambassador_id) == ("native", ambassador.pk)
    page.screenshot(path="/tmp/wt19-share-sheet-390.png", full_page=True)  # noqa: S108


@pytest.mark.django_db(transaction=True)
def test_live_counter_counts_the_link_and_warns_before_shortening(page, live_server, login):
    ambassador, _item = _setup()
    login(page, ambassador.user)
    page.goto(f"{live_server.url}/items/open-day/")
    page.locator("#share-x summary").click()
    area = page.locator("#text-x")
    counter = page.locator("#count-x")
    area.fill("Hallo 🎉 https://example.com/" + "a" * 80)
    # 5 + 1 + 2 (emoji) + 1 + 23 (link in the text) + 2 + 9 ("#employee", the line we add)
    # + 1 + 23 (our link) = 67
    assert counter.inner_text() == "67 of 280 characters, with the link"
    area.fill("woord " * 50)  # 299 + 11 + 24 = 334
    assert counter.inner_text().startswith("334 of 280 characters, with the link: too long.")
    assert "is-over" in (counter.get_attribute("class") or "")
    page.locator("#share-bluesky summary").click()
    page.locator("#text-bluesky").fill("🇳🇱👍🏽 é")
    link_length = 1 + len(f"{settings.SITE_URL}/s/") + 10
    assert page.locator("#count-bluesky").inner_text() == (
        f"{4 + 11 + link_length} of 300 characters, with the link"
    )
    page.screenshot(path="/tmp/wt19-counter-390.png", full_page=True)  # noqa: S108


@pytest.mark.django_db(transaction=True)
def test_linkedin_composer_gets_the_edited_text_and_the_link(page, live_server, login):
    from ambassadors.models import Share, TrackedLink

    ambassador, _item = _setup()
    opened: list[str] = []

    def linkedin(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>LinkedIn (stub)</h1>")

    page.context.route(re.compile(r"^https://www\.linkedin\.com/.*"), linkedin)
    login(page, ambassador.user)
    page.goto(f"{live_server.url}/items/open-day/")
    page.locator("#text-linkedin").fill("Zaterdag open dag, één keer per jaar.")
    with page.context.expect_page() as popup_info:
        page.get_by_role("button", name="Share on LinkedIn").click()
    popup_info.value.wait_for_load_state()
    page.get_by_text("Logged: you shared on LinkedIn.").wait_for()
    link = TrackedLink.objects.get(network="linkedin")
    assert len(opened) == 1
    parts = urlsplit(opened[0])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/feed/"
    assert parse_qs(parts.query) == {
        "shareActive": ["true"],
        "text": [
            "Zaterdag open dag, één keer per jaar.\n\n#employee\n\n"
            f"{settings.SITE_URL}/s/{link.code}"
        ],
    }
    assert Share.objects.get().network == "linkedin"


@pytest.mark.django_db(transaction=True)
def test_share_sheet_offers_the_picture_where_the_device_can_share_files(page, live_server, login):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from ambassadors.models import Share

    ambassador, item = _setup()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, "PNG")
    item.image = SimpleUploadedFile("open-day.png", buffer.getvalue(), content_type="image/png")
    item.image_alt = "Our office"
    item.save()
    png = buffer.getvalue()
    # The test server does not serve uploads: the browser gets the picture from here.
    page.context.route(
        re.compile(r".*/media/.*"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=png),
    )
    page.add_init_script(SHARE_STUB)
    login(page, ambassador.user)
    page.goto(f"{live_server.url}/items/open-day/")
    picture = page.get_by_label("Add the picture")
    picture.wait_for()
    assert picture.is_checked()
    page.locator("#text-native").fill("Met foto!")
    page.get_by_role("button", name="Share with an app on this phone").click()
    page.get_by_text("Logged: you shared with an app.").wait_for()
    (shared,) = page.evaluate("window.__shared")
    assert shared["files"] == 1
    # With a file, apps get the link inside the text (many drop a separate url).
    assert shared["text"].startswith("Met foto!\n\n#employee\n\n")
    assert shared["text"].endswith("/s/" + item.links.get(network="native").code)
    assert Share.objects.get().network == "native"


MIRROR_TEXTS = [
    "Één café, één ruïne: wij zijn trots!",
    "Familie 👨\u200d👩\u200d👧 en vlag 🇳🇱 en duim 👍🏽",
    "Lees https://www.example.com/nieuws/2026/een-heel-lang-pad?met=query meer",
    "日本語のテキスト and English",
    "Zie example.com en www.example.nl/pad voor meer",
]


@pytest.mark.django_db(transaction=True)
def test_live_counter_counts_like_the_server(page, live_server, login):
    """static/js/sharing.js mirrors ambassadors/intents.py: same numbers for the same text."""
    from ambassadors import intents

    ambassador, _item = _setup()
    login(page, ambassador.user)
    page.goto(f"{live_server.url}/items/open-day/")
    url = f"{settings.SITE_URL}/s/" + "A" * 10
    for network in ("x", "bluesky", "threads", "mastodon", "linkedin"):
        details = page.locator(f"#share-{network}")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        for text in MIRROR_TEXTS:
            page.locator(f"#text-{network}").fill(text)
            shown = page.locator(f"#count-{network}").inner_text().split(" ")[0]
            expected = intents.post_length(network, f"{text}\n\n#employee", url)
            assert (network, text, int(shown.replace(",", ""))) == (network, text, expected)

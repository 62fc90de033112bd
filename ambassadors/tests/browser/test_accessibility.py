"""WCAG 2.1 AA: axe-core over the main pages, at phone and desktop width, in English and
Dutch, must find nothing. Plus the keyboard checks axe cannot make (focusable scroll
regions, no invisible tab stops, a language menu that does not switch on arrow keys).

axe-core is vendored as a test fixture (fixtures/axe.min.js, from the npm registry, MPL-2.0)
and injected with the page's CSP bypassed in this browser context only: the site's own
policy stays as strict as in production.
"""

import re
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "fixtures" / "axe.min.js"
WIDTHS = [390, 1366]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"  # noqa: E501


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True, "user_agent": CHROME}


def _world():
    from django.utils import timezone

    from ambassadors.models import Language
    from ambassadors.tests.factories import (
        AmbassadorFactory,
        CommsUserFactory,
        DepartmentFactory,
        GuidelinesFactory,
        ItemFactory,
        ShareFactory,
        ShareTextFactory,
        TopicFactory,
    )

    GuidelinesFactory(version=1)
    news = TopicFactory(slug="news", name="News", name_nl="Nieuws")
    department = DepartmentFactory(name="Sales", name_nl="Verkoop")
    comms = CommsUserFactory(email="comms@example.com")
    ambassador = AmbassadorFactory(user=comms, department=department, topics=[news])
    english = ItemFactory(
        live=True,
        slug="open-day",
        title="Open day at our office",
        body="Come and see **our new office**.",
        link="https://example.com/open-day",
        is_featured=True,
        topics=[news],
        author=None,
    )
    ItemFactory(
        live=True,
        slug="open-dag",
        title="Open dag op ons kantoor",
        language=Language.NL,
        translation_of=english,
        author=None,
    )
    ItemFactory(live=True, slug="old-news", title="Old news", author=None,
                publish_at=timezone.now() - timezone.timedelta(days=40))  # fmt: skip
    ShareTextFactory(item=english, network="linkedin", text="Come to our open day!")
    for network in ("linkedin", "x", "whatsapp"):
        ShareFactory(ambassador=ambassador, item=english, network=network)
    return ambassador


FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return {
        tag: el.tagName, text: (el.textContent || "").trim().slice(0, 30), w: r.width,
        h: r.height, hidden: s.visibility === "hidden" || s.opacity === "0",
    };
}"""

PAGES = [
    "/",
    "/?network=whatsapp",
    "/items/open-day/",
    "/me/",
    "/leaderboard/",
    "/suggestions/",
    "/me/preferences/",
    "/join/",
    "/privacy/",
    "/me/data/",
    "/p/open-day/",
    "/s/NoSuchCode1",
    "/studio/",
    "/studio/reports/",
    "/studio/digests/",
    "/studio/settings/",
    "/accounts/email/",
]
ANONYMOUS = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]


def _axe(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }""",
        TAGS,
    )


@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_axe_violations(page, live_server, login):
    ambassador = _world()
    found = {}
    for language in ("en", "nl"):
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": "portal_language", "value": language, "url": live_server.url}]
        )
        for path in ANONYMOUS:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server.url + path)
                if violations := _axe(page):
                    found[(language, width, path)] = violations
        ambassador.language = language
        ambassador.save()
        login(page, ambassador.user)
        for path in PAGES:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server.url + path)
                if violations := _axe(page):
                    found[(language, width, path)] = violations
                if width == 390 and path in ("/", "/items/open-day/", "/me/preferences/", "/join/"):
                    name = re.sub(r"\W+", "-", path).strip("-") or "feed"
                    page.screenshot(path=f"/tmp/wt19-{name}-{language}-{width}.png", full_page=True)  # noqa: S108
    assert found == {}


@pytest.mark.django_db(transaction=True)
def test_keyboard_reaches_scrolling_tables_and_meets_no_invisible_stops(page, live_server, login):
    ambassador = _world()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, ambassador.user)
    page.goto(live_server.url + "/me/")
    wrap = page.locator(".table-wrap").first
    assert wrap.get_attribute("tabindex") == "0"
    assert wrap.get_attribute("role") == "region"
    # Tab through the whole page: every stop is visible.
    invisible = []
    for _ in range(60):
        page.keyboard.press("Tab")
        box = page.evaluate(FOCUSED)
        if box is None:
            break
        if box["w"] <= 1 or box["h"] <= 1 or box["hidden"]:
            invisible.append(box)
    assert invisible == []


@pytest.mark.django_db(transaction=True)
def test_language_menu_does_not_switch_on_arrow_keys(page, live_server, login):
    ambassador = _world()
    login(page, ambassador.user)
    page.goto(live_server.url + "/leaderboard/")
    select = page.locator("#language-select")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.url == live_server.url + "/leaderboard/"
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"


@pytest.mark.django_db(transaction=True)
def test_english_items_are_marked_english_in_the_dutch_interface(page, live_server, login):
    ambassador = _world()
    ambassador.language = "nl"
    ambassador.content_languages = "en"
    ambassador.save()
    login(page, ambassador.user)
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    card = page.locator("article.item-card", has_text="Open day at our office")
    assert card.get_attribute("lang") == "en"
    assert card.locator(".tags").get_attribute("lang") == "nl"
    page.goto(live_server.url + "/items/open-day/")
    assert page.locator("article.item-article").get_attribute("lang") == "en"
    assert page.locator("#text-linkedin").get_attribute("lang") == "en"


@pytest.mark.django_db(transaction=True)
def test_time_zone_search_and_the_devices_zone(page, live_server, login):
    from ambassadors.models import Ambassador

    ambassador = _world()
    page.context.set_extra_http_headers({})
    login(page, ambassador.user)
    page.goto(live_server.url + "/me/preferences/")
    search = page.get_by_label("Find a time zone")
    search.fill("kolk")
    options = page.locator("#id_time_zone option")
    values = options.evaluate_all("(all) => all.map(o => o.value)")
    assert values == ["Europe/Amsterdam", "Asia/Kolkata"]  # the chosen one stays
    page.select_option("#id_time_zone", "Asia/Kolkata")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert Ambassador.objects.get(pk=ambassador.pk).time_zone == "Asia/Kolkata"


@pytest.mark.django_db(transaction=True)
def test_preferences_offer_the_devices_time_zone(browser, live_server, login):
    from ambassadors.models import Ambassador

    ambassador = _world()
    context = browser.new_context(timezone_id="Europe/London", user_agent=CHROME)
    page = context.new_page()
    login(page, ambassador.user)
    page.goto(live_server.url + "/me/preferences/")
    hint = page.locator("[data-device-zone]")
    assert hint.is_visible()
    assert "Your phone or computer is set to London (UTC" in hint.inner_text()
    page.get_by_role("button", name="Use this time zone").click()
    assert page.locator("#id_time_zone").input_value() == "Europe/London"
    assert not hint.is_visible()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert Ambassador.objects.get(pk=ambassador.pk).time_zone == "Europe/London"
    context.close()

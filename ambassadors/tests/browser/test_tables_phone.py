"""Tables on a 390 px phone: the page never scrolls sideways, long cell content (diffs,
addresses, unbroken words) wraps inside its column, no row grows absurdly tall, and every
table sits in a focusable wrapper that says it scrolls."""

from __future__ import annotations

import os
import tempfile

import pytest

from ambassadors.tests.test_publishing import CORPORATE_EN, PLAIN_EN

SHOTS = os.path.join(tempfile.gettempdir(), "wt-fixB")  # screenshots to look at
PHONE = {"width": 390, "height": 844}
LONG_LINK = "https://example.com/news/" + "a-very-long-path-segment-without-breaks" * 4
UNBROKEN = "#" + "employeeambassadorprogramme" * 3  # 82 characters, no place to break


def page_facts(page) -> dict:
    return page.evaluate(
        """() => ({
            width: document.documentElement.scrollWidth,
            tallest: Math.max(0, ...[...document.querySelectorAll('tr')]
                .map(r => r.getBoundingClientRect().height)),
            bare: [...document.querySelectorAll('main table')]
                .filter(t => !t.parentElement.matches(
                    '.table-wrap[tabindex="0"][role="region"][aria-label]')).length,
            tables: document.querySelectorAll('main table').length,
        })"""
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "nl"])
def test_audit_and_settings_tables_fit_a_phone(page, live_server, login, language):
    from ambassadors.publishing.items import item_create, item_update
    from ambassadors.publishing.workflow import item_approve, item_submit
    from ambassadors.site_settings import site_settings_update
    from ambassadors.tests.factories import CommsLeadFactory, CommsUserFactory

    lead = CommsLeadFactory(email="lead.with.a.rather.long.address@example-company.com")
    other = CommsUserFactory(email="second.reviewer@example-company.com")
    for number in range(3):
        item = item_create(
            by=lead,
            title=f"Strategic realignment of our regional operations, part {number}",
            body="\n\n".join([CORPORATE_EN, PLAIN_EN] * 3),
            link=LONG_LINK,
            share_texts=[("linkedin", PLAIN_EN), ("x", UNBROKEN)],
        )
        item_submit(item=item, by=lead)
        item_approve(item=item, by=other, confirm_corporate=True)
        item_update(item=item, by=lead, title="Our plan", body=PLAIN_EN * 2)
    site_settings_update(by=lead, disclosure_en=UNBROKEN, disclosure_nl=UNBROKEN[:60])
    site_settings_update(by=lead, linkedin_share="offsite", review_required=False)

    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": "portal_language", "value": language, "url": live_server.url}]
    )
    login(page, lead)
    for path, name in [("/studio/audit/", "audit"), ("/studio/settings/", "settings")]:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=f"{SHOTS}-{name}-{language}-390.png", full_page=True)
        assert page.evaluate("document.documentElement.lang") == language
        facts = page_facts(page)
        assert facts["tables"] == 1, path
        assert facts["bare"] == 0, path
        assert facts["width"] <= PHONE["width"], (path, facts)
        assert facts["tallest"] <= 600, (path, facts)
        wrap = page.locator("main .table-wrap").first
        wrap.focus()  # reachable by keyboard, so it can be scrolled with the arrow keys
        assert page.evaluate("document.activeElement.classList.contains('table-wrap')")

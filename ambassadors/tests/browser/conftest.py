"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Every test here is marked ``browser`` (skips without Chromium, fails under
PORTAL_REQUIRE_SERVICES=1). Playwright's sync API runs an event loop in this thread, so
Django's async-safety check is off for these tests only (a fixture, never in settings).
"""

import os

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_next_to_playwright():
    """Playwright keeps its loop for the whole session, so this stays on once set; the root
    conftest runs browser tests last so no other test runs with it."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def login(live_server):
    """login(page, user) signs the page in through the real login form."""

    def sign_in(page, user, password="correct horse battery"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return sign_in

"""Project-wide fixtures and the rule for tests that need real services.

A test marked ``services("postgres", "redis", "worker")`` or ``browser`` skips with a reason
on a laptop without them, and fails instead under PORTAL_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def missing_service(name: str) -> str | None:
    """Why the named service cannot be used here, or None when it can."""
    from django.conf import settings

    if name == "postgres":
        engine = settings.DATABASES["default"]["ENGINE"]
        return None if "postgresql" in engine else "needs PostgreSQL (set DATABASE_URL)"
    if name in ("redis", "worker"):
        url = os.environ.get("REDIS_URL", "")
        if not url:
            return f"needs Redis for {name} (set REDIS_URL)"
        return None if _reachable(url) else f"Redis at {url} does not answer"
    if name == "browser":
        if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
            return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        return None
    return f"unknown service {name!r}"


def pytest_collection_modifyitems(items):
    """Browser tests last: Playwright's event loop stays up for the rest of the session."""
    items.sort(key=lambda item: "/browser/" in str(item.fspath))


def pytest_runtest_setup(item):
    needed: list[str] = []
    for marker in item.iter_markers("services"):
        needed.extend(marker.args)
    if item.get_closest_marker("browser"):
        needed.append("browser")
    for name in needed:
        reason = missing_service(name)
        if reason:
            if REQUIRE_SERVICES:
                pytest.fail(f"PORTAL_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reset_language():
    """A request activates its user's language for the thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _roles_after_flush(request):
    """A transactional test (browser, worker) ends with a flush that empties every table:
    permissions come back through post_migrate, the groups of migration 0002 do not."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        from ambassadors.roles import ensure_role_groups

        request.getfixturevalue("transactional_db")
        ensure_role_groups()


@pytest.fixture
def guidelines(db):
    from ambassadors.tests.factories import GuidelinesFactory

    return GuidelinesFactory(version=1)


@pytest.fixture
def employee(db):
    from ambassadors.tests.factories import UserFactory

    return UserFactory(email="employee@example.com")


@pytest.fixture
def ambassador(db, guidelines):
    from ambassadors.tests.factories import AmbassadorFactory

    return AmbassadorFactory(user__email="amber@example.com", guidelines_version=guidelines.version)


@pytest.fixture
def comms_user(db):
    from ambassadors.tests.factories import CommsUserFactory

    return CommsUserFactory(email="comms@example.com")


@pytest.fixture
def comms_user_2(db):
    from ambassadors.tests.factories import CommsUserFactory

    return CommsUserFactory(email="reviewer@example.com")


@pytest.fixture
def comms_lead(db):
    from ambassadors.tests.factories import CommsLeadFactory

    return CommsLeadFactory(email="lead@example.com")


@pytest.fixture
def client_as(client):
    """client_as(user) -> a test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def celery_redis_worker(transactional_db):
    """A real Celery worker (in-process thread) consuming from the real Redis broker.

    Needs ``@pytest.mark.services("redis")`` and ``django_db(transaction=True)``: the worker
    thread has its own database connection and cannot see uncommitted test rows.
    """
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.loader.import_task_module("celery.contrib.testing.tasks")
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False) as worker:
        yield worker

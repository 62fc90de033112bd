"""Fixtures shared by the app's test modules (project-wide ones live in /conftest.py).

The language needs no fixture: /conftest.py activates English before and after every test.
"""

from datetime import UTC, datetime

import pytest
import time_machine

from ambassadors.tests.mailbackends import ScriptedBackend

# Wednesday 25 November 2026, 14:00 UTC: where `now` stops time unless the module says otherwise.
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def now(request):
    """Time stands still (``tick=False``) for the whole test at the test module's ``NOW``
    (an aware datetime), or at this file's ``NOW`` when the module has none; the fixture's
    value is that moment."""
    moment = getattr(request.module, "NOW", NOW)
    with time_machine.travel(moment, tick=False):
        yield moment


@pytest.fixture
def review_off(db):
    """Site settings with review off: one comms member may publish without a second one."""
    from ambassadors.models import SiteSettings

    site = SiteSettings.load()
    site.review_required = False
    site.save()
    return site


@pytest.fixture
def scripted(settings):
    """An e-mail backend whose connection and send failures a test scripts in advance."""
    settings.EMAIL_BACKEND = "ambassadors.tests.mailbackends.ScriptedBackend"
    ScriptedBackend.reset()
    yield ScriptedBackend
    ScriptedBackend.reset()


@pytest.fixture
def local_server():
    """A local HTTP server (see feed_server.py) the safe fetcher may reach in tests."""
    from ambassadors.tests.feed_server import LocalServer

    server = LocalServer().start()
    yield server
    server.stop()

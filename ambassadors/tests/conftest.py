"""Fixtures shared by the app's test modules (project-wide ones live in /conftest.py)."""

import pytest

from ambassadors.tests.mailbackends import ScriptedBackend


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

"""Fault tests: the portal answers and recovers when a service misbehaves.

These start their own processes (gunicorn) and never stop the shared services.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.test import Client, override_settings

from ambassadors.tests.redis_server import own_redis
from ambassadors.tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database this test run uses (test_<name>), for child processes."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@contextmanager
def gunicorn(env: dict):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{port}",
            "--workers", "1", "--threads", "2", "--access-logfile", "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(base + "/healthz/web")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def terminate_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_web_recovers_from_cut_database_connections_without_a_restart(guidelines):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(),
    }
    with gunicorn(env) as base:
        assert get(base + "/healthz/web") == 200
        assert get(base + "/accounts/login/") == 200
        assert terminate_other_backends() >= 1
        # The persistent connection is dead; health checks replace it on the next request.
        statuses = [get(base + "/healthz/web") for _ in range(5)]
        assert statuses == [200] * 5
        assert get(base + "/accounts/login/") == 200


def stop(client: redis.Redis) -> None:
    with suppress(redis.exceptions.ConnectionError):
        client.shutdown(save=False)  # appendonly already has every write


@pytest.mark.services("redis-server")
@pytest.mark.django_db(transaction=True)
def test_redis_outage_keeps_pages_sharing_and_redirects_working_and_loses_no_click(
    tmp_path, guidelines
):
    from ambassadors.models import Click, Share
    from ambassadors.tests.factories import AmbassadorFactory, ItemFactory, TrackedLinkFactory
    from ambassadors.tracking import clicks

    port = free_port()
    ambassador = AmbassadorFactory(user__email="steady@example.com")
    item = ItemFactory(live=True, slug="steady", link="https://example.com/steady")
    link = TrackedLinkFactory(ambassador=ambassador, item=item, code="Steady1234")
    browser_ua = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"
    caches = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    def visit(n: int) -> int:
        return (
            Client(REMOTE_ADDR=f"198.51.100.{n}", HTTP_USER_AGENT=browser_ua)
            .get(f"/s/{link.code}")
            .status_code
        )

    with (
        override_settings(CACHES=caches, CLICK_BUFFER_URL=f"redis://127.0.0.1:{port}/0"),
        own_redis(tmp_path, port) as server,
    ):
        clicks.buffer.reset()
        assert [visit(n) for n in range(3)] == [302, 302, 302]
        assert clicks.pump.wait_idle()
        assert server.llen(clicks.BUFFER_KEY) == 3  # buffered, not yet in the database
        assert Click.objects.count() == 0

        stop(server)
        web = Client()
        response = web.post(
            "/accounts/login/",
            {"login": ambassador.user.email, "password": "correct horse battery"},
        )
        assert response.status_code == 302
        assert web.get("/").status_code == 200
        assert web.get(f"/items/{item.slug}/").status_code == 200
        assert web.post(f"/items/{item.slug}/share/linkedin/", {"text": "Hi"}).status_code == 302
        assert Share.objects.filter(ambassador=ambassador, item=item).count() == 1
        assert [visit(n) for n in range(3, 5)] == [302, 302]
        assert clicks.pump.wait_idle()
        assert Click.objects.count() == 2  # written straight to the database

    with (
        override_settings(CACHES=caches, CLICK_BUFFER_URL=f"redis://127.0.0.1:{port}/0"),
        own_redis(tmp_path, port) as server,
    ):
        clicks.buffer.reset()
        assert server.llen(clicks.BUFFER_KEY) == 3  # what was queued survived the outage
        assert clicks.clicks_flush() == 3
        assert Click.objects.count() == 5
        assert server.llen(clicks.BUFFER_KEY) == 0
    clicks.buffer.reset()


@pytest.mark.django_db
def test_smtp_down_during_a_digest_run_loses_and_doubles_nothing(settings):
    """The mail server is down for the first attempt, then comes back on the same port:
    the retry delivers everyone once, and running the batch again sends nobody a second."""
    from datetime import timedelta

    from django.utils import timezone

    from ambassadors.mail.delivery import TransientMailError
    from ambassadors.mail.digests.schedule import digest_period
    from ambassadors.mail.digests.sending import digest_batch_send
    from ambassadors.models import DeliveryStatus, DigestDelivery
    from ambassadors.tests.factories import AmbassadorFactory, GuidelinesFactory, ItemFactory
    from ambassadors.tests.smtp_sink import SmtpSink

    GuidelinesFactory(version=1)
    ItemFactory(live=True, publish_at=timezone.now() - timedelta(hours=2))
    people = [AmbassadorFactory(user__email=f"reader{n}@example.com") for n in range(4)]
    ids = [a.pk for a in people]
    period = digest_period(moment=timezone.now(), time_zone="Europe/Amsterdam")
    sink = SmtpSink()  # its port is chosen, the server not started yet: SMTP is down
    for name, value in sink.email_settings().items():
        setattr(settings, name, value)
    settings.EMAIL_TIMEOUT = 2

    with pytest.raises(TransientMailError):
        digest_batch_send(run_id=None, period=period, ambassador_ids=ids)
    assert DigestDelivery.objects.count() == 0  # claims released for the retry

    with sink:
        retry = digest_batch_send(run_id=None, period=period, ambassador_ids=ids, attempt=2)
        again = digest_batch_send(run_id=None, period=period, ambassador_ids=ids, attempt=3)
        received = sink.handler.counts()
    assert retry.sent == 4
    assert again.sent == 0
    assert received == {a.user.email: 1 for a in people}
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}

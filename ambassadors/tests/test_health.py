"""/healthz and the deploy checks: database, cache, broker, storage, migrations, worker and
beat heartbeats, and whether the click buffer survives a Redis restart."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from ambassadors.health import heartbeat_record
from ambassadors.models import ServiceHeartbeat
from ambassadors.tests.redis_server import own_redis
from ambassadors.tests.smtp_sink import free_port

ALL = {"database", "cache", "storage", "migrations", "broker", "worker", "beat"}


@pytest.fixture
def alive(db):
    heartbeat_record(name="worker")
    heartbeat_record(name="beat")


@pytest.fixture
def no_click_buffer(settings):
    settings.CLICK_BUFFER_URL = ""


def test_all_well_is_200_with_every_check_named(client, alive, no_click_buffer):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": dict.fromkeys(ALL, "ok")}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_a_stale_heartbeat_is_503(client, alive, no_click_buffer, settings, name):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 60
    ServiceHeartbeat.objects.filter(name=name).update(
        seen_at=timezone.now() - timedelta(seconds=61)
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"][name] == "stale"
    assert {k for k, v in response.json()["checks"].items() if v != "ok"} == {name}


def test_a_process_never_seen_is_stale(client, db, no_click_buffer):
    checks = client.get(reverse("healthz")).json()["checks"]
    assert (checks["worker"], checks["beat"]) == ("stale", "stale")


def test_the_web_check_ignores_background_processes(client, db, no_click_buffer):
    response = client.get(reverse("healthz-web"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": dict.fromkeys(["database", "cache", "storage", "migrations"], "ok"),
    }


def test_pending_migrations_are_503(client, alive, no_click_buffer, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    import ambassadors.health as health

    monkeypatch.setattr(health, "_migrations_ok", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("m", False)])
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"


def test_unusable_media_storage_is_503(client, alive, no_click_buffer, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker / "media")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "error"


def test_broker_down_is_503_and_the_answer_names_no_internals(
    client, alive, no_click_buffer, monkeypatch
):
    from portal.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error"
    body = response.content.decode()
    assert "127.0.0.1" not in body
    assert "redis" not in body.lower()
    assert "Error" not in body


def test_cache_down_only_warns(client, alive, no_click_buffer, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "warning"
    assert response.json()["checks"]["cache"] == "error"


@pytest.mark.services("redis-server")
@pytest.mark.parametrize(("persist", "state"), [(True, "ok"), (False, "warning")])
def test_a_click_buffer_that_keeps_nothing_on_disk_is_warned_about(
    client, alive, settings, tmp_path, persist, state
):
    port = free_port()
    with own_redis(tmp_path, port, persist=persist):
        settings.CLICK_BUFFER_URL = f"redis://127.0.0.1:{port}/0"
        response = client.get(reverse("healthz"))
        warnings = [m for m in run_checks(include_deployment_checks=True) if m.id.startswith("amb")]
    assert response.status_code == 200
    assert response.json()["checks"]["click_buffer"] == state
    assert response.json()["status"] == state
    if persist:
        assert warnings == []
    else:
        assert [w.id for w in warnings] == ["ambassadors.W001"]
        assert "neither AOF" in warnings[0].msg


@pytest.mark.services("redis-server")
def test_a_stopped_broker_redis_is_503_and_back_when_it_returns(
    client, alive, no_click_buffer, monkeypatch, tmp_path
):
    from portal.celery import app

    port = free_port()
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    with own_redis(tmp_path, port) as redis_client:
        assert client.get(reverse("healthz")).status_code == 200
        redis_client.shutdown(nosave=True)
        time.sleep(0.2)
        assert client.get(reverse("healthz")).json()["checks"]["broker"] == "error"
    with own_redis(tmp_path, port):
        assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_real_worker_and_beat_keep_it_healthy_and_stop_on_sigterm(
    client, settings, tmp_path, no_click_buffer
):
    """Worker and beat in their own processes write heartbeats; SIGTERM stops them within
    seconds; with them gone the heartbeats go stale."""
    from ambassadors.tests.test_digests_worker import start_worker, wait_until, worker_env

    env = worker_env(free_port()) | {"HEARTBEAT_SECONDS": "1", "PORTAL_VAR_DIR": str(tmp_path)}
    process = start_worker(env, tmp_path / "worker.log", "health", beat=True)
    try:
        wait_until(
            lambda: ServiceHeartbeat.objects.filter(name__in=["worker", "beat"]).count() == 2,
            "worker and beat heartbeats",
        )
        assert client.get(reverse("healthz")).json()["checks"] == dict.fromkeys(ALL, "ok")
        os.killpg(process.pid, signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=60)
        assert time.monotonic() - started < 15
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    settings.HEALTH_HEARTBEAT_MAX_AGE = 2
    time.sleep(2.5)
    checks = client.get(reverse("healthz")).json()["checks"]
    assert (checks["worker"], checks["beat"]) == ("stale", "stale")

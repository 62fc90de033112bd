"""Celery round trips through a real worker: on Redis (CI) and on the embedded broker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ambassadors.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


def test_ping_task_body():
    assert ping() == "pong"


@pytest.mark.services("redis")
@pytest.mark.django_db(transaction=True)
def test_round_trip_through_a_real_worker_on_redis(celery_redis_worker):
    assert ping.delay().get(timeout=20) == "pong"


def test_round_trip_through_a_worker_on_the_embedded_broker(tmp_path):
    """What `make run` starts without any server: filesystem broker, file results."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"PORTAL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings.local"})
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        code = (
            "from portal.celery import app; import django; django.setup();"
            "from ambassadors.tasks import ping; print(ping.delay().get(timeout=30))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == "pong"
    finally:
        worker.terminate()
        worker.wait(timeout=20)

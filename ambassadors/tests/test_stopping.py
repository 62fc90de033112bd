"""Stopping cleanly: SIGTERM stops worker, beat and web within seconds, with queued work kept.

Real processes against PostgreSQL and Redis. The worker runs Celery's default prefork pool
(as in production) and is stopped halfway through weekly-e-mail batches to a slow SMTP sink:
before the fix, warm shutdown waited for every batch to finish (minutes with 200 people per
batch and a slow relay) and ignored every further SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from ambassadors.mail.digests.schedule import digest_dispatch
from ambassadors.models import DeliveryStatus, DigestDelivery, DigestRun
from ambassadors.tasks import _enqueue_digest_batch
from ambassadors.tests.smtp_sink import SmtpSink, free_port
from ambassadors.tests.test_digests_worker import (
    broker,
    purge_broker,
    setup_readers,
    wait_until,
    worker_env,
)

ROOT = Path(__file__).resolve().parents[2]
COUNT = 120
BATCH = 60
DELAY = 0.3  # seconds the SMTP sink takes per message: one batch alone takes 18 s
# What "within a few seconds" means here, start-up of Python's atexit handlers and the pool
# included; a batch that ran to the end would take three times as long.
STOP_LIMIT = 8.0


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "portal", *args, "--loglevel=INFO"]


def prefork_worker(env: dict, log: Path, name: str) -> subprocess.Popen:
    return start(
        celery("worker", "--pool=prefork", "--concurrency=2", "-n", f"{name}@%h"), env, log
    )


def stopped_within(process: subprocess.Popen, sig: signal.Signals, *, group: bool) -> float:
    """Send ``sig`` (to the process, or to its whole process group like systemd's default
    KillMode) and return the seconds until it exited; fails after three times the limit."""
    began = time.monotonic()
    if group:
        os.killpg(process.pid, sig)
    else:
        os.kill(process.pid, sig)
    try:
        process.wait(timeout=STOP_LIMIT * 3)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_LIMIT * 3:.0f} s after {sig.name}")
    return time.monotonic() - began


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.mark.services("postgres", "redis", "worker")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", [False, True], ids=["main-process", "process-group"])
def test_sigterm_mid_batch_stops_the_worker_in_seconds_and_nobody_gets_two(
    settings, tmp_path, group
):
    people = setup_readers(COUNT)
    emails = {a.pk: a.user.email for a in people}
    settings.DIGEST_BATCH_SIZE = BATCH
    purge_broker()
    log = tmp_path / "worker.log"
    workers: list[subprocess.Popen] = []

    with SmtpSink(delay=DELAY) as sink:
        env = worker_env(sink.port)
        try:
            workers.append(prefork_worker(env, log, "stop-first"))
            run = digest_dispatch(enqueue=_enqueue_digest_batch)
            assert run.planned == COUNT

            def both_batches_sending():
                """Both batches claimed (rows are marked sent only at a batch's end) and
                several messages handed over."""
                claimed = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED).count()
                return claimed == COUNT and sink.handler.counts().total() >= 4

            wait_until(both_batches_sending, "two batches half-way")
            seconds = stopped_within(workers[0], signal.SIGTERM, group=group)
            assert workers[0].returncode == 0, log.read_text()
            assert seconds < STOP_LIMIT, f"took {seconds:.1f} s\n{log.read_text()}"

            # Stopped between messages: nothing left claimed (it would become "unknown"),
            # and exactly the people marked sent got one e-mail each.
            rows = dict(DigestDelivery.objects.values_list("ambassador_id", "status"))
            assert set(rows.values()) == {DeliveryStatus.SENT}
            assert 4 <= len(rows) < COUNT - BATCH
            first = sink.handler.counts()
            assert first == Counter({emails[pk]: 1 for pk in rows})
            assert "batch paused after" in log.read_text()

            # The batches' task messages went back on the queue: a new worker sends the rest.
            sink.handler.delay = 0
            workers.append(prefork_worker(env, log, "stop-second"))
            wait_until(
                lambda: DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == COUNT,
                "the restarted worker to send the rest",
            )
            assert stopped_within(workers[1], signal.SIGTERM, group=group) < STOP_LIMIT
        finally:
            for worker in workers:
                kill(worker)
            purge_broker()
        received = sink.handler.counts()

    assert received == Counter({a.user.email: 1 for a in people})
    run = DigestRun.objects.get(pk=run.pk)
    assert (run.planned, run.sent, run.failed, run.unknown, run.skipped) == (COUNT, COUNT, 0, 0, 0)
    assert run.finished_at is not None


@pytest.mark.services("postgres", "redis", "worker")
@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_beat_in_seconds(tmp_path):
    log = tmp_path / "beat.log"
    env = worker_env(free_port())
    beat = start(celery("beat", "--schedule", str(tmp_path / "schedule")), env, log)
    try:
        wait_until(lambda: "beat: Starting" in log.read_text(), "beat to start", 60)
        time.sleep(1)
        assert stopped_within(beat, signal.SIGTERM, group=False) < STOP_LIMIT
    finally:
        kill(beat)


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local server
        return response.status


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_gunicorn_in_seconds(tmp_path):
    """With the production gunicorn config (gthread, graceful_timeout), as `docker stop`,
    systemd and `make run` send it."""
    log = tmp_path / "web.log"
    port = free_port()
    env = worker_env(free_port()) | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    web = start(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "-c", "portal/gunicorn.conf.py"],
        env,
        log,
    )
    try:

        def answers() -> bool:
            try:
                return get(f"http://127.0.0.1:{port}/healthz/web") == 200
            except OSError:
                return False

        wait_until(answers, "gunicorn to answer", 60)
        assert stopped_within(web, signal.SIGTERM, group=False) < STOP_LIMIT
        assert web.returncode == 0, log.read_text()
    finally:
        kill(web)


@pytest.mark.services("postgres", "redis", "worker")
@pytest.mark.django_db(transaction=True)
def test_sigterm_keeps_a_task_that_waits_for_its_retry_time_on_the_queue(tmp_path):
    """A retried batch waits (countdown) inside the worker that took it; stopping that worker
    must neither wait for the countdown nor lose the task."""
    from ambassadors.tasks import ping

    purge_broker()
    log = tmp_path / "worker.log"
    worker = prefork_worker(worker_env(free_port()), log, "stop-eta")
    try:
        result = ping.apply_async(countdown=300)
        wait_until(lambda: result.id in log.read_text(), "the worker to hold the task", 60)
        assert stopped_within(worker, signal.SIGTERM, group=False) < STOP_LIMIT
        queued = [json.loads(raw)["headers"]["id"] for raw in broker().lrange("celery", 0, -1)]
        assert queued == [result.id]
        assert "Restoring 1 unacknowledged message(s)" in log.read_text()
    finally:
        kill(worker)
        purge_broker()

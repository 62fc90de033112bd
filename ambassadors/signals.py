"""Celery worker signals: the worker records a heartbeat as soon as it is ready."""

import logging

from celery.signals import worker_ready

log = logging.getLogger(__name__)


@worker_ready.connect
def _worker_heartbeat_on_start(**kwargs) -> None:
    from .health import heartbeat_record

    try:
        heartbeat_record(name="worker")
    except Exception as exc:  # noqa: BLE001 - a heartbeat must never stop a worker
        log.warning("worker heartbeat not recorded: %s", exc)

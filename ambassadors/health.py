"""Health of the running system: what ``/healthz`` reports and ``check --deploy`` warns about.

Background processes prove they are alive with heartbeats written to the database: the worker
when it starts and every ``HEARTBEAT_SECONDS`` through a beat-scheduled task, beat on its own
scheduler ticks. A heartbeat older than ``HEALTH_HEARTBEAT_MAX_AGE`` seconds is *stale*. The
public answer names each check and its state only: no versions, hosts or error texts (those
go to the log).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)

OK, ERROR, STALE, PENDING, WARNING = "ok", "error", "stale", "pending", "warning"
NO_PERSISTENCE, UNKNOWN = "no-persistence", "unknown"
# Checks whose failure makes the whole answer "error" (HTTP 503); the others only warn.
CRITICAL = {"database", "broker", "storage", "migrations", "worker", "beat"}
WEB = ("database", "cache", "storage", "migrations")


@dataclass
class HealthReport:
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if any(state != OK for name, state in self.checks.items() if name in CRITICAL):
            return ERROR
        return OK if all(state == OK for state in self.checks.values()) else WARNING

    @property
    def http_status(self) -> int:
        return 503 if self.status == ERROR else 200

    def as_json(self) -> dict:
        return {"status": self.status, "checks": dict(self.checks)}


def heartbeat_record(*, name: str, now: datetime | None = None) -> None:
    """Upsert the heartbeat row for ``name`` ("worker" or "beat")."""
    from .models import ServiceHeartbeat

    ServiceHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": now or timezone.now()}
    )


def _safely(name: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - a health check reports, it never raises
        log.warning("healthz: %s: %s: %s", name, type(exc).__name__, exc)
        return ERROR


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def _cache() -> str:
    """The cache fails open (an outage reads as empty), so write and read a marker."""
    marker = os.urandom(8).hex()
    cache.set("healthz:probe", marker, 30)
    return OK if cache.get("healthz:probe") == marker else ERROR


def _broker() -> str:
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return OK


def _storage() -> str:
    """A read (no write: on S3 and friends every probe would cost a request and a file);
    local storage must also be writable."""
    default_storage.exists("healthz-probe")
    location = getattr(default_storage, "location", None)
    if location and not os.access(location, os.W_OK):
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK):
            return ERROR
    return OK


_migrations_ok = False


def _migrations() -> str:
    """Pending migrations mean code and schema disagree. Once up to date, a process stays so
    (a new release starts new processes), so only the first check per process pays."""
    global _migrations_ok
    if _migrations_ok:
        return OK
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_ok = not plan
    return OK if not plan else PENDING


def _heartbeat(name: str, now: datetime) -> str:
    from .models import ServiceHeartbeat

    seen = ServiceHeartbeat.objects.filter(name=name).values_list("seen_at", flat=True).first()
    max_age = timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE)
    return OK if seen is not None and now - seen <= max_age else STALE


def redis_persistence(url: str) -> str:
    """Whether the Redis at ``url`` keeps its data on disk: ``ok`` (AOF or RDB snapshots
    on), ``no-persistence``, ``unknown`` (CONFIG is disabled, as on some managed services)
    or ``error`` (unreachable). Clicks waiting in the buffer are lost on a restart without it.
    Source: the ``appendonly`` and ``save`` directives of redis.conf."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        appendonly = client.config_get("appendonly").get("appendonly", "")
        save = client.config_get("save").get("save", "")
    except redis.exceptions.ResponseError:
        return UNKNOWN
    except (redis.exceptions.RedisError, OSError):
        return ERROR
    finally:
        client.close()
    return OK if appendonly == "yes" or (save or "").strip() else NO_PERSISTENCE


def health_report(*, scope: str = "all", now: datetime | None = None) -> HealthReport:
    """Every check for ``scope="all"`` (monitors); for ``scope="web"`` only what this web
    process needs to serve pages (load balancers, container health checks)."""
    now = now or timezone.now()
    checks = {
        "database": _database,
        "cache": _cache,
        "storage": _storage,
        "migrations": _migrations,
        "broker": _broker,
        "worker": lambda: _heartbeat("worker", now),
        "beat": lambda: _heartbeat("beat", now),
    }
    if settings.CLICK_BUFFER_URL:
        checks["click_buffer"] = lambda: (
            OK if redis_persistence(settings.CLICK_BUFFER_URL) == OK else WARNING
        )
    names = WEB if scope == "web" else tuple(checks)
    return HealthReport({name: _safely(name, checks[name]) for name in names})


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's default scheduler that also records beat's heartbeat on its ticks (at
    most every ``HEARTBEAT_SECONDS``); a failed write never stops the schedule."""

    _last_beat: float = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        import time

        now = time.monotonic()
        if now - self._last_beat >= settings.HEARTBEAT_SECONDS:
            self._last_beat = now
            try:
                import django

                django.setup()
                heartbeat_record(name="beat")
            except Exception as exc:  # noqa: BLE001
                log.warning("beat heartbeat not recorded: %s", exc)
        return min(super().tick(*args, **kwargs), settings.HEARTBEAT_SECONDS)

"""Counting visits to tracked links without slowing the redirect down or losing any.

With Redis, a click costs the redirect no network I/O: a per-process background pump
pushes queued clicks onto a Redis list in batches (CLICK_BACKGROUND_PUSH; off, each click
is one Redis round trip through a Lua script that also counts the rate limit). A beat
task (``clicks_flush``) moves the list into the database in bulk. When no Redis is
configured (the embedded default) or Redis does not answer, clicks are written straight
to the database instead.

Person or bot: ``ambassadors/tracking/bots.py`` decides, once per agent and process.

Privacy: only ``visitor_hash = BLAKE2b(IP + user agent, key=daily salt)`` is kept. The salt
is random, drawn once a day and shared by all processes through the database
(ambassadors/tracking/salts.py), and destroyed once the day is over: a visitor cannot be followed
from one day to the next, nobody can recompute an old hash, and uniqueness per day still
works after a Redis outage (no state lives in Redis).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import queue
import secrets
import threading
import time
from collections import Counter

import redis
from django.conf import settings
from django.utils import timezone
from redis.commands.core import Script

from .bots import is_bot, is_link_preview
from .click_store import PendingClick, clicks_store
from .ratelimit import rate_limit_hit
from .salts import SaltGone, salted_digest

log = logging.getLogger(__name__)

# One queued hit: (rate-limit key or None when exempt, serialised PendingClick or "").
_Hit = tuple[str | None, str]

BUFFER_KEY = "portal:clicks:buffer"
PROCESSING_KEY = "portal:clicks:processing"
LOCK_KEY = "portal:clicks:flush-lock"
RATE_SCOPE = "s"
RATE_WINDOW_SECONDS = 60
OUTAGE_PAUSE_SECONDS = 5.0
PUMP_INTERVAL_SECONDS = 0.05

_RATE_AND_PUSH = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return n end
if ARGV[3] ~= '' then redis.call('LPUSH', KEYS[2], ARGV[3]) end
return n
"""

_TAKE_BATCH = """
local items = redis.call('LRANGE', KEYS[1], -tonumber(ARGV[1]), -1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], 0, -#items - 1)
  redis.call('RPUSH', KEYS[2], unpack(items))
end
return items
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def visitor_hash(*, ip: str, user_agent: str, day: dt.date) -> str:
    """64 hex digits: BLAKE2b of IP and user agent keyed with the random salt of ``day``
    (ambassadors/tracking/salts.py). Raises ``SaltGone`` once the day is over."""
    return salted_digest(f"{ip}\n{user_agent}", day=day)


class _Buffer:
    """The Redis client for the click buffer, with a short pause after a failure so an
    outage costs one timeout per process every few seconds, not one per click."""

    def __init__(self) -> None:
        self._client: redis.Redis | None = None
        self._url = ""
        self._down_until = 0.0
        self._rate_script: Script | None = None

    def client(self) -> redis.Redis | None:
        url = settings.CLICK_BUFFER_URL
        if not url or time.monotonic() < self._down_until:
            return None
        if self._client is None or url != self._url:
            self._client = redis.Redis.from_url(
                url, socket_connect_timeout=0.5, socket_timeout=0.5, health_check_interval=30
            )
            self._url = url
            self._rate_script = self._client.register_script(_RATE_AND_PUSH)
        return self._client

    def rate_script(self) -> Script:
        """The registered rate-limit script; only valid after ``client()`` returned one."""
        if self._rate_script is None:
            raise RuntimeError("the click buffer has no client yet")
        return self._rate_script

    def failed(self, exc: Exception) -> None:
        log.warning("click buffer unavailable, writing clicks to the database: %s", exc)
        self._down_until = time.monotonic() + OUTAGE_PAUSE_SECONDS

    def reset(self) -> None:
        self._client = None
        self._url = ""
        self._down_until = 0.0


buffer = _Buffer()
_REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _rate_key(ip: str) -> str:
    """The client's rate-limit key: keyed with today's salt like the visitor hash, so the
    keys in Redis cannot be matched to IP addresses either."""
    return "portal:rl:s:" + _client_digest(ip)


def _client_digest(ip: str) -> str:
    return salted_digest(ip, size=12)  # today's salt: never one that is gone


class _Pump:
    """Moves clicks to Redis from a background thread, so the redirect itself does no
    network I/O at all (measured: a synchronous Redis round trip per click cost more
    than half the throughput of a bare redirect on two cores; see docs/benchmarks.md).

    The request thread only appends to an in-process queue; the thread sends what has
    queued up in one pipeline (the clicks with one LPUSH, the rate-limit counters with
    INCRBY), falls back to the database when Redis fails, and is drained at exit. What
    a hard-killed process (SIGKILL, OOM) had queued but not sent is lost: a few
    milliseconds of clicks, the price of not waiting for Redis on every click.

    Rate limit: each process counts its own hits per client and fixed minute window
    exactly; the shared totals come back with every pipeline and block a client on all
    processes once over the limit (milliseconds later)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Hit] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._window = 0
        self._counts: dict[str, int] = {}
        self._blocked: set[str] = set()
        self._atexit = False
        self._submitted = 0
        self._done = 0
        self._count_lock = threading.Lock()

    def forget_limits(self) -> None:
        self._window, self._counts, self._blocked = 0, {}, set()

    def allow(self, ip: str, limit: int) -> str | None:
        """The rate-limit key for this hit, or None when the client is over the limit."""
        window = int(time.time() // RATE_WINDOW_SECONDS)
        if window != self._window:
            self._window, self._counts, self._blocked = window, {}, set()
        key = f"{_rate_key(ip)}:{window}"
        if key in self._blocked:
            return None
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return key if count <= limit else None

    def submit(self, rate_key: str | None, payload: str) -> None:
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._start()
        with self._count_lock:
            self._submitted += 1
        self._queue.put((rate_key, payload))

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            if self._pid != os.getpid():  # forked: the parent's queue is not ours
                self._queue = queue.SimpleQueue()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="click-pump", daemon=True)
            self._thread.start()
            if not self._atexit:
                atexit.register(self.drain)
                self._atexit = True

    def _take(self, first: _Hit | None = None) -> list[_Hit]:
        batch = [first] if first is not None else []
        try:
            while len(batch) < 2000:
                batch.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return batch

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            time.sleep(PUMP_INTERVAL_SECONDS)  # let a batch gather: fewer round trips
            batch = self._take(first)
            try:
                self._push(batch)
            except Exception:  # noqa: BLE001 - the pump must outlive any one failure
                log.exception("click pump: could not store %d clicks", len(batch))

    def drain(self) -> None:
        """Send what is queued now, in the calling thread (at exit)."""
        batch = self._take()
        if batch:
            self._push(batch)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything submitted so far has been sent (tests and benches)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._count_lock:
                if self._done >= self._submitted:
                    return True
            time.sleep(0.01)
        return False

    def _push(self, batch: list[_Hit]) -> None:
        try:
            self._send(batch)
        finally:
            with self._count_lock:
                self._done += len(batch)

    def _send(self, batch: list[_Hit]) -> None:
        payloads = [payload for _key, payload in batch if payload]
        hits = Counter(key for key, _payload in batch if key)
        client = buffer.client()
        if client is not None:
            try:
                pipe = client.pipeline(transaction=False)
                if payloads:
                    pipe.lpush(BUFFER_KEY, *payloads)
                keys = list(hits)
                for key in keys:
                    pipe.incrby(key, hits[key])
                    pipe.expire(key, RATE_WINDOW_SECONDS * 2)
                results = pipe.execute()
                totals = results[1 if payloads else 0 :: 2]
                limit = settings.REDIRECT_RATE_LIMIT
                self._blocked.update(k for k, t in zip(keys, totals, strict=False) if t > limit)
                return
            except _REDIS_ERRORS as exc:
                buffer.failed(exc)
        if payloads:
            try:
                clicks_store([PendingClick.loads(p) for p in payloads])
            finally:
                if threading.current_thread() is self._thread:
                    from django.db import connections

                    connections.close_all()


pump = _Pump()


def click_count(*, link_id: int | None, ip: str, user_agent: str) -> bool:
    """Count one visit (``link_id`` None: an unknown code, only the rate limit counts).
    False when the client is over the rate limit: then nothing is counted."""
    bot = is_bot(user_agent)
    # Only named link-preview crawlers skip the limit, and only on real links: any script
    # can call itself "curl" or send no user agent, and unknown codes cost a lookup.
    exempt = link_id is not None and is_link_preview(user_agent)
    limit = settings.REDIRECT_RATE_LIMIT
    payload = ""
    if link_id is not None:
        at = timezone.now()
        try:
            hashed = visitor_hash(ip=ip, user_agent=user_agent, day=timezone.localdate(at))
        except SaltGone:  # midnight passed since `at` was read: count it in the new day
            at = timezone.now()
            hashed = visitor_hash(ip=ip, user_agent=user_agent, day=timezone.localdate(at))
        payload = PendingClick(link_id, at, hashed, bot).dumps()
    client = buffer.client()
    if client is not None and settings.CLICK_BACKGROUND_PUSH:
        rate_key = None if exempt else pump.allow(ip, limit)
        if not exempt and rate_key is None:
            return False
        if payload or rate_key:
            pump.submit(rate_key, payload)
        return True
    if client is not None:
        try:
            if exempt:
                client.lpush(BUFFER_KEY, payload)
                return True
            hits = buffer.rate_script()(
                keys=[_rate_key(ip), BUFFER_KEY], args=[limit, RATE_WINDOW_SECONDS, payload]
            )
            return int(hits) <= limit
        except _REDIS_ERRORS as exc:
            buffer.failed(exc)
    if not exempt and not rate_limit_hit(
        scope=RATE_SCOPE, key=_client_digest(ip), limit=limit, window_seconds=RATE_WINDOW_SECONDS
    ):
        return False
    if payload:
        clicks_store([PendingClick.loads(payload)])
    return True


def clicks_flush(*, batch_size: int = 1000, max_batches: int = 100) -> int:
    """Move buffered clicks into the database. A batch goes from the buffer to a
    processing list atomically and leaves it only after its rows are committed, so a
    worker killed half-way loses nothing: the next run stores that batch first."""
    client = buffer.client()
    if client is None:
        return 0
    token = secrets.token_hex(8)
    try:
        if not client.set(LOCK_KEY, token, nx=True, ex=300):
            return 0  # another worker is flushing
    except _REDIS_ERRORS as exc:
        buffer.failed(exc)
        return 0
    total = 0
    try:
        take = client.register_script(_TAKE_BATCH)
        for _ in range(max_batches):
            raw = client.lrange(PROCESSING_KEY, 0, -1) or take(
                keys=[BUFFER_KEY, PROCESSING_KEY], args=[batch_size]
            )
            if not raw:
                break
            total += clicks_store([PendingClick.loads(item) for item in raw])
            client.delete(PROCESSING_KEY)
    finally:
        client.register_script(_RELEASE)(keys=[LOCK_KEY], args=[token])
    return total

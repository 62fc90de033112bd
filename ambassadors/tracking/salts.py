"""A random salt per day that nobody can recompute once the day is over.

Visitor hashes (``Click.visitor_hash``) and the ``/s/`` rate-limit keys in Redis are keyed
with it. It is drawn with ``secrets.token_bytes`` the first time any process needs it on a
day and stored in the database (``DailySalt``), which every web process reads and which
keeps working while Redis is down; each process then keeps it in memory for the rest of
the day. Once the day is over the row is deleted (by the first process that asks for the
new day's salt, and by the hourly ``clicks_salts_purge`` task) and the processes forget
their copy, so yesterday's hashes cannot be tested against candidate IP addresses and
user agents — not with ``SECRET_KEY``, not with a copy of the database taken afterwards.
This is how privacy-first web analytics (Plausible, Fathom) keep their daily salts.

Days are local days (``TIME_ZONE``), the same days ``Click.day`` and the reports use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
import time

from django.db import DatabaseError
from django.utils import timezone

from ..models import DailySalt

log = logging.getLogger(__name__)

SALT_BYTES = 32
RETRY_SECONDS = 5.0  # after a database error, how long to use a stand-in salt


class SaltGone(LookupError):
    """The salt of a day that is over was asked for: it no longer exists anywhere."""


_lock = threading.Lock()
_known: dict[dt.date, bytes] = {}
_stand_in: dict[dt.date, tuple[float, bytes]] = {}


def salt_cache_clear() -> None:
    """Forget this process's copy (tests: a new process; the database keeps the salt)."""
    with _lock:
        _known.clear()
        _stand_in.clear()


def daily_salt(day: dt.date | None = None) -> bytes:
    """The 32-byte salt of ``day`` (a local date, today or later; default: today), created
    on first use and shared by every process through the database. Raises ``SaltGone`` for
    a day that is over. If the database cannot be reached the process uses a random
    stand-in and tries again every few seconds (redirects keep working; a visitor may then
    count as unique once per process)."""
    today = timezone.localdate()
    day = day or today
    if day < today:
        raise SaltGone(day.isoformat())
    salt = _known.get(day)
    if salt is not None:
        return salt
    with _lock:
        for old in [d for d in _known if d < today]:
            del _known[old]
        salt = _known.get(day)
        if salt is not None:
            return salt
        stand_in = _stand_in.get(day)
        if stand_in is not None and time.monotonic() < stand_in[0]:
            return stand_in[1]  # the database failed moments ago: do not wait on it again
        try:
            salt = _load_or_create(day=day, today=today)
        except DatabaseError as exc:
            return _stand_in_salt(day, exc)
        _known[day] = salt
        _stand_in.pop(day, None)
        return salt


def _load_or_create(*, day: dt.date, today: dt.date) -> bytes:
    row, created = DailySalt.objects.get_or_create(
        day=day, defaults={"salt": secrets.token_bytes(SALT_BYTES)}
    )
    if created:
        DailySalt.objects.filter(day__lt=today).delete()
    return bytes(row.salt)


def _stand_in_salt(day: dt.date, exc: Exception) -> bytes:
    """One random stand-in per process and day, kept through the outage (so a visitor is
    still counted once per process), while the database is tried again every few seconds."""
    log.warning("daily salt unavailable, using a stand-in until the database answers: %s", exc)
    entry = _stand_in.get(day)
    salt = entry[1] if entry is not None else secrets.token_bytes(SALT_BYTES)
    _stand_in[day] = (time.monotonic() + RETRY_SECONDS, salt)
    return salt


def salts_purge(*, today: dt.date | None = None) -> int:
    """Delete the salts of every day before ``today`` (default: the local date now) and
    forget this process's copies. Returns how many stored salts were deleted. Safe to run
    any number of times."""
    today = today or timezone.localdate()
    with _lock:
        for old in [d for d in _known if d < today]:
            del _known[old]
    return DailySalt.objects.filter(day__lt=today).delete()[0]


def salted_digest(value: str, *, day: dt.date | None = None, size: int = 32) -> str:
    """Hex BLAKE2b of ``value`` keyed with the salt of ``day`` (default: today, which
    cannot be over) in ``size`` bytes, so twice as many hex digits. Raises ``SaltGone``
    for a day that is over."""
    data = value.encode("utf-8", "replace")
    return hashlib.blake2b(data, key=daily_salt(day), digest_size=size).hexdigest()

"""Tracked links: one short, unguessable code per (ambassador, item, network), and where
``/s/<code>`` sends a visitor.

``/s/`` is the hot path (public traffic from social networks). The code → target mapping
is read from a small per-process LRU with a short TTL, then the shared cache, then the
database, so a busy link costs no I/O at all, and an edited item link still reaches every
web process within seconds (LINK_CACHE_SECONDS locally + LINK_SHARED_CACHE_SECONDS).
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections import OrderedDict
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse

from ..models import Ambassador, Item, TrackedLink

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10  # 62**10 ≈ 8e17 codes: guessing one is hopeless under the rate limit
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def tracked_link_get_or_create(*, ambassador: Ambassador, item: Item, network: str) -> TrackedLink:
    """Race-safe: two presses at once both end with the same row. The insert runs in a
    savepoint so a lost race does not break the caller's transaction. Internal-only items
    never get one (``ValueError``): nothing about them may leave the company."""
    if item.internal_only:
        raise ValueError("internal-only items have no tracked links")
    link = TrackedLink.objects.filter(ambassador=ambassador, item=item, network=network).first()
    if link is not None:
        return link
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    ambassador=ambassador, item=item, network=network, code=new_code()
                )
        except IntegrityError:
            link = TrackedLink.objects.filter(
                ambassador=ambassador, item=item, network=network
            ).first()
            if link is not None:
                return link  # someone else created it first
            # else the random code collided with another link's: draw again
    raise IntegrityError("could not create a tracked link")


def tracked_link_url(link: TrackedLink) -> str:
    return settings.SITE_URL + reverse("ambassadors:tracked_redirect", args=[link.code])


def public_item_url(slug: str) -> str:
    return settings.SITE_URL + reverse("ambassadors:public_item", args=[slug])


def with_utm(url: str, *, network: str, campaign: str) -> str:
    """Add our UTM tags, keeping the link's own query string (byte for byte) and fragment.
    Existing utm_source/medium/campaign are replaced: the numbers must say where the
    visitor came from."""
    parts = urlsplit(url)
    own = [
        piece
        for piece in parts.query.split("&")
        if piece and unquote_plus(piece.split("=", 1)[0]) not in UTM_KEYS
    ]
    ours = [
        f"utm_source={quote(network, safe='')}",
        "utm_medium=ambassador",
        f"utm_campaign={quote(campaign, safe='')}",
    ]
    return urlunsplit(parts._replace(query="&".join(own + ours)))


def target_for(*, link: str, slug: str, network: str) -> str:
    """The item's own link, or its public page. Only http(s) links from the database are
    ever used: anything else falls back to our own page (no open redirect)."""
    base = link if urlsplit(link).scheme in ("http", "https") and urlsplit(link).netloc else ""
    return with_utm(base or public_item_url(slug), network=network, campaign=slug)


class _LocalCache:
    """A tiny LRU with a TTL, per process. Faster than any network cache, and short-lived
    so edits propagate without invalidation messages between processes."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[str, tuple[float, tuple[int, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> tuple[float, tuple[int, str]] | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            if entry[0] <= now:
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return entry

    def set(self, key: str, value: tuple[int, str], expires: float) -> None:
        with self._lock:
            self._data[key] = (expires, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_local = _LocalCache()
_MISSING = (0, "")


def link_cache_clear() -> None:
    _local.clear()


def _shared_key(code: str) -> str:
    return f"link:{code}"


def link_target(code: str) -> tuple[int, str] | None:
    """(link id, redirect target) for a code, or None for an unknown code."""
    if not code or len(code) > 16 or not code.isalnum():
        return None
    now = time.monotonic()
    entry = _local.get(code, now)
    if entry is not None:
        cached = entry[1]
        return None if cached == _MISSING else cached
    shared = cache.get(_shared_key(code))
    if shared is None:
        row = (
            TrackedLink.objects.filter(code=code, item__internal_only=False)
            .values_list("pk", "network", "item__link", "item__slug")
            .first()
        )
        if row is None:
            _local.set(code, _MISSING, now + settings.LINK_CACHE_SECONDS)
            return None
        pk, network, link, slug = row
        shared = (pk, target_for(link=link, slug=slug, network=network))
        cache.set(_shared_key(code), shared, settings.LINK_SHARED_CACHE_SECONDS)
    value: tuple[int, str] = tuple(shared)  # the shared cache may hand back a list
    _local.set(code, value, now + settings.LINK_CACHE_SECONDS)
    return value


def link_targets_forget(*, item: Item) -> None:
    """Drop the shared-cache entries of an item's links (call after editing its link or
    slug); per-process entries expire on their own within LINK_CACHE_SECONDS."""
    codes = list(TrackedLink.objects.filter(item=item).values_list("code", flat=True))
    if codes:
        cache.delete_many([_shared_key(code) for code in codes])

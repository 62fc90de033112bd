"""Checking sources: one poll per source, driven by a beat dispatcher.

Beat runs ``sources_dispatch`` every minute. It claims the sources that are due by moving
their ``next_poll_at`` forward in one conditional UPDATE per source (so two dispatchers never
enqueue the same source twice) and enqueues one poll task per source: a slow or broken feed
only delays itself. ``source_poll`` never raises for a bad feed; it writes a message on the
source and schedules the next try, later and later after repeated failures.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ..fetching import FetchError, FetchHTTPError, FetchTimeout, FetchTooLarge, fetch
from ..models import Source, SourceEntry
from .monitoring import TermIndex, entry_alert_terms
from .parsing import FeedProblem, ParsedEntry, canonical_url, feed_parse, guid_key

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MAX_BACKOFF = timedelta(hours=24)
# How long a claimed poll may take before the dispatcher may hand the source out again.
CLAIM_LEASE = timedelta(minutes=10)


@dataclass
class PollResult:
    """``outcome``: "new" (2xx read), "not_modified" (304), "error", "gone" (410, source
    switched off) or "skipped" (unknown or switched-off source)."""

    source_id: int
    outcome: str
    new_entry_ids: list[int] = field(default_factory=list)
    message: str = ""


def max_feed_bytes() -> int:
    return getattr(settings, "SOURCE_MAX_BYTES", 5 * 1024 * 1024)


def _error_message(error: FetchError) -> str:
    if isinstance(error, FetchHTTPError):
        if error.status == 404:
            return _("The feed is not there (error 404). Check the address.")
        if error.status == 410:
            return _("The feed is gone for good (error 410). We stopped checking it.")
        if error.status in (401, 403):
            return _("The server does not let us read the feed (error %(status)s).") % {
                "status": error.status
            }
        if error.status and error.status >= 500:
            return _("The server has trouble (error %(status)s). We try again later.") % {
                "status": error.status
            }
    if isinstance(error, FetchTimeout):
        return _("The server took too long to answer. We try again later.")
    if isinstance(error, FetchTooLarge):
        return _("The feed is larger than %(limit)s. We do not read feeds that big.") % {
            "limit": filesizeformat(max_feed_bytes())
        }
    return error.message


def _record_error(source: Source, message: str, *, now: datetime, gone: bool = False) -> None:
    errors = source.error_count + 1
    backoff = min(timedelta(minutes=source.interval_minutes) * 2 ** min(errors - 1, 8), MAX_BACKOFF)
    Source.objects.filter(pk=source.pk).update(
        last_polled_at=now,
        last_error=message,
        last_error_at=now,
        error_count=errors,
        next_poll_at=now + max(backoff, timedelta(minutes=source.interval_minutes)),
        is_active=False if gone else source.is_active,
    )


def _dedup_keys(source: Source, parsed: ParsedEntry) -> tuple[str, str]:
    gkey = guid_key(parsed.guid, source_id=source.pk)
    ckey = canonical_url(parsed.link) if parsed.link else ""
    if not gkey and not ckey:
        # No GUID and no link: the text itself is the only identity the entry has.
        digest = hashlib.sha256(f"{parsed.title}\n{parsed.summary}".encode()).hexdigest()
        gkey = f"source-{source.pk}:text-{digest[:40]}"
    return gkey, ckey


def entries_store(
    *, source: Source, entries: list[ParsedEntry], now: datetime, index: TermIndex | None = None
) -> list[int]:
    """Stores the entries not seen before (by GUID key, then canonical URL, across all
    sources and polls); returns the new ids. Two polls racing are settled by the unique
    constraints: the loser's insert is skipped in its own savepoint."""
    keyed = [(e, *_dedup_keys(source, e)) for e in entries]
    guids = {g for _e, g, _c in keyed if g}
    urls = {c for _e, _g, c in keyed if c}
    seen_guids, seen_urls = set(), set()
    if guids or urls:
        for g, c in SourceEntry.objects.filter(
            Q(guid_key__in=guids) | Q(canonical_url__in=urls)
        ).values_list("guid_key", "canonical_url"):
            seen_guids.add(g)
            seen_urls.add(c)
    index = index or TermIndex.load()
    new_ids = []
    for entry, gkey, ckey in reversed(keyed):  # oldest first, so ids follow the feed's order
        if (gkey and gkey in seen_guids) or (ckey and ckey in seen_urls):
            continue
        seen_guids.add(gkey)
        seen_urls.add(ckey)
        alert_terms = entry_alert_terms(
            title=entry.title, summary=entry.summary, language=source.language, index=index
        )
        try:
            with transaction.atomic():
                row = SourceEntry.objects.create(
                    source=source,
                    guid=entry.guid[:600],
                    guid_key=gkey,
                    canonical_url=ckey,
                    title=entry.title,
                    summary=entry.summary,
                    link=entry.link,
                    picture=entry.picture_url,
                    language=source.language,
                    published_at=entry.published_at,
                    found_at=now,
                    alert=SourceEntry.Alert.PENDING if alert_terms else SourceEntry.Alert.NONE,
                    alert_terms=alert_terms,
                )
        except IntegrityError:
            continue
        new_ids.append(row.pk)
    return new_ids


def source_poll(
    *, source_id: int, now: datetime | None = None, on_alerts: Callable[[], None] | None = None
) -> PollResult:
    """Checks one source once: a conditional GET, parse, store what is new, record how it
    went on the source. Never raises for anything the feed or its server does.

    ``on_alerts`` is called (after commit) when new entries mention an alert term; the task
    passes the enqueue of ``term_alerts_send``."""
    now = now or timezone.now()
    source = Source.objects.filter(pk=source_id, is_active=True).first()
    if source is None:
        return PollResult(source_id=source_id, outcome="skipped")
    try:
        return _poll(source, now=now, on_alerts=on_alerts)
    except Exception:
        log.exception("source %s: unexpected failure while polling", source_id)
        message = _("Something went wrong while reading this feed. We try again later.")
        _record_error(source, message, now=now)
        return PollResult(source_id=source_id, outcome="error", message=message)


def _poll(source: Source, *, now: datetime, on_alerts: Callable[[], None] | None) -> PollResult:
    headers = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    try:
        response = fetch(
            source.url, max_bytes=max_feed_bytes(), headers=headers, accept=FEED_ACCEPT
        )
    except FetchError as error:
        gone = isinstance(error, FetchHTTPError) and error.status == 410
        message = _error_message(error)
        _record_error(source, message, now=now, gone=gone)
        return PollResult(source.pk, "gone" if gone else "error", message=message)
    success = {
        "last_polled_at": now,
        "last_success_at": now,
        "last_error": "",
        "error_count": 0,
        "next_poll_at": now + timedelta(minutes=source.interval_minutes),
    }
    if response.status == 304:
        Source.objects.filter(pk=source.pk).update(**success)
        return PollResult(source.pk, "not_modified")
    try:
        parsed = feed_parse(
            content=response.content,
            content_type=response.headers.get("content-type", ""),
            url=response.url,
            now=now,
        )
    except FeedProblem as problem:
        _record_error(source, problem.message, now=now)
        return PollResult(source.pk, "error", message=problem.message)
    with transaction.atomic():
        new_ids = entries_store(source=source, entries=parsed.entries, now=now)
        Source.objects.filter(pk=source.pk).update(
            **success,
            etag=(response.headers.get("etag") or "")[:300],
            last_modified=(response.headers.get("last-modified") or "")[:100],
            last_warning=" ".join(parsed.warnings),
        )
        if (
            on_alerts
            and SourceEntry.objects.filter(pk__in=new_ids, alert=SourceEntry.Alert.PENDING).exists()
        ):
            transaction.on_commit(on_alerts)
    if source.auto_draft and new_ids:
        from .inbox import entries_auto_draft

        entries_auto_draft(entry_ids=new_ids)
    return PollResult(source.pk, "new", new_entry_ids=new_ids)


def sources_dispatch(*, enqueue: Callable[[int], object], now: datetime | None = None) -> int:
    """Claims every active source that is due and enqueues its poll; returns how many.
    A source whose poll never reports back is due again after ``CLAIM_LEASE``."""
    now = now or timezone.now()
    due = Source.objects.filter(is_active=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )
    count = 0
    for pk, next_poll_at in due.values_list("pk", "next_poll_at"):
        claimed = Source.objects.filter(pk=pk, next_poll_at=next_poll_at).update(
            next_poll_at=now + CLAIM_LEASE
        )
        if claimed:
            enqueue(pk)
            count += 1
    return count

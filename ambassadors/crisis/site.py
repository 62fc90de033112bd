"""The dark site: a public page per shareable crisis, with an Atom feed of its updates.

It must hold a traffic spike (a news site links to it), so the rendered page is cached per
language until the next update: the hot path is two cache reads and no SQL. Each change
stores a new *version* for the crisis; pages are cached under the version they were
rendered from, read first. A request that rendered from the database before an update
committed stores its page under the old version, which nobody reads any more, so a stale
page can never be served after ``dark_site_forget``. Pages are self-contained (no session,
no CSRF token, no user), so a CDN can serve them too (``Cache-Control: public``).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from html import unescape

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator, translation
from django.utils.formats import date_format
from django.utils.http import http_date
from django.utils.timezone import localtime
from django.utils.translation import gettext

from ..images import og_image_url
from ..mail.digests.selection import item_summary
from ..models import Crisis, CrisisUpdate, Item

PAGE_SECONDS = 600
PUBLIC_STATUSES = (Crisis.Status.ACTIVE, Crisis.Status.CLOSED)


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    closed: bool


def _version_key(slug: str) -> str:
    return f"crisis:site:version:{slug}"


def dark_site_forget(*, slug: str) -> None:
    """Called after every update and on close (after commit): the next request renders anew
    (other web processes within ``DARK_SITE_LOCAL_SECONDS``)."""
    cache.set(_version_key(slug), uuid.uuid4().hex, None)
    for key in [k for k in _local if k[1] == slug]:
        _local.pop(key, None)


# Per-process copies for a second or so: under a spike every worker would otherwise make two
# cache round trips per request, which costs more than the rest of the request together.
_local: dict[tuple[str, str, str], tuple[float, CachedPage]] = {}
LOCAL_MAX_ENTRIES = 256


def site_url(slug: str) -> str:
    return settings.SITE_URL + reverse("ambassadors:crisis_site", args=[slug])


def feed_url(slug: str) -> str:
    return settings.SITE_URL + reverse("ambassadors:crisis_feed", args=[slug])


def public_crisis(slug: str) -> Crisis | None:
    """Shareable crises that were activated (open or resolved); pending and internal-only
    crises have no public page at all."""
    return Crisis.objects.filter(slug=slug, internal_only=False, status__in=PUBLIC_STATUSES).first()


def _updates(crisis: Crisis) -> list[CrisisUpdate]:
    return list(crisis.updates.select_related("item_en", "item_nl").order_by("-number"))


def _image_alt(item: Item | None) -> str:
    return item.image_alt if item else ""


def _image_url(item: Item | None) -> str:
    if not item or not item.image:
        return ""
    url = og_image_url(item)
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def dark_site_context(*, crisis: Crisis, language: str, preview: bool = False) -> dict:
    updates = _updates(crisis)
    entries = [
        {
            "number": u.number,
            "at": u.created_at,
            "text": u.text_for(language),
            "link": u.link,
            "image_url": _image_url(u.item_for(language)),
            "image_alt": _image_alt(u.item_for(language)),
        }
        for u in updates
    ]
    latest = entries[0] if entries else None
    return {
        "crisis": crisis,
        "title": crisis.title_for(language),
        "latest": latest,
        "timeline": entries[1:],
        "description": unescape(item_summary(latest["text"], words=40)) if latest else "",
        "canonical_url": site_url(crisis.slug),
        "feed_url": feed_url(crisis.slug),
        "image_url": next((e["image_url"] for e in entries if e["image_url"]), ""),
        "og_locale": "nl_NL" if language == "nl" else "en_GB",
        "noindex": preview or crisis.status == Crisis.Status.PENDING,
        "company_name": settings.COMPANY_NAME,
        "language": language,
    }


def _page(body: bytes, content_type: str, crisis: Crisis) -> CachedPage:
    return CachedPage(
        body=body,
        content_type=content_type,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=http_date(crisis.updated_at.timestamp()),
        closed=crisis.is_closed,
    )


def _render_page(crisis: Crisis, language: str) -> CachedPage:
    with translation.override(language):
        html = render_to_string(
            "crisis/site.html", dark_site_context(crisis=crisis, language=language)
        )
    return _page(html.encode(), "text/html; charset=utf-8", crisis)


def _render_feed(crisis: Crisis, language: str) -> CachedPage:
    with translation.override(language):
        feed = feedgenerator.Atom1Feed(
            title=crisis.title_for(language),
            link=site_url(crisis.slug),
            feed_url=feed_url(crisis.slug),
            description="",
            language=language,
            feed_guid=site_url(crisis.slug),
        )
        from django.utils.translation import gettext as _

        for update in _updates(crisis):
            text = update.text_for(language)
            feed.add_item(
                title=_("Update %(number)s: %(title)s")
                % {"number": update.number, "title": crisis.title_for(language)},
                link=f"{site_url(crisis.slug)}#update-{update.number}",
                description=unescape(item_summary(text, words=400)),
                unique_id=f"{site_url(crisis.slug)}#update-{update.number}",
                pubdate=update.created_at,
                updateddate=update.created_at,
            )
        body = feed.writeString("utf-8").encode()
    return _page(body, "application/atom+xml; charset=utf-8", crisis)


def dark_site_cached(*, slug: str, language: str, kind: str = "page") -> CachedPage | None:
    """The rendered page (or feed) for one language, or None when there is no public crisis.
    A per-process copy younger than ``DARK_SITE_LOCAL_SECONDS`` first (no I/O at all), then
    two shared-cache reads; otherwise it renders from the database and stores it."""
    local_key = (kind, slug, language)
    now = time.monotonic()
    hit = _local.get(local_key)
    if hit is not None and hit[0] > now:
        return hit[1]
    version = cache.get(_version_key(slug)) or "0"
    key = f"crisis:site:{kind}:{slug}:{language}:{version}"
    page = cache.get(key)
    if page is None:
        crisis = public_crisis(slug)
        if crisis is None:
            return None
        page = _render_page(crisis, language) if kind == "page" else _render_feed(crisis, language)
        cache.set(key, page, PAGE_SECONDS)
    seconds = settings.DARK_SITE_LOCAL_SECONDS
    if seconds > 0:
        if len(_local) >= LOCAL_MAX_ENTRIES:
            _local.clear()
        _local[local_key] = (now + seconds, page)
    return page


@dataclass(frozen=True)
class CrisisNote:
    """What a public item page says about the crisis its item belongs to."""

    title: str
    url: str  # absolute URL of the dark site
    closed_at: datetime | None  # None while the crisis is active


def crisis_note_for_item(*, item: Item) -> CrisisNote | None:
    """The crisis state for an item published by a crisis update (one query), or None when
    the item belongs to no update or its crisis has no public dark site (pending or
    internal-only). Used by every public page of an item, so a posted link to an old update
    leads readers to the live updates, and says when the crisis was resolved."""
    update = (
        CrisisUpdate.objects.filter(Q(item_en=item) | Q(item_nl=item))
        .filter(crisis__internal_only=False, crisis__status__in=PUBLIC_STATUSES)
        .select_related("crisis")
        .first()
    )
    if update is None:
        return None
    crisis = update.crisis
    return CrisisNote(
        title=crisis.title_for(item.language),
        url=site_url(crisis.slug),
        closed_at=crisis.closed_at if crisis.is_closed else None,
    )


def crisis_note_text(*, note: CrisisNote) -> str:
    """The note as one plain sentence in the active language, for link-preview descriptions."""
    if note.closed_at is None:
        return gettext("Latest updates: %(url)s") % {"url": note.url}
    return gettext("This was resolved on %(date)s. All updates: %(url)s") % {
        "date": date_format(localtime(note.closed_at), "DATE_FORMAT"),
        "url": note.url,
    }

"""The ideas inbox: source entries and employee suggestions in one list; drafting and dismissing.

A draft made from an entry carries its title, link, summary (as the start of the text), the
source's default topics and language, and its picture, downloaded through the safe fetcher
and cleaned by the same pipeline as uploads (``images.py``). Drafting never publishes.
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..fetching import FetchError, fetch
from ..images import (
    MAX_BYTES,
    ImageRejected,
    image_attach,
    image_clean,
    image_validate,
)
from ..models import Item, ItemEvent, Source, SourceEntry, Suggestion, Topic, User
from ..publishing.rules import plain_language_check
from ..publishing.slugs import unique_item_slug
from .monitoring import TermIndex, highlight

log = logging.getLogger(__name__)
Status = SourceEntry.Status
ITEM_TITLE_LENGTH = 200


class InboxError(Exception):
    """Someone already drafted or dismissed this entry."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Idea:
    """One inbox row. ``kind`` is "entry" or "suggestion"; ``terms`` are the watched terms
    it mentions; title and summary are escaped HTML with those terms in ``<mark>``."""

    kind: str
    obj: SourceEntry | Suggestion
    at: datetime
    title: SafeString
    summary: SafeString
    terms: list[str]
    is_alert: bool = False


@dataclass
class InboxFilters:
    """``source``: a Source, or "suggestions" for suggestions only, or None for all."""

    source: Source | str | None = None
    topic: Topic | None = None
    language: str = ""
    state: str = "new"
    watched_only: bool = False


def _entries(filters: InboxFilters) -> QuerySet[SourceEntry]:
    entries = SourceEntry.objects.select_related("source", "item")
    if filters.state == "new":
        entries = entries.filter(status=Status.NEW)
    elif filters.state == "done":
        entries = entries.exclude(status=Status.NEW)
    if isinstance(filters.source, Source):
        entries = entries.filter(source=filters.source)
    if filters.topic is not None:
        entries = entries.filter(source__topics=filters.topic)
    if filters.language:
        entries = entries.filter(language=filters.language)
    return entries.newest_first()


def _suggestions(filters: InboxFilters) -> QuerySet[Suggestion] | None:
    if isinstance(filters.source, Source) or filters.topic is not None or filters.language:
        return None  # suggestions have no source, topic or language
    suggestions = Suggestion.objects.select_related("ambassador__user", "item")
    if filters.state == "new":
        suggestions = suggestions.filter(status=Suggestion.Status.NEW)
    elif filters.state == "done":
        suggestions = suggestions.exclude(status=Suggestion.Status.NEW)
    return suggestions.order_by("-created_at", "-pk")


def ideas_inbox(*, filters: InboxFilters, limit: int = 50, offset: int = 0) -> list[Idea]:
    """Newest first over both kinds. Each kind is read up to ``offset + limit`` rows and the
    two lists are merged in Python, so the query count does not grow with the number of
    entries (three queries: terms, entries, suggestions). With ``watched_only`` the rows
    that mention no watched term are dropped after the merge (terms may change at any
    time, so matches are not stored)."""
    index = TermIndex.load()
    window = offset + limit
    if filters.watched_only:
        window *= 4
    rows: list[Idea] = []
    entries = [] if filters.source == "suggestions" else _entries(filters)[:window]
    for entry in entries:
        pattern = index.pattern(entry.language)
        rows.append(
            Idea(
                kind="entry",
                obj=entry,
                at=entry.sort_at,
                title=highlight(entry.title, pattern),
                summary=highlight(entry.summary, pattern),
                terms=index.found(f"{entry.title}\n{entry.summary}", entry.language),
                is_alert=bool(entry.alert_terms),
            )
        )
    suggestions = _suggestions(filters)
    if suggestions is not None:
        for suggestion in suggestions[:window]:
            language = getattr(suggestion.ambassador, "language", "") or "en"
            pattern = index.pattern(language)
            rows.append(
                Idea(
                    kind="suggestion",
                    obj=suggestion,
                    at=suggestion.created_at,
                    title=highlight(suggestion.link, pattern),
                    summary=highlight(suggestion.note, pattern),
                    terms=index.found(f"{suggestion.link}\n{suggestion.note}", language),
                )
            )
    rows.sort(key=lambda idea: idea.at, reverse=True)
    if filters.watched_only:
        rows = [row for row in rows if row.terms]
    return rows[offset : offset + limit]


def _claim(entry: SourceEntry, *, status: str, by: User | None) -> None:
    now = timezone.now()
    changed = SourceEntry.objects.filter(pk=entry.pk, status=Status.NEW).update(
        status=status, decided_at=now, decided_by=by
    )
    if not changed:
        raise InboxError(_("Someone already handled this entry."))
    entry.status, entry.decided_at, entry.decided_by = status, now, by


def picture_download(url: str) -> tuple[ContentFile | None, str]:
    """(cleaned picture, "") or (None, why not). Goes through the safe fetcher with the
    upload size limit, then the upload checks and clean-up of ``images.py``."""
    if not url:
        return None, ""
    try:
        response = fetch(url, max_bytes=MAX_BYTES, accept="image/jpeg, image/png, image/webp")
    except FetchError as error:
        return None, error.message
    name = posixpath.basename(urlsplit(response.url).path) or "picture"
    upload = ContentFile(response.content, name=name)
    try:
        image_validate(upload)
        return image_clean(upload, name=name), ""
    except ImageRejected as error:
        return None, str(error)


def source_entry_draft(*, entry: SourceEntry, by: User | None) -> Item:
    """A draft item from the entry (see module docstring). ``by`` is the comms member, or
    None for a source's automatic drafts. Raises InboxError when the entry was already
    drafted or dismissed; nothing is created then."""
    picture, picture_problem = picture_download(entry.picture)
    source = entry.source
    with transaction.atomic():
        _claim(entry, status=Status.DRAFTED, by=by)
        title = entry.title[:ITEM_TITLE_LENGTH].strip() or entry.link[:ITEM_TITLE_LENGTH]
        item = Item(
            title=title,
            slug=unique_item_slug(title),
            link=entry.link,
            body=entry.summary,
            language=entry.language,
            status=Item.Status.DRAFT,
            author=by,
        )
        if picture is not None:
            image_attach(field=item.image, picture=picture)
            item.image_alt = title[:250]
        item.plain_language = plain_language_check(
            title=item.title, body=item.body, language=item.language
        ).as_dict()
        item.save()
        item.topics.set(source.topics.all())
        if by is None:
            note = _("Made automatically from the source “%(source)s”: %(link)s")
        else:
            note = _("From the source “%(source)s”: %(link)s")
        note %= {"source": source.name, "link": entry.link or entry.title}
        if picture_problem:
            note += "\n" + _("The picture could not be used: %(reason)s") % {
                "reason": picture_problem
            }
        ItemEvent.objects.create(item=item, actor=by, action=ItemEvent.Action.CREATED, note=note)
        SourceEntry.objects.filter(pk=entry.pk).update(item=item)
        entry.item = item
    return item


def source_entry_dismiss(*, entry: SourceEntry, by: User) -> SourceEntry:
    """Takes the entry out of the inbox. Raises InboxError when already handled."""
    _claim(entry, status=Status.DISMISSED, by=by)
    return entry


def entries_auto_draft(*, entry_ids: list[int]) -> list[int]:
    """Drafts for a source set to draft automatically; returns the item ids. One entry that
    fails is logged and skipped, the rest still get drafts."""
    items = []
    for entry in SourceEntry.objects.filter(pk__in=entry_ids, status=Status.NEW).select_related(
        "source"
    ):
        try:
            items.append(source_entry_draft(entry=entry, by=None).pk)
        except InboxError:
            continue
        except Exception:
            log.exception("entry %s: automatic draft failed", entry.pk)
    return items

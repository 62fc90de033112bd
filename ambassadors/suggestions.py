"""Suggestions: ideas from ambassadors that comms turn into draft items, or decline kindly."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Ambassador, AuditEvent, Item, ItemEvent, Language, Suggestion, User
from .notifications import notify_suggestion_decided
from .publishing.slugs import unique_item_slug
from .tracking.ratelimit import rate_limit_hit

TITLE_LENGTH = 120


class SuggestionError(Exception):
    """The suggestion was already accepted or declined (by someone else, or twice)."""


def suggestion_rate_allows(*, ambassador: Ambassador) -> bool:
    """Counts one attempt. SUGGESTION_RATE_LIMIT = (how many, per seconds)."""
    limit, window = getattr(settings, "SUGGESTION_RATE_LIMIT", (5, 3600))
    return rate_limit_hit(
        scope="suggestion", key=str(ambassador.pk), limit=limit, window_seconds=window
    )


def suggestion_submit(*, ambassador: Ambassador, link: str, note: str = "") -> Suggestion:
    return Suggestion.objects.create(ambassador=ambassador, link=link, note=note.strip())


def title_from_suggestion(suggestion: Suggestion) -> str:
    """The first line of the note, or the link without its scheme, shortened."""
    first_line = next((line.strip() for line in suggestion.note.splitlines() if line.strip()), "")
    if not first_line:
        parts = urlsplit(suggestion.link)
        first_line = (parts.netloc + parts.path).rstrip("/") or suggestion.link
    return Truncator(first_line).chars(TITLE_LENGTH)


def _claim(suggestion: Suggestion, *, status: str, by: User, **fields: Any) -> None:
    """Moves a new suggestion on in one conditional UPDATE: when two comms members press
    at once, only one wins and the other gets SuggestionError."""
    now = timezone.now()
    changed = Suggestion.objects.filter(pk=suggestion.pk, status=Suggestion.Status.NEW).update(
        status=status, decided_at=now, decided_by=by, **fields
    )
    if not changed:
        raise SuggestionError(_("Someone already handled this suggestion."))
    suggestion.status = status
    suggestion.decided_at = now
    suggestion.decided_by = by
    for name, value in fields.items():
        setattr(suggestion, name, value)


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, by: User) -> Item:
    """Creates a draft item from the suggestion, authored by the comms member who accepts
    it; its first event credits the suggester."""
    _claim(suggestion, status=Suggestion.Status.ACCEPTED, by=by)
    suggester = suggestion.ambassador
    title = title_from_suggestion(suggestion)
    item = Item.objects.create(
        title=title,
        slug=unique_item_slug(title),
        link=suggestion.link,
        body=suggestion.note,
        language=suggester.language if suggester.language in Language.values else Language.EN,
        status=Item.Status.DRAFT,
        author=by,
    )
    note = _("From a suggestion by %(name)s.") % {"name": suggester}
    ItemEvent.objects.create(item=item, actor=by, action=ItemEvent.Action.CREATED, note=note)
    audit_record(actor=by, action=AuditEvent.Action.ITEM_CREATED, item=item, note=note)
    Suggestion.objects.filter(pk=suggestion.pk).update(item=item)
    suggestion.item = item
    notify_suggestion_decided(suggestion=suggestion, by=by)
    return item


@transaction.atomic
def suggestion_decline(*, suggestion: Suggestion, by: User, reason: str) -> Suggestion:
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required")
    _claim(suggestion, status=Suggestion.Status.DECLINED, by=by, decline_reason=reason[:300])
    notify_suggestion_decided(suggestion=suggestion, by=by)
    return suggestion

"""The rules every publishing step shares: which fields comms edit (``ItemFields``), who may
approve and publish, the errors a step raises (``PublishingError``), the plain-language
report stored on an item, and a published item's frozen slug.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.utils.translation import gettext as _

from ..images import image_clean, og_image_write
from ..models import Department, Item, ItemEvent, JargonTerm, ShareText, SiteSettings, Topic, User
from ..plain_language import Report, check, detect_language

Status = Item.Status
Action = ItemEvent.Action

EDITABLE_FIELDS = (
    "title",
    "link",
    "body",
    "image_alt",
    "language",
    "translation_of",
    "is_urgent",
    "is_featured",
    "internal_only",
    "disclosure",
    "publish_at",
    "expires_at",
)
MANY_FIELDS = ("topics", "audience")


class ItemDetails(TypedDict, total=False):
    """``ItemFields`` but the title, which ``item_create`` takes as its own argument."""

    link: str
    body: str
    image_alt: str
    language: str
    translation_of: Item | None
    is_urgent: bool
    is_featured: bool
    internal_only: bool
    disclosure: str
    publish_at: datetime | None
    expires_at: datetime | None
    topics: Iterable[Topic | int]
    audience: Iterable[Department | int]


class ItemFields(ItemDetails, total=False):
    """The keyword arguments ``item_create`` and ``item_update`` take besides ``by``, ``item``,
    ``share_texts`` and the picture: exactly ``EDITABLE_FIELDS`` and ``MANY_FIELDS``. A name
    left out is not changed; a name not listed here raises ``TypeError``."""

    title: str


class PublishingError(Exception):
    """A step that is not allowed right now; the message is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfirmationNeeded(PublishingError):
    """The text reads as corporate speak: publishing it needs an explicit yes."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


# --- Plain language -------------------------------------------------------------------------

JARGON_CACHE_SECONDS = 60


def _jargon_cache_key(language: str) -> str:
    return f"plain_language:jargon:{language}"


def jargon_terms(*, language: str) -> list[tuple[str, str]]:
    """Comms' own jargon list for one language, cached briefly: the panel asks for it on
    every typing pause. The admin clears it on change (jargon_cache_clear)."""
    key = _jargon_cache_key(language)
    terms = cache.get(key)
    if terms is None:
        terms = [
            (term, suggestion)
            for term, suggestion in JargonTerm.objects.filter(language=language)
            .order_by("term")
            .values_list("term", "suggestion")
        ]
        cache.set(key, terms, JARGON_CACHE_SECONDS)
    return terms


def jargon_cache_clear() -> None:
    cache.delete_many([_jargon_cache_key(code) for code, _name in settings.LANGUAGES])


def plain_language_text(*, title: str, body: str) -> str:
    """What every plain-language score, count and hint is about: the item's text (``body``).
    The title is left out (README, *Plain-language checker*): a heading is no sentence, and its
    words let a 25-word text pass the 30-word minimum for a score. ``title`` stays a parameter
    so every caller passes the same two fields and the rule lives here only."""
    return body.strip()


def plain_language_check(*, title: str, body: str, language: str) -> Report:
    """The checker's report for an item's text (not its title: ``plain_language_text``), with
    comms' jargon additions.

    A text clearly written in the other language is checked in that language (the report's
    ``language_mismatch`` says so), with comms' additions for the language it is written in."""
    text = plain_language_text(title=title, body=body)
    checked_in = detect_language(text) or language
    return check(text, language=language, extra_jargon=jargon_terms(language=checked_in))


def plain_language_store(item: Item) -> Report:
    report = plain_language_check(title=item.title, body=item.body, language=item.language)
    item.plain_language = report.as_dict()
    return report


# --- Share texts ---------------------------------------------------------------------------


def item_disclosure(*, item: Item, site: SiteSettings | None = None) -> str:
    if item.disclosure:
        return item.disclosure
    return (site or SiteSettings.load()).disclosure_for(item.language)


def share_texts_replace(item: Item, share_texts: Iterable[tuple[str, str]]) -> None:
    item.share_texts.all().delete()
    ShareText.objects.bulk_create(
        [
            ShareText(item=item, network=network, text=text.strip())
            for network, text in share_texts
            if text and text.strip()
        ]
    )


# --- Permissions ----------------------------------------------------------------------------


def comms_require(user: User | None) -> None:
    if user is None or not user.is_active or not user.has_perm("ambassadors.publish_item"):
        raise PublishingError(_("Only the comms team can do this."))


def can_publish_urgent_alone(*, item: Item, user: User) -> bool:
    return item.is_urgent and user.has_perm("ambassadors.publish_urgent")


def can_approve(*, item: Item, user: User, site: SiteSettings | None = None) -> bool:
    site = site or SiteSettings.load()
    if item.status != Status.IN_REVIEW:
        return False
    return not site.review_required or item.author_id != user.pk


def can_publish(*, item: Item, user: User, site: SiteSettings | None = None) -> bool:
    """Publishing without a review: allowed when review is off, or for a comms lead with an
    urgent item (a crisis cannot wait for a second person)."""
    site = site or SiteSettings.load()
    if item.status not in (Status.DRAFT, Status.IN_REVIEW):
        return False
    return not site.review_required or can_publish_urgent_alone(item=item, user=user)


def slug_is_frozen(item: Item) -> bool:
    """Once published, links are out in the world: the address must never change."""
    if item.status in (Status.PUBLISHED, Status.ARCHIVED):
        return True
    if item.pk is None:  # unsaved: no history yet (and its related managers would raise)
        return False
    return item.events.filter(action=Action.PUBLISHED).exists()


# --- Writing --------------------------------------------------------------------------------


def item_fields_check(fields: Mapping[str, object]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(MANY_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")


def item_image_save(item: Item, image: File) -> None:
    cleaned = image_clean(image, name=image.name)
    item.image.save(cleaned.name, cleaned, save=False)  # type: ignore[arg-type]  # image_clean names it
    og_image_write(storage=item.image.storage, image_name=item.image.name)  # type: ignore[arg-type]  # saved just above


# Workflow step → audit action; every ItemEvent is also an audit event.

"""Writing, reviewing and publishing items: every workflow step comms can take.

draft → in_review → published → archived, plus "send back" (in_review → draft) with a note.
Each step is one service that checks who may take it, moves the status with a conditional
UPDATE (two people pressing at once cannot both win), and records an ItemEvent. "Live" is
never stored: Item.objects.live() computes it from status, publish_at and expires_at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .images import image_clean, og_image_write
from .links import link_targets_forget
from .models import AuditEvent, Item, ItemEvent, JargonTerm, ShareText, SiteSettings
from .plain_language import check, detect_language
from .slugs import unique_item_slug

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


class PublishingError(Exception):
    """A step that is not allowed right now; the message is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfirmationNeeded(PublishingError):
    """The text reads as corporate speak: publishing it needs an explicit yes."""

    def __init__(self, message: str, report: Any):
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


def plain_language_check(*, title: str, body: str, language: str):
    """The checker's report for an item's text (not its title: ``plain_language_text``), with
    comms' jargon additions.

    A text clearly written in the other language is checked in that language (the report's
    ``language_mismatch`` says so), with comms' additions for the language it is written in."""
    text = plain_language_text(title=title, body=body)
    checked_in = detect_language(text) or language
    return check(text, language=language, extra_jargon=jargon_terms(language=checked_in))


def _store_report(item: Item):
    report = plain_language_check(title=item.title, body=item.body, language=item.language)
    item.plain_language = report.as_dict()
    return report


# --- Share texts ---------------------------------------------------------------------------


def item_disclosure(*, item: Item, site: SiteSettings | None = None) -> str:
    if item.disclosure:
        return item.disclosure
    return (site or SiteSettings.load()).disclosure_for(item.language)


def _replace_share_texts(item: Item, share_texts: Iterable[tuple[str, str]]) -> None:
    item.share_texts.all().delete()
    ShareText.objects.bulk_create(
        [
            ShareText(item=item, network=network, text=text.strip())
            for network, text in share_texts
            if text and text.strip()
        ]
    )


# --- Permissions ----------------------------------------------------------------------------


def _require_comms(user) -> None:
    if user is None or not user.is_active or not user.has_perm("ambassadors.publish_item"):
        raise PublishingError(_("Only the comms team can do this."))


def can_publish_urgent_alone(*, item: Item, user) -> bool:
    return item.is_urgent and user.has_perm("ambassadors.publish_urgent")


def can_approve(*, item: Item, user, site: SiteSettings | None = None) -> bool:
    site = site or SiteSettings.load()
    if item.status != Status.IN_REVIEW:
        return False
    return not site.review_required or item.author_id != user.pk


def can_publish(*, item: Item, user, site: SiteSettings | None = None) -> bool:
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
    return item.pk is not None and item.events.filter(action=Action.PUBLISHED).exists()


# --- Writing --------------------------------------------------------------------------------


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(MANY_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")


def _save_image(item: Item, image) -> None:
    cleaned = image_clean(image, name=image.name)
    item.image.save(cleaned.name, cleaned, save=False)
    og_image_write(storage=item.image.storage, image_name=item.image.name)


# Workflow step → audit action; every ItemEvent is also an audit event.
AUDIT_ACTIONS = {
    Action.CREATED: AuditEvent.Action.ITEM_CREATED,
    Action.EDITED: AuditEvent.Action.ITEM_EDITED,
    Action.SUBMITTED: AuditEvent.Action.ITEM_SUBMITTED,
    Action.RETURNED: AuditEvent.Action.ITEM_RETURNED,
    Action.APPROVED: AuditEvent.Action.ITEM_APPROVED,
    Action.PUBLISHED: AuditEvent.Action.ITEM_PUBLISHED,
    Action.ARCHIVED: AuditEvent.Action.ITEM_ARCHIVED,
    Action.UNPUBLISHED: AuditEvent.Action.ITEM_UNPUBLISHED,
    Action.ALERTS_CANCELLED: AuditEvent.Action.ALERTS_CANCELLED,
}


def _record(
    item: Item, *, by, action: str, note: str = "", changes: dict | None = None
) -> ItemEvent:
    """The item's own history (shown on its page) plus the audit trail, and notifications
    for the people the step concerns (sent after commit)."""
    from .audit import audit_record
    from .notifications import notifications_resolve_item_step, notify_item_step

    event = ItemEvent.objects.create(item=item, actor=by, action=action, note=note)
    audit_record(
        actor=by,
        # A step added later without its own audit kind is still recorded, as "item_<step>".
        action=AUDIT_ACTIONS.get(action, f"item_{action}"),
        item=item,
        changes=changes,
        note=note,
        at=event.at,
    )
    notifications_resolve_item_step(item=item, event=event)
    notify_item_step(item=item, event=event)
    return event


@transaction.atomic
def item_create(
    *,
    by,
    title: str,
    share_texts: Iterable[tuple[str, str]] = (),
    image=None,
    **fields: Any,
) -> Item:
    """A new draft. The plain-language report is stored now so the list can show the band."""
    _require_comms(by)
    _check_fields(fields)
    many = {name: fields.pop(name) for name in MANY_FIELDS if name in fields}
    item = Item(title=title, author=by, status=Status.DRAFT, **fields)
    item.slug = unique_item_slug(title)
    if image:
        _save_image(item, image)
    _store_report(item)
    item.save()
    for name, values in many.items():
        getattr(item, name).set(values)
    _replace_share_texts(item, share_texts)
    from .audit import created_changes, item_snapshot

    _record(item, by=by, action=Action.CREATED, changes=created_changes(item_snapshot(item)))
    return item


def _same_minute(old: Any, new: Any) -> bool:
    """The editor's date fields show minutes: a stored 09:00:37 comes back as 09:00:00.
    That is no change (otherwise a title-only edit would also "change" publish at)."""
    return (
        isinstance(old, datetime)
        and isinstance(new, datetime)
        and new.second == 0
        and new.microsecond == 0
        and old.replace(second=0, microsecond=0) == new
    )


@transaction.atomic
def item_update(
    *,
    item: Item,
    by,
    share_texts: Iterable[tuple[str, str]] | None = None,
    image=None,
    remove_image: bool = False,
    **fields: Any,
) -> Item:
    """Edits any item that is not archived. The slug follows the title until the item has
    been published once; then it is frozen because shared links point to it.

    With review on, changes to the words, link, picture, share texts, audience or dates of a
    published item do not go live: they wait as an ItemRevision (see revisions.py) until a
    second comms member approves; topics and "featured" still change at once. Raises
    PublishingError for archived items and for (un)making a published item urgent."""
    _require_comms(by)
    _check_fields(fields)
    if item.status == Status.ARCHIVED:
        raise PublishingError(_("Archived items cannot be changed. Make a copy instead."))
    many = {name: fields.pop(name) for name in MANY_FIELDS if name in fields}
    fields = {
        name: value
        for name, value in fields.items()
        if not _same_minute(getattr(item, name), value)
    }
    if item.status == Status.PUBLISHED and fields.get("is_urgent", item.is_urgent) != (
        item.is_urgent
    ):
        raise PublishingError(
            _("You cannot make a published item urgent, or not urgent. Make a copy instead.")
        )
    if item.status == Status.PUBLISHED and SiteSettings.load().review_required:
        from .revisions import revision_split

        fields, many, share_texts, image, remove_image = revision_split(
            item=item,
            by=by,
            fields=fields,
            many=many,
            share_texts=share_texts,
            image=image,
            remove_image=remove_image,
        )
    return item_apply_changes(
        item=item,
        by=by,
        fields=fields,
        many=many,
        share_texts=share_texts,
        image=image,
        remove_image=remove_image,
    )


def item_apply_changes(
    *,
    item: Item,
    by,
    fields: dict[str, Any],
    many: dict[str, Any],
    share_texts: Iterable[tuple[str, str]] | None = None,
    image=None,
    remove_image: bool = False,
    image_name: str = "",
    note: str = "",
) -> Item:
    """Writes checked changes to the item at once and records them (ItemEvent "Edited" with
    the changed field names, and an audit event with the exact old → new values). Callers:
    item_update and revision_approve; both check permissions first. Run in a transaction."""
    from .audit import field_changes, item_snapshot

    before = item_snapshot(item)
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    if "title" in changed and not slug_is_frozen(item):
        item.slug = unique_item_slug(item.title, exclude_pk=item.pk)
    if image:
        _save_image(item, image)
        changed.append("image")
    elif image_name:
        # An already cleaned picture (a revision's): point to it, make its link preview.
        item.image = image_name
        og_image_write(storage=item.image.storage, image_name=item.image.name)
        changed.append("image")
    elif remove_image and item.image:
        item.image = ""
        changed.append("image")
    _store_report(item)
    item.save()
    if "link" in changed or "internal_only" in changed:
        # Shared links redirect to the new address (or stop, for a staff-only item) within
        # seconds on every web process.
        transaction.on_commit(lambda: link_targets_forget(item=item))
    for name, values in many.items():
        related = getattr(item, name)
        before_pks = set(related.values_list("pk", flat=True))
        after_pks = {getattr(v, "pk", v) for v in values}
        if before_pks != after_pks:
            related.set(values)
            changed.append(name)
    if share_texts is not None:
        share_texts = [(n, t.strip()) for n, t in share_texts if t and t.strip()]
        if sorted(share_texts) != sorted(item.share_texts.values_list("network", "text")):
            _replace_share_texts(item, share_texts)
            changed.append("share_texts")
    if changed:
        labels = [
            str(_("share texts"))
            if name == "share_texts"
            else str(Item._meta.get_field(name).verbose_name)
            for name in changed
        ]
        summary = ", ".join(labels)
        _record(
            item,
            by=by,
            action=Action.EDITED,
            note=f"{summary} ({note})" if note else summary,
            changes=field_changes(before, item_snapshot(item)),
        )
    return item


@transaction.atomic
def item_duplicate(*, item: Item, by) -> Item:
    """A fresh draft with the same words, picture, topics, audience and share texts: the
    usual start for a follow-up story or the other language's version."""
    _require_comms(by)
    copy = Item(
        title=_("%(title)s (copy)") % {"title": item.title},
        author=by,
        status=Status.DRAFT,
        **{
            name: getattr(item, name)
            for name in EDITABLE_FIELDS
            if name not in ("title", "publish_at", "expires_at")
        },
    )
    copy.title = copy.title[: Item._meta.get_field("title").max_length]
    copy.image = item.image.name if item.image else ""
    copy.slug = unique_item_slug(copy.title)
    copy.plain_language = item.plain_language
    copy.save()
    copy.topics.set(item.topics.all())
    copy.audience.set(item.audience.all())
    _replace_share_texts(copy, item.share_texts.values_list("network", "text"))
    _record(copy, by=by, action=Action.CREATED, note=_("Copy of %(slug)s") % {"slug": item.slug})
    return copy


# --- Workflow -------------------------------------------------------------------------------


def _move(
    item: Item,
    *,
    allowed_from: Sequence[str],
    to: str,
    by,
    action: str,
    note: str = "",
    values: dict[str, Any] | None = None,
) -> Item:
    """Conditional UPDATE: if someone moved the item meanwhile, nothing happens and we say so."""
    values = {"status": to, "updated_at": timezone.now(), **(values or {})}
    moved = Item.objects.filter(pk=item.pk, status__in=allowed_from).update(**values)
    if not moved:
        raise PublishingError(
            _("Someone changed this item just now. Reload the page and try again.")
        )
    for name, value in values.items():
        setattr(item, name, value)
    _record(item, by=by, action=action, note=note)
    return item


def item_submit(*, item: Item, by, note: str = "") -> Item:
    _require_comms(by)
    if item.status != Status.DRAFT:
        raise PublishingError(_("Only drafts can be sent for review."))
    with transaction.atomic():
        return _move(
            item,
            allowed_from=[Status.DRAFT],
            to=Status.IN_REVIEW,
            by=by,
            action=Action.SUBMITTED,
            note=note,
        )


def item_return(*, item: Item, by, note: str) -> Item:
    """Send back to draft; the note tells the author what to change."""
    _require_comms(by)
    if item.status != Status.IN_REVIEW:
        raise PublishingError(_("Only items waiting for review can be sent back."))
    if not note.strip():
        raise PublishingError(_("Write a short note so the author knows what to change."))
    with transaction.atomic():
        return _move(
            item,
            allowed_from=[Status.IN_REVIEW],
            to=Status.DRAFT,
            by=by,
            action=Action.RETURNED,
            note=note.strip(),
        )


def _go_live(
    item: Item,
    *,
    by,
    now: datetime,
    confirm_corporate: bool,
    action: str,
    note: str,
    without_reviewer: bool = False,
) -> Item:
    """Shared by approve and publish. Checks the words, fixes publish_at, schedules urgent
    e-mails (the sweeper sends them; it needs alerts_send_after), then moves the status."""
    if not item.title.strip():
        raise PublishingError(_("Give the item a title first."))
    report = _store_report(item)
    if report.band == "corporate" and not confirm_corporate:
        raise ConfirmationNeeded(
            _("This text is hard to read. Tick the box to publish it anyway."), report
        )
    # A planned time already past (approved late) becomes now: the item then counts as new
    # in the feed and in the next weekly e-mail instead of slipping in as old news.
    publish_at = max(item.publish_at or now, now)
    if item.expires_at and item.expires_at <= now:
        raise PublishingError(
            _("The end date has passed, so nobody would see this item. Pick a later end date.")
        )
    if item.expires_at and item.expires_at <= publish_at:
        raise PublishingError(
            _("The end date is before the start date, so nobody would see it. Change a date.")
        )
    values: dict[str, Any] = {
        "publish_at": publish_at,
        "plain_language": item.plain_language,
    }
    if item.is_urgent and item.alerts_done_at is None:
        delay = timedelta(minutes=SiteSettings.load().urgent_send_delay_minutes)
        values["alerts_send_after"] = max(now, publish_at) + delay
        values["alerts_cancelled_at"] = None
    with transaction.atomic():
        from .audit import audit_record

        if report.band == "corporate":
            audit_record(
                actor=by,
                action=AuditEvent.Action.OVERRIDE_CORPORATE,
                item=item,
                note=_("Reading score %(score)s") % {"score": report.score},
            )
        if without_reviewer:
            audit_record(actor=by, action=AuditEvent.Action.OVERRIDE_URGENT_ALONE, item=item)
        if action == Action.APPROVED:
            _record(item, by=by, action=Action.APPROVED, note=note)
            note = ""
        return _move(
            item,
            allowed_from=[Status.DRAFT, Status.IN_REVIEW],
            to=Status.PUBLISHED,
            by=by,
            action=Action.PUBLISHED,
            note=note,
            values=values,
        )


def item_approve(
    *, item: Item, by, note: str = "", confirm_corporate: bool = False, now: datetime | None = None
) -> Item:
    """A second comms member approves: the item is published (and live at publish_at)."""
    _require_comms(by)
    site = SiteSettings.load()
    if item.status != Status.IN_REVIEW:
        raise PublishingError(_("Only items waiting for review can be approved."))
    if not can_approve(item=item, user=by, site=site):
        raise PublishingError(_("Someone else from the comms team must approve your own item."))
    return _go_live(
        item,
        by=by,
        now=now or timezone.now(),
        confirm_corporate=confirm_corporate,
        action=Action.APPROVED,
        note=note,
    )


def item_publish(
    *, item: Item, by, note: str = "", confirm_corporate: bool = False, now: datetime | None = None
) -> Item:
    """Publish without review: when review is off, or an urgent item by a comms lead."""
    _require_comms(by)
    site = SiteSettings.load()
    if item.status not in (Status.DRAFT, Status.IN_REVIEW):
        raise PublishingError(_("Only drafts and items in review can be published."))
    if not can_publish(item=item, user=by, site=site):
        raise PublishingError(
            _("A second person from the comms team must approve this item first.")
        )
    return _go_live(
        item,
        by=by,
        now=now or timezone.now(),
        confirm_corporate=confirm_corporate,
        action=Action.PUBLISHED,
        note=note,
        # A lead's urgent item while review is on: allowed, and recorded as an override.
        without_reviewer=site.review_required,
    )


def item_archive(*, item: Item, by, note: str = "") -> Item:
    """Takes the item out of the feed for good; links keep working on the public page."""
    _require_comms(by)
    if item.status == Status.ARCHIVED:
        raise PublishingError(_("This item is already archived."))
    with transaction.atomic():
        return _move(
            item,
            allowed_from=[Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED],
            to=Status.ARCHIVED,
            by=by,
            action=Action.ARCHIVED,
            note=note,
        )


def alerts_can_cancel(*, item: Item, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        item.is_urgent
        and item.alerts_send_after is not None
        and item.alerts_cancelled_at is None
        and item.alerts_done_at is None
        and now < item.alerts_send_after
    )


def item_alerts_cancel(*, item: Item, by, now: datetime | None = None) -> Item:
    """Stops the urgent e-mails during the delay. The conditional UPDATE makes it lose
    cleanly against the sweeper: once sending may have started, cancelling is refused."""
    _require_comms(by)
    now = now or timezone.now()
    if not alerts_can_cancel(item=item, now=now):
        raise PublishingError(_("It is too late to stop these e-mails, or they were stopped."))
    with transaction.atomic():
        stopped = Item.objects.filter(
            pk=item.pk,
            alerts_cancelled_at__isnull=True,
            alerts_done_at__isnull=True,
            alerts_send_after__gt=now,
        ).update(alerts_cancelled_at=now)
        if not stopped:
            raise PublishingError(_("It is too late to stop these e-mails, or they were stopped."))
        item.alerts_cancelled_at = now
        _record(item, by=by, action=Action.ALERTS_CANCELLED)
    return item

"""Writing items: creating, editing (straight away, or through a reviewed revision), duplicating,
and recording every step in the item's history and the audit trail (``item_step_record``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Unpack

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from ..images import og_image_write
from ..models import AuditEvent, Item, ItemEvent, SiteSettings, User
from ..tracking.links import link_targets_forget
from .rules import (
    EDITABLE_FIELDS,
    MANY_FIELDS,
    Action,
    ItemDetails,
    ItemFields,
    PublishingError,
    Status,
    comms_require,
    item_fields_check,
    item_image_save,
    plain_language_store,
    share_texts_replace,
    slug_is_frozen,
)
from .slugs import unique_item_slug

AUDIT_ACTIONS: dict[str, str] = {
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


def item_step_record(
    item: Item, *, by: User, action: str, note: str = "", changes: dict | None = None
) -> ItemEvent:
    """The item's own history (shown on its page) plus the audit trail, and notifications
    for the people the step concerns (sent after commit)."""
    from ..audit import audit_record
    from ..notifications import notifications_resolve_item_step, notify_item_step

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
    by: User,
    title: str,
    share_texts: Iterable[tuple[str, str]] = (),
    image: File | None = None,
    **fields: Unpack[ItemDetails],
) -> Item:
    """A new draft. The plain-language report is stored now so the list can show the band."""
    comms_require(by)
    values: dict[str, Any] = dict(fields)
    item_fields_check(values)
    many = {name: values.pop(name) for name in MANY_FIELDS if name in values}
    item = Item(title=title, author=by, status=Status.DRAFT, **values)
    item.slug = unique_item_slug(title)
    if image:
        item_image_save(item, image)
    plain_language_store(item)
    item.save()
    for name, values in many.items():
        getattr(item, name).set(values)
    share_texts_replace(item, share_texts)
    from ..audit import created_changes, item_snapshot

    item_step_record(
        item, by=by, action=Action.CREATED, changes=created_changes(item_snapshot(item))
    )
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
    by: User,
    share_texts: Iterable[tuple[str, str]] | None = None,
    image: File | None = None,
    remove_image: bool = False,
    **fields: Unpack[ItemFields],
) -> Item:
    """Edits any item that is not archived. The slug follows the title until the item has
    been published once; then it is frozen because shared links point to it.

    With review on, changes to the words, link, picture, share texts, audience or dates of a
    published item do not go live: they wait as an ItemRevision (see revisions.py) until a
    second comms member approves; topics and "featured" still change at once. Raises
    PublishingError for archived items and for (un)making a published item urgent."""
    comms_require(by)
    item_fields_check(fields)
    if item.status == Status.ARCHIVED:
        raise PublishingError(_("Archived items cannot be changed. Make a copy instead."))
    values: dict[str, Any] = dict(fields)
    many = {name: values.pop(name) for name in MANY_FIELDS if name in values}
    values = {
        name: value
        for name, value in values.items()
        if not _same_minute(getattr(item, name), value)
    }
    if item.status == Status.PUBLISHED and values.get("is_urgent", item.is_urgent) != (
        item.is_urgent
    ):
        raise PublishingError(
            _("You cannot make a published item urgent, or not urgent. Make a copy instead.")
        )
    if item.status == Status.PUBLISHED and SiteSettings.load().review_required:
        from .revisions import revision_split

        values, many, share_texts, image, remove_image = revision_split(
            item=item,
            by=by,
            fields=values,
            many=many,
            share_texts=share_texts,
            image=image,
            remove_image=remove_image,
        )
    return item_apply_changes(
        item=item,
        by=by,
        fields=values,
        many=many,
        share_texts=share_texts,
        image=image,
        remove_image=remove_image,
    )


def item_apply_changes(
    *,
    item: Item,
    by: User,
    fields: dict[str, Any],
    many: dict[str, Any],
    share_texts: Iterable[tuple[str, str]] | None = None,
    image: File | None = None,
    remove_image: bool = False,
    image_name: str = "",
    note: str = "",
) -> Item:
    """Writes checked changes to the item at once and records them (ItemEvent "Edited" with
    the changed field names, and an audit event with the exact old → new values). Callers:
    item_update and revision_approve; both check permissions first. Run in a transaction."""
    from ..audit import field_changes, item_snapshot

    before = item_snapshot(item)
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    if "title" in changed and not slug_is_frozen(item):
        item.slug = unique_item_slug(item.title, exclude_pk=item.pk)
    if image:
        item_image_save(item, image)
        changed.append("image")
    elif image_name:
        # An already cleaned picture (a revision's): point to it, make its link preview.
        item.image = image_name
        og_image_write(storage=item.image.storage, image_name=item.image.name)
        changed.append("image")
    elif remove_image and item.image:
        item.image = ""
        changed.append("image")
    plain_language_store(item)
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
            share_texts_replace(item, share_texts)
            changed.append("share_texts")
    if changed:
        labels = [
            str(_("share texts"))
            if name == "share_texts"
            # changed holds field names of Item itself, never a reverse relation
            else str(Item._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
            for name in changed
        ]
        summary = ", ".join(labels)
        item_step_record(
            item,
            by=by,
            action=Action.EDITED,
            note=f"{summary} ({note})" if note else summary,
            changes=field_changes(before, item_snapshot(item)),
        )
    return item


@transaction.atomic
def item_duplicate(*, item: Item, by: User) -> Item:
    """A fresh draft with the same words, picture, topics, audience and share texts: the
    usual start for a follow-up story or the other language's version."""
    comms_require(by)
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
    share_texts_replace(copy, item.share_texts.values_list("network", "text"))
    item_step_record(
        copy, by=by, action=Action.CREATED, note=_("Copy of %(slug)s") % {"slug": item.slug}
    )
    return copy


# --- Workflow -------------------------------------------------------------------------------

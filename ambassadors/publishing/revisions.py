"""Reviewed edits of live items (issue 12).

With review on (SiteSettings.review_required), a change to a *published* item's words, link,
picture, share texts, audience, language, disclosure or dates does not go live: it is stored
as a pending ``ItemRevision`` and the live version stays as it was. A second comms member
approves it (the change is then applied and recorded) or sends it back with a note. Topics
and "featured" are metadata: they change at once. With review off, edits go live at once
(publishing.items.item_update) and the audit trail records them.

One item has at most one pending revision; a newer edit replaces it (the older one becomes
"withdrawn"), and the editor starts from the pending values so nothing is lost.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..audit import audit_record, audit_value, field_label, value_display
from ..models import AuditEvent, Department, Item, ItemRevision, SiteSettings, User

if TYPE_CHECKING:
    from .rules import PublishingError

ITEM = "ambassadors.item"  # the object type of items in the audit trail

Status = ItemRevision.Status

# Changes to these go straight through even on a live item under review.
METADATA_FIELDS = ("topics", "is_featured")


def _goes_straight_through(name: str, value: Any) -> bool:
    """Metadata, and making an item staff-only (withdrawing it from sharing can only make
    it safer, and in a crisis it cannot wait for a second reviewer; the way back to
    shareable is reviewed)."""
    return name in METADATA_FIELDS or (name == "internal_only" and value is True)


DATETIME_FIELDS = ("publish_at", "expires_at")


def _to_json(name: str, value: Any) -> Any:
    if name in DATETIME_FIELDS:
        return value.isoformat() if value else None
    if name == "translation_of":
        return getattr(value, "pk", value)
    if name == "audience":
        return sorted(getattr(v, "pk", v) for v in value)
    return value


def _from_json(name: str, value: Any) -> Any:
    if name in DATETIME_FIELDS:
        return parse_datetime(value) if value else None
    if name == "translation_of":
        return Item.objects.filter(pk=value).first() if value else None
    return value


def revision_split(
    *,
    item: Item,
    by: User,
    fields: dict[str, Any],
    many: dict[str, Any],
    share_texts: Iterable[tuple[str, str]] | None,
    image: File | None = None,
    remove_image: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]] | None, File | None, bool]:
    """Takes the reviewed part of an edit to a live item into a pending revision and returns
    what may be applied at once: ``(fields, many, share_texts, image, remove_image)``.
    Called by publishing.items.item_update inside its transaction, with permissions checked."""
    proposed: dict[str, Any] = {}
    for name, value in fields.items():
        if not _goes_straight_through(name, value) and getattr(item, name) != value:
            proposed[name] = _to_json(name, value)
    if "audience" in many:
        new = _to_json("audience", many["audience"])
        if new != sorted(item.audience.values_list("pk", flat=True)):
            proposed["audience"] = new
    if share_texts is not None:
        texts = [[n, t.strip()] for n, t in share_texts if t and t.strip()]
        current = [list(pair) for pair in item.share_texts.values_list("network", "text")]
        if sorted(texts) != sorted(current):
            proposed["share_texts"] = texts
    if remove_image and item.image and not image:
        proposed["remove_image"] = True
    if proposed or image:
        revision_propose(item=item, by=by, proposed=proposed, image=image)
    direct_fields = {n: v for n, v in fields.items() if _goes_straight_through(n, v)}
    direct_many = {n: v for n, v in many.items() if n in METADATA_FIELDS}
    return direct_fields, direct_many, None, None, False


def revision_propose(
    *, item: Item, by: User, proposed: dict[str, Any], image: File | None = None
) -> ItemRevision:
    """Stores a pending revision (replacing an older pending one) and records it."""
    from ..notifications import Kind as NotificationKind
    from ..notifications import comms_reviewers, notifications_resolve, notify

    replaced = list(
        ItemRevision.objects.filter(item=item, status=Status.PENDING).values_list("pk", flat=True)
    )
    ItemRevision.objects.filter(pk__in=replaced, status=Status.PENDING).update(
        status=Status.WITHDRAWN, decided_at=timezone.now(), decided_by=by
    )
    if replaced:
        notifications_resolve(keys=[f"revision:{pk}:proposed" for pk in replaced])
    revision = ItemRevision(item=item, author=by, proposed=proposed)
    if image:
        from ..images import image_clean

        cleaned = image_clean(image, name=image.name)
        revision.image.save(cleaned.name, cleaned, save=False)  # type: ignore[arg-type]  # image_clean names it
    try:
        with transaction.atomic():
            revision.save()
    except IntegrityError:
        raise _busy() from None
    audit_record(
        actor=by,
        action=AuditEvent.Action.REVISION_PROPOSED,
        item=item,
        changes={
            row["field"]: {"old": row["old"], "new": row["new"]} for row in revision_diff(revision)
        },
    )
    notify(
        recipients=comms_reviewers(exclude=by),
        kind=NotificationKind.REVISION_WAITING,
        key=f"revision:{revision.pk}:proposed",
        actor=by,
        item=item,
        subject=item.title,
    )
    return revision


def _busy() -> PublishingError:
    from .rules import PublishingError

    return PublishingError(_("Someone changed this item just now. Reload the page and try again."))


def pending_revision(item: Item) -> ItemRevision | None:
    """The change waiting for review, if the item is still published (an archived item's
    waiting change can no longer go live, so it is not offered)."""
    if item.status != Item.Status.PUBLISHED:
        return None
    return item.revisions.filter(status=Status.PENDING).select_related("author").first()


def revision_values(revision: ItemRevision) -> dict[str, Any]:
    """The proposed values as the editor's initial data (pks for relations)."""
    values = {}
    for name, value in revision.proposed.items():
        if name in ("share_texts", "remove_image"):
            continue
        values[name] = _from_json(name, value) if name in DATETIME_FIELDS else value
    return values


def _display(name: str, value: Any) -> Any:
    if name == "audience":
        names = {d.pk: d.label for d in Department.objects.filter(pk__in=value)}
        return sorted(names.get(pk, str(pk)) for pk in value)
    if name == "share_texts":
        return [f"{n}: {t}" for n, t in value]
    if name == "translation_of":
        return str(Item.objects.filter(pk=value).first() or "") if value else None
    if name in DATETIME_FIELDS:
        return audit_value(_from_json(name, value))
    return value


def _current(item: Item, name: str) -> Any:
    if name == "audience":
        return sorted(department.label for department in item.audience.all())
    if name == "share_texts":
        return [f"{n}: {t}" for n, t in item.share_texts.values_list("network", "text")]
    if name == "translation_of":
        return str(item.translation_of) if item.translation_of_id else None
    return audit_value(getattr(item, name))


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op "same", "del" or "ins", compared word by word.

    Changed runs of words are whole (``del`` "Strategic realignment", then ``ins`` "Our
    plan"), never word-by-word alternations, and carry no surrounding whitespace: the spaces
    and line breaks of the text are "same" parts, and a removed run followed by an added one
    is always separated by a space, so the two never run together when shown."""
    a, b = re.findall(r"\S+\s*", old or ""), re.findall(r"\S+\s*", new or "")
    lead_a = (old or "")[: len(old or "") - len((old or "").lstrip())]
    parts: list[tuple[str, str]] = [("same", lead_a)] if lead_a else []

    def changed(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        parts.append((op, text.rstrip()))
        if text != text.rstrip():
            parts.append(("same", text[len(text.rstrip()) :]))

    matcher = difflib.SequenceMatcher(
        a=[t.strip() for t in a], b=[t.strip() for t in b], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            changed("del", a[i1:i2])
            if j2 > j1:
                # The removed run's own spacing is dropped: one space between the two runs.
                if parts[-1][0] == "same":
                    parts.pop()
                parts.append(("same", " "))
        if j2 > j1:
            changed("ins", b[j1:j2])
    return parts


def revision_diff(revision: ItemRevision) -> list[dict[str, Any]]:
    """One row per changed field: ``{"field", "label", "old", "new", "old_display",
    "new_display", "words"}``: the translated field label, the stored values, the values
    as people read them (choice labels, local times), and for title and text a word diff
    (else None)."""
    item = revision.item
    rows = []
    for name, value in revision.proposed.items():
        if name == "remove_image":
            continue
        old, new = _current(item, name), _display(name, value)
        words = word_diff(old or "", new or "") if name in ("title", "body") else None
        rows.append(
            {
                "field": name,
                "label": field_label(ITEM, name),
                "old": old,
                "new": new,
                "old_display": value_display(ITEM, name, old),
                "new_display": value_display(ITEM, name, new),
                "words": words,
            }
        )
    if revision.image or revision.proposed.get("remove_image"):
        old = item.image.name if item.image else None
        new = revision.image.name if revision.image else None
        rows.append(
            {
                "field": "image",
                "label": field_label(ITEM, "image"),
                "old": old,
                "new": new,
                "old_display": value_display(ITEM, "image", old),
                "new_display": value_display(ITEM, "image", new),
                "words": None,
            }
        )
    return rows


def can_decide(*, revision: ItemRevision, user: User) -> bool:
    """Someone other than its author, while it is pending and review is on; with review
    off the author may approve it too (their edits would go live at once anyway)."""
    if revision.status != Status.PENDING or revision.item.status != Item.Status.PUBLISHED:
        return False
    if not user.has_perm("ambassadors.publish_item"):
        return False
    return revision.author_id != user.pk or not SiteSettings.load().review_required


def _claim(revision: ItemRevision, *, by: User, status: str, note: str, now: datetime) -> None:
    moved = ItemRevision.objects.filter(pk=revision.pk, status=Status.PENDING).update(
        status=status, decided_by=by, decided_at=now, note=note
    )
    if not moved:
        raise _busy()
    revision.status, revision.decided_by, revision.decided_at, revision.note = (
        status,
        by,
        now,
        note,
    )


@transaction.atomic
def revision_approve(
    *, revision: ItemRevision, by: User, note: str = "", confirm_corporate: bool = False
) -> Item:
    """Applies the change to the live item. The words are checked like a first publication:
    hard-to-read text needs ``confirm_corporate`` (recorded as an override). Raises
    PublishingError (or ConfirmationNeeded) and changes nothing when not allowed."""
    from ..notifications import Kind as NotificationKind
    from ..notifications import notifications_resolve, notify
    from .items import item_apply_changes
    from .rules import ConfirmationNeeded, PublishingError, comms_require, plain_language_check

    comms_require(by)
    item = Item.objects.select_for_update().get(pk=revision.item_id)
    revision.item = item
    if not can_decide(revision=revision, user=by):
        if revision.status != Status.PENDING:
            raise _busy()
        raise PublishingError(_("Someone else from the comms team must approve your own change."))
    proposed = dict(revision.proposed)
    title = proposed.get("title", item.title)
    body = proposed.get("body", item.body)
    report = plain_language_check(
        title=title, body=body, language=proposed.get("language", item.language)
    )
    if report.band == "corporate" and not confirm_corporate:
        raise ConfirmationNeeded(
            _("This text is hard to read. Tick the box to publish it anyway."), report
        )
    publish_at = (
        _from_json("publish_at", proposed["publish_at"])
        if "publish_at" in proposed
        else item.publish_at
    )
    expires_at = (
        _from_json("expires_at", proposed["expires_at"])
        if "expires_at" in proposed
        else item.expires_at
    )
    if expires_at and publish_at and expires_at <= publish_at:
        raise PublishingError(
            _("The end date is before the start date, so nobody would see it. Change a date.")
        )
    _claim(revision, by=by, status=Status.APPROVED, note=note.strip(), now=timezone.now())
    notifications_resolve(keys=[f"revision:{revision.pk}:proposed"])
    fields = {
        name: _from_json(name, value)
        for name, value in proposed.items()
        if name not in ("audience", "share_texts", "remove_image")
    }
    many = {"audience": proposed["audience"]} if "audience" in proposed else {}
    share_texts = proposed.get("share_texts")
    if report.band == "corporate":
        audit_record(
            actor=by,
            action=AuditEvent.Action.OVERRIDE_CORPORATE,
            item=item,
            note=_("Change approved although hard to read"),
        )
    audit_record(
        actor=by,
        action=AuditEvent.Action.REVISION_APPROVED,
        item=item,
        note=note.strip(),
    )
    item_apply_changes(
        item=item,
        by=by,
        fields=fields,
        many=many,
        share_texts=share_texts,
        image_name=revision.image.name or "",  # a FieldFile is falsy exactly when unnamed
        remove_image=bool(proposed.get("remove_image")),
        note=_("change by %(name)s, approved")
        % {"name": revision.author.shown_name if revision.author else "?"},
    )
    notify(
        recipients=[revision.author_id],
        kind=NotificationKind.REVISION_DECIDED,
        key=f"revision:{revision.pk}:approved",
        actor=by,
        item=item,
        subject=item.title,
        note=note.strip(),
    )
    return item


@transaction.atomic
def revision_reject(*, revision: ItemRevision, by: User, note: str) -> ItemRevision:
    """Sends the change back with a note; the live item stays as it is."""
    from ..notifications import Kind as NotificationKind
    from ..notifications import notifications_resolve, notify
    from .rules import PublishingError, comms_require

    comms_require(by)
    if not note.strip():
        raise PublishingError(_("Write a short note so the author knows what to change."))
    if revision.status != Status.PENDING:
        raise _busy()
    _claim(revision, by=by, status=Status.REJECTED, note=note.strip(), now=timezone.now())
    notifications_resolve(keys=[f"revision:{revision.pk}:proposed"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.REVISION_REJECTED,
        item=revision.item,
        note=note.strip(),
    )
    notify(
        recipients=[revision.author_id],
        kind=NotificationKind.REVISION_DECIDED,
        key=f"revision:{revision.pk}:rejected",
        actor=by,
        item=revision.item,
        subject=revision.item.title,
        note=note.strip(),
    )
    return revision

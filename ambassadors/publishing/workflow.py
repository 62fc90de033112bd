"""The workflow steps comms take on an item: draft → in_review → published → archived, plus
"send back" (in_review → draft) with a note, and stopping an urgent item's alerts.

Each step checks who may take it, moves the status with a conditional UPDATE (two people
pressing at once cannot both win), and records an ItemEvent. "Live" is never stored:
Item.objects.live() computes it from status, publish_at and expires_at.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEvent, Item, SiteSettings, User
from .items import (
    item_step_record,
)
from .rules import (
    Action,
    ConfirmationNeeded,
    PublishingError,
    Status,
    can_approve,
    can_publish,
    comms_require,
    plain_language_store,
)


def _move(
    item: Item,
    *,
    allowed_from: Sequence[str],
    to: str,
    by: User,
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
    item_step_record(item, by=by, action=action, note=note)
    return item


def item_submit(*, item: Item, by: User, note: str = "") -> Item:
    comms_require(by)
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


def item_return(*, item: Item, by: User, note: str) -> Item:
    """Send back to draft; the note tells the author what to change."""
    comms_require(by)
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
    by: User,
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
    report = plain_language_store(item)
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
        from ..audit import audit_record

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
            item_step_record(item, by=by, action=Action.APPROVED, note=note)
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
    *,
    item: Item,
    by: User,
    note: str = "",
    confirm_corporate: bool = False,
    now: datetime | None = None,
) -> Item:
    """A second comms member approves: the item is published (and live at publish_at)."""
    comms_require(by)
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
    *,
    item: Item,
    by: User,
    note: str = "",
    confirm_corporate: bool = False,
    now: datetime | None = None,
) -> Item:
    """Publish without review: when review is off, or an urgent item by a comms lead."""
    comms_require(by)
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


def item_archive(*, item: Item, by: User, note: str = "") -> Item:
    """Takes the item out of the feed for good; links keep working on the public page."""
    comms_require(by)
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


def item_alerts_cancel(*, item: Item, by: User, now: datetime | None = None) -> Item:
    """Stops the urgent e-mails during the delay. The conditional UPDATE makes it lose
    cleanly against the sweeper: once sending may have started, cancelling is refused."""
    comms_require(by)
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
        item_step_record(item, by=by, action=Action.ALERTS_CANCELLED)
    return item

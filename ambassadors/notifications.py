"""Telling people when work waits for them: an in-app inbox and batched e-mails.

Who hears about what (issue 12):

- sent for review → every other active comms member (they can review it);
- sent back (with the note), approved, published → the item's author;
- a change to a live item waits → every other comms member; its decision → its author;
- suggestion accepted or declined → the ambassador who suggested it.

When the cause is dealt with, its notifications are marked read for everyone they went to and
are not e-mailed any more (``notifications_resolve``): a review request once the item left
review (sent back, approved, published, archived), a "sent back" once the author sent the item
again, a waiting change once it was approved, rejected or replaced, and every notification
about an item once it is archived.

Nobody is told about their own step. Each person can switch each kind off
(``NotificationSwitch``); a switched-off kind creates nothing. Every notification has a
``key`` naming its cause, unique per recipient, so a repeated call changes nothing.

E-mail: ``notifications_schedule`` enqueues the Celery task after the transaction commits,
``NOTIFICATION_BATCH_SECONDS`` later. The task (``notifications_email_due``) sends each
person one e-mail with everything not yet e-mailed, and sends nobody a second e-mail within
that window: a burst of ten submissions gives each reviewer one e-mail, not ten. Rows are
claimed with a conditional UPDATE before sending, so a re-run or a second worker sends nothing
more. Beat also runs the task every few minutes in case a queued message was lost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .models import (
    Ambassador,
    Item,
    ItemEvent,
    Notification,
    NotificationSwitch,
    Suggestion,
    User,
)

Kind = Notification.Kind


def batch_seconds() -> int:
    """How long a burst may collect before it is e-mailed (setting NOTIFICATION_BATCH_SECONDS,
    default 60)."""
    return int(getattr(settings, "NOTIFICATION_BATCH_SECONDS", 60))


def comms_reviewers(*, exclude: User | None = None) -> QuerySet[User]:
    """Active users who may review: members of a comms role (or with the permission)."""
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(content_type__app_label="ambassadors", codename="publish_item")
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
    )
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users


def notify(
    *,
    recipients: Iterable[User | int | None],
    kind: str,
    key: str,
    actor: User | None = None,
    item: Item | None = None,
    suggestion: Suggestion | None = None,
    subject: str = "",
    note: str = "",
) -> int:
    """Creates one notification per recipient (not the actor, not those who switched the
    kind off, not twice for the same ``key``) and schedules the e-mail. Returns how many
    were new."""
    ids = {r if isinstance(r, int) else r.pk for r in recipients if r is not None}
    if actor is not None:
        ids.discard(actor.pk)
    if not ids:
        return 0
    off = set(
        NotificationSwitch.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", flat=True
        )
    )
    ids -= off
    already = set(
        Notification.objects.filter(recipient_id__in=ids, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            key=key[:120],
            item=item,
            suggestion=suggestion,
            actor_label=(actor.shown_name if actor is not None else "")[:254],
            subject=subject[:250],
            note=note,
        )
        for pk in sorted(ids - already)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        notifications_schedule()
    return len(rows)


def notifications_schedule() -> None:
    """Queue the e-mail task after commit, one batch window from now."""
    from .tasks import notifications_email_due_task

    countdown = batch_seconds()
    transaction.on_commit(lambda: notifications_email_due_task.apply_async(countdown=countdown))


ITEM_STEPS: dict[str, str] = {
    ItemEvent.Action.SUBMITTED: Kind.REVIEW_REQUESTED,
    ItemEvent.Action.RETURNED: Kind.RETURNED,
    ItemEvent.Action.APPROVED: Kind.APPROVED,
    ItemEvent.Action.PUBLISHED: Kind.PUBLISHED,
}


def notify_item_step(*, item: Item, event: ItemEvent) -> int:
    """Called by publishing for every workflow step; only some steps tell someone."""
    kind = ITEM_STEPS.get(event.action)
    if kind is None:
        return 0
    recipients: Iterable[User | int | None]
    if kind == Kind.REVIEW_REQUESTED:
        recipients = comms_reviewers(exclude=event.actor)
    else:
        recipients = [item.author_id] if item.author_id else []
    return notify(
        recipients=recipients,
        kind=kind,
        key=f"item:{item.pk}:{event.action}:{event.pk}",
        actor=event.actor,
        item=item,
        subject=item.title,
        note=event.note,
    )


def notifications_resolve(
    *,
    item: Item | None = None,
    kinds: Iterable[str] | None = None,
    keys: Iterable[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Marks the notifications whose cause is dealt with read for every recipient, and stops
    the e-mail of those not sent yet. Filters combine: the item's notifications (``item``), of
    the given ``kinds``, with the given ``keys``; at least one filter is required (raises
    ValueError otherwise). Returns how many were still unread."""
    if item is None and kinds is None and keys is None:
        raise ValueError("notifications_resolve needs an item, kinds or keys")
    rows = Notification.objects.all()
    if item is not None:
        rows = rows.filter(item=item)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    if keys is not None:
        rows = rows.filter(key__in=[k[:120] for k in keys])
    rows.filter(emailed_at__isnull=True, email_wanted=True).update(email_wanted=False)
    return rows.filter(read_at__isnull=True).update(read_at=now or timezone.now())


def notifications_resolve_item_step(*, item: Item, event: ItemEvent) -> int:
    """Called by publishing after every workflow step: resolves what the step dealt with."""
    if event.action == ItemEvent.Action.ARCHIVED:
        return notifications_resolve(item=item, now=event.at)
    done = 0
    if item.status != Item.Status.IN_REVIEW:
        done += notifications_resolve(item=item, kinds=[Kind.REVIEW_REQUESTED], now=event.at)
    if event.action in (ItemEvent.Action.SUBMITTED, ItemEvent.Action.PUBLISHED):
        done += notifications_resolve(item=item, kinds=[Kind.RETURNED], now=event.at)
    return done


def notify_suggestion_decided(*, suggestion: Suggestion, by: User) -> int:
    """The ambassador hears whether their link was taken up (with the reason if declined)."""
    accepted = suggestion.status == Suggestion.Status.ACCEPTED
    ambassador = Ambassador.objects.filter(pk=suggestion.ambassador_id).only("user_id").first()
    if ambassador is None or ambassador.user_id is None:
        return 0
    return notify(
        recipients=[ambassador.user_id],
        kind=Kind.SUGGESTION_ACCEPTED if accepted else Kind.SUGGESTION_DECLINED,
        key=f"suggestion:{suggestion.pk}:{suggestion.status}",
        actor=by,
        suggestion=suggestion,
        subject=suggestion.link,
        note="" if accepted else getattr(suggestion, "decline_reason", ""),
    )


# --- Inbox -----------------------------------------------------------------------------------


def unread_count(*, user: User | AnonymousUser) -> int:
    if not isinstance(user, User):  # anonymous (request.user proxies its class)
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(
    *, user: User, ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Marks the user's own notifications read (all when ``ids`` is None). Never touches
    anyone else's. Returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now or timezone.now())


def switches_for(*, user: User) -> dict[str, bool]:
    """kind → on/off for the settings page."""
    off = set(NotificationSwitch.objects.filter(user=user).values_list("kind", flat=True))
    return {kind: kind not in off for kind in Kind.values}


@transaction.atomic
def switches_set(*, user: User, on: Iterable[str]) -> None:
    """Switches on exactly the given kinds for the user; every other kind off."""
    wanted = set(on) & set(Kind.values)
    NotificationSwitch.objects.filter(user=user, kind__in=wanted).delete()
    NotificationSwitch.objects.bulk_create(
        [NotificationSwitch(user=user, kind=k) for k in Kind.values if k not in wanted],
        ignore_conflicts=True,
    )


def notification_url(notification: Notification) -> str:
    if notification.item_id:
        return reverse("ambassadors:studio_item", args=[notification.item_id])
    if notification.suggestion_id:
        return reverse("ambassadors:suggestions")
    return reverse("ambassadors:notifications")


def _reader_language(user: User) -> str:
    ambassador = Ambassador.objects.filter(user=user).only("language").first()
    if ambassador is not None and ambassador.language:
        return ambassador.language
    return settings.LANGUAGE_CODE


def notifications_email_due(*, now: datetime | None = None) -> int:
    """Sends each person one e-mail with all their notifications not yet e-mailed, unless
    they already had one within the batch window (those wait for the next run). Claims rows
    first (conditional UPDATE), so running twice sends nothing more. Returns e-mails sent."""
    from .mail.messages import email_render

    now = now or timezone.now()
    window = timedelta(seconds=batch_seconds())
    due = Notification.objects.filter(email_wanted=True, emailed_at__isnull=True)
    recipients = set(due.values_list("recipient_id", flat=True))
    if not recipients:
        return 0
    recent = set(
        Notification.objects.filter(recipient_id__in=recipients, emailed_at__isnull=False)
        .values("recipient_id")
        .annotate(last=Max("emailed_at"))
        .filter(last__gt=now - window)
        .values_list("recipient_id", flat=True)
    )
    messages = []
    by_user: dict[int, list[Notification]] = defaultdict(list)
    users = get_user_model().objects.in_bulk(recipients - recent)
    for user_id, user in users.items():
        with transaction.atomic():
            ids = list(
                due.filter(recipient_id=user_id)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
            claimed = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
                emailed_at=now
            )
        if not claimed or not user.email or not user.is_active or user.email_undeliverable_at:
            continue  # in the inbox all the same; no mail to an address that bounces
        rows = list(
            Notification.objects.filter(pk__in=ids, emailed_at=now).order_by("created_at", "pk")
        )
        by_user[user_id] = rows
        language = _reader_language(user)
        messages.append(
            email_render(
                template="notifications",
                context={
                    "name": user.greeting_name,
                    "notifications": [
                        {
                            "kind": n.kind,
                            "label": Kind(n.kind).label,
                            "subject": n.subject,
                            "note": n.note,
                            "by": n.actor_label,
                            "url": settings.SITE_URL + notification_url(n),
                        }
                        for n in rows
                    ],
                    "count": len(rows),
                    "inbox_url": settings.SITE_URL + reverse("ambassadors:notifications"),
                },
                to=[user.email],
                language=language,
            )
        )
    if messages:
        try:
            with get_connection() as connection:
                connection.send_messages(messages)
        except Exception:
            # Nothing left the building: release the claims so the retry sends them.
            claimed_ids = [n.pk for rows in by_user.values() for n in rows]
            Notification.objects.filter(pk__in=claimed_ids, emailed_at=now).update(emailed_at=None)
            raise
    return len(messages)

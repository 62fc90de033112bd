"""Urgent alerts: an urgent item that goes live is e-mailed to everyone with urgent e-mails on.

Dispatch follows the item's own state (DESIGN.md, Flow 6): the publishing studio sets
``alerts_send_after`` (publish time plus the cancellable delay) or ``alerts_cancelled_at``; a
sweeper every minute hands the due items out in batches and then sets ``alerts_done_at``. If the
broker is down, nothing is marked done, so the next sweep after it is back sends them.
Sending uses the same claim/record machinery as digests, with one ``AlertDelivery`` per
(ambassador, item).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ..audience import urgent_alert_recipients
from ..models import AlertDelivery, Ambassador, Item
from .delivery import BatchResult, deliveries_send
from .digests.schedule import id_batches
from .digests.selection import DigestEntry, item_entry
from .messages import EmailRenderer, contact, with_contact
from .unsubscribe import urgent_unsubscribe_url

EnqueueAlert = Callable[[int, list[int]], None]


def alert_items_due(*, now: datetime) -> QuerySet[Item]:
    return Item.objects.live(now).filter(
        is_urgent=True,
        alerts_send_after__isnull=False,
        alerts_send_after__lte=now,
        alerts_cancelled_at__isnull=True,
        alerts_done_at__isnull=True,
    )


def alert_recipients(*, item: Item) -> QuerySet[Ambassador]:
    return (
        urgent_alert_recipients(item=item)
        .exclude(user__email="")
        .filter(user__email_undeliverable_at__isnull=True)
    )


def alert_dispatch(
    *, enqueue: EnqueueAlert, now: datetime | None = None, batch_size: int | None = None
) -> int:
    """Hand every due item's recipients to the queue in batches; returns how many items.

    ``alerts_done_at`` is set only after the last batch was handed over. A crash in between
    means the next sweep hands the batches over again, which is harmless: claims stop a
    second e-mail.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.DIGEST_BATCH_SIZE
    done = 0
    for item in alert_items_due(now=now).order_by("alerts_send_after", "pk"):
        already = AlertDelivery.objects.filter(item_id=item.pk, ambassador=OuterRef("pk"))
        for batch in id_batches(alert_recipients(item=item).exclude(Exists(already)), batch_size):
            enqueue(item.pk, batch)
        Item.objects.filter(pk=item.pk, alerts_done_at__isnull=True).update(
            alerts_done_at=timezone.now()
        )
        done += 1
    return done


def alert_message(
    *,
    item: Item,
    ambassador: Ambassador,
    entry: DigestEntry | None = None,
    renderer: EmailRenderer | None = None,
) -> EmailMultiAlternatives:
    """In the reader's language; a batch passes one renderer, so the e-mail is rendered once
    per language and only the name and the unsubscribe link differ. Carries
    ``List-Unsubscribe`` with one-click POST (RFC 8058) that turns urgent e-mails off. An
    internal-only item asks the reader not to share it and offers no share button."""
    entry = entry or item_entry(item, words=80)
    renderer = renderer or EmailRenderer("alert")
    email, name = contact(ambassador)
    unsubscribe = urgent_unsubscribe_url(ambassador_id=ambassador.pk)
    return renderer.render(
        shape=(entry, item.internal_only),
        language=ambassador.language,
        context={
            "item": entry,
            "internal_only": item.internal_only,
            "portal_url": settings.SITE_URL + "/",
            "preferences_url": settings.SITE_URL + reverse("ambassadors:preferences"),
            "company_name": settings.COMPANY_NAME,
        },
        fill={"name": (name, escape(name)), "unsubscribe": (unsubscribe, escape(unsubscribe))},
        to=[email],
        headers={
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{renderer.mark('unsubscribe')}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def alert_batch_send(
    *,
    item_id: int,
    ambassador_ids: Sequence[int],
    attempt: int = 1,
    final_attempt: bool = False,
    now: datetime | None = None,
) -> BatchResult:
    """Claim, send, mark for one batch of one item; safe to run twice, or twice at once.

    The item is checked again here: a batch that waited in the queue must not send an item
    that was unpublished or whose alerts were cancelled meanwhile.
    """
    now = now or timezone.now()
    ids = list(dict.fromkeys(ambassador_ids))
    item = Item.objects.filter(pk=item_id).first()
    if (
        item is None
        or not item.is_urgent
        or not item.is_live(now)
        or item.alerts_cancelled_at is not None
    ):
        return BatchResult()
    recipients = list(with_contact(alert_recipients(item=item).filter(pk__in=ids)))
    entry = item_entry(item, words=80)
    renderer = EmailRenderer("alert")
    by_id = {a.pk: a for a in recipients}
    result = deliveries_send(
        model=AlertDelivery,
        ambassador_ids=list(by_id),
        fields={"item_id": item.pk},
        scope={"item_id": item.pk, "ambassador_id__in": ids},
        build=lambda pk: alert_message(
            item=item, ambassador=by_id[pk], entry=entry, renderer=renderer
        ),
        now=now,
        attempt=attempt,
        final_attempt=final_attempt,
    )
    return replace(result, skipped=len(ids) - result.claimed)

"""Crisis alerts: each update goes to each person in the crisis's audience once.

The sweeper (``crisis_alert_dispatch``, every minute, and right after an update that is sent
at once) follows each update's own state, exactly like urgent items: updates whose
``alerts_send_after`` has passed are handed out in batches of ambassador ids, their
Slack/Teams posts are queued, then ``alerts_done_at`` is set. A batch claims its deliveries
in one insert (unique per person and update), sends over one SMTP connection and records
the outcome, so a task that runs twice, or a worker killed mid-batch, never sends anyone a
second copy of the same update.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from html import unescape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from ..mail.delivery import BatchResult, claims_mark_unknown, deliveries_send
from ..mail.digests.schedule import id_batches
from ..mail.digests.selection import item_summary, item_url
from ..mail.messages import EmailRenderer, contact, with_contact
from ..mail.unsubscribe import urgent_unsubscribe_url
from ..models import (
    Ambassador,
    Channel,
    Crisis,
    CrisisAlertDelivery,
    CrisisUpdate,
)
from .services import crisis_recipients

EnqueueBatch = Callable[[int, list[int]], None]
EnqueuePosts = Callable[[list[int]], None]


def updates_due(*, now: datetime) -> QuerySet[CrisisUpdate]:
    return CrisisUpdate.objects.filter(
        crisis__status=Crisis.Status.ACTIVE,
        alerts_send_after__isnull=False,
        alerts_send_after__lte=now,
        alerts_cancelled_at__isnull=True,
        alerts_done_at__isnull=True,
    )


def update_recipients(*, update: CrisisUpdate) -> QuerySet[Ambassador]:
    crisis = update.crisis
    return crisis_recipients(
        audience_ids=list(crisis.audience.values_list("pk", flat=True)),
        must_reach=crisis.must_reach,
    )


def crisis_alert_dispatch(
    *,
    enqueue: EnqueueBatch,
    enqueue_posts: EnqueuePosts,
    now: datetime | None = None,
    batch_size: int | None = None,
) -> int:
    """Hand every due update's recipients and webhook posts over; returns how many updates.

    ``alerts_done_at`` is set only after everything was handed over; a crash in between
    means the next sweep does it again, which is harmless (claims and the posts' unique
    constraint stop a second message)."""
    from .webhooks import webhook_posts_create

    now = now or timezone.now()
    batch_size = batch_size or settings.DIGEST_BATCH_SIZE
    done = 0
    for update in updates_due(now=now).select_related("crisis").order_by("alerts_send_after"):
        crisis = update.crisis
        if Channel.EMAIL in crisis.channels:
            already = CrisisAlertDelivery.objects.filter(
                update_id=update.pk, ambassador=OuterRef("pk")
            )
            people = update_recipients(update=update).exclude(Exists(already))
            for batch in id_batches(people, batch_size):
                enqueue(update.pk, batch)
        post_ids = webhook_posts_create(update=update)
        if post_ids:
            enqueue_posts(post_ids)
        CrisisUpdate.objects.filter(pk=update.pk, alerts_done_at__isnull=True).update(
            alerts_done_at=timezone.now()
        )
        done += 1
    return done


def update_label(*, update: CrisisUpdate, total: int) -> str:
    """ "Update 2 of 3" (the count so far); the first message has no label."""
    if update.number <= 1:
        return ""
    return _("Update %(number)s of %(total)s") % {"number": update.number, "total": total}


def alert_entry(*, update: CrisisUpdate, language: str, total: int) -> dict:
    """What an e-mail or a Slack/Teams post says, in one language (the reader's when the
    update has it). Internal-only crises say "for you, please do not share" and link to the
    portal's item page (sign-in needed); shareable ones ask for help sharing."""
    crisis = update.crisis
    item = update.item_for(language)
    with translation.override(language):
        return {
            "title": crisis.title_for(language),
            "label": update_label(update=update, total=total),
            # Plain text: the summary keeps Markdown's HTML entities, templates escape again.
            "text": unescape(item_summary(update.text_for(language), words=120)),
            "url": item_url(item.slug) if item else settings.SITE_URL + "/",
            "link": update.link,
            "internal_only": crisis.internal_only,
            "resolved": crisis.is_closed,
            "site_url": (
                ""
                if crisis.internal_only
                else settings.SITE_URL + reverse("ambassadors:crisis_site", args=[crisis.slug])
            ),
        }


def crisis_alert_message(
    *,
    update: CrisisUpdate,
    ambassador: Ambassador,
    total: int,
    renderer: EmailRenderer | None = None,
) -> EmailMultiAlternatives:
    """In the reader's language. Carries ``List-Unsubscribe`` with one-click POST (RFC 8058)
    that turns urgent e-mails off, except for must-reach crises, which nobody can opt out of
    (their footer says so)."""
    renderer = renderer or EmailRenderer("crisis")
    language = ambassador.language
    email, name = contact(ambassador)
    entry = alert_entry(update=update, language=language, total=total)
    must_reach = update.crisis.must_reach
    headers = {"Auto-Submitted": "auto-generated"}
    fill: dict[str, tuple[str, str]] = {"name": (name, escape(name))}
    if not must_reach:
        url = urgent_unsubscribe_url(ambassador_id=ambassador.pk)
        fill["unsubscribe"] = (url, escape(url))
        headers["List-Unsubscribe"] = f"<{renderer.mark('unsubscribe')}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return renderer.render(
        shape=(update.pk, must_reach),
        language=language,
        context={
            "entry": entry,
            "must_reach": must_reach,
            "preferences_url": settings.SITE_URL + reverse("ambassadors:preferences"),
            "company_name": settings.COMPANY_NAME,
        },
        fill=fill,
        to=[email],
        headers=headers,
    )


def crisis_alert_batch_send(
    *,
    update_id: int,
    ambassador_ids: Sequence[int],
    attempt: int = 1,
    final_attempt: bool = False,
    now: datetime | None = None,
) -> BatchResult:
    """Claim, send, record for one batch of one update; safe to run twice, or twice at once.

    The crisis is checked again: a batch that waited in the queue must not go out after the
    crisis was closed or the update's alerts were cancelled."""
    now = now or timezone.now()
    ids = list(dict.fromkeys(ambassador_ids))
    update = (
        CrisisUpdate.objects.select_related("crisis", "item_en", "item_nl")
        .filter(pk=update_id)
        .first()
    )
    if (
        update is None
        or update.crisis.status != Crisis.Status.ACTIVE
        or update.alerts_cancelled_at is not None
        or Channel.EMAIL not in update.crisis.channels
    ):
        return BatchResult()
    recipients = list(with_contact(update_recipients(update=update).filter(pk__in=ids)))
    total = update.crisis.updates.count()
    renderer = EmailRenderer("crisis")
    by_id = {a.pk: a for a in recipients}
    result = deliveries_send(
        model=CrisisAlertDelivery,
        ambassador_ids=list(by_id),
        fields={"update_id": update.pk},
        scope={"update_id": update.pk, "ambassador_id__in": ids},
        build=lambda pk: crisis_alert_message(
            update=update, ambassador=by_id[pk], total=total, renderer=renderer
        ),
        now=now,
        attempt=attempt,
        final_attempt=final_attempt,
    )
    return replace(result, skipped=len(ids) - result.claimed)


def crisis_deliveries_mark_unknown(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Claims of a worker that died mid-batch become ``unknown``, never resent."""
    return claims_mark_unknown(model=CrisisAlertDelivery, older_than=older_than, now=now)

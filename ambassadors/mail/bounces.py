"""Hard bounces stop programme mail to an address.

Two sources report them: our own mail server refusing a recipient at send time (a permanent
``5xx`` answer to ``RCPT TO``, see ``mail.delivery.messages_send``), and the e-mail provider's
tracking webhook (django-anymail, signature-checked, ``bounced``/``rejected``, ``deferred``,
``complained``). The rule: one hard bounce or spam complaint, or ``BOUNCE_SOFT_LIMIT`` soft
bounces in a row, and the address is suppressed — digests, alerts and notifications skip it
(``Ambassador.objects.mailable()``), account mail (password reset) still goes, and the person
sees a banner until they change the address or ask us to try again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import BouncedAddress, User

log = logging.getLogger(__name__)
Kind = BouncedAddress.Kind


def bounce_record(
    *, email: str, kind: str, reason: str = "", source: str, now: datetime | None = None
) -> BouncedAddress:
    """Count one bounce of ``kind`` (``BouncedAddress.Kind``) for ``email`` and apply the
    rule. Idempotent in effect: a second hard bounce changes counters, not the outcome."""
    now = now or timezone.now()
    address = email.strip().lower()
    counter: dict[str, str] = {
        Kind.HARD: "hard_count",
        Kind.SOFT: "soft_count",
        Kind.COMPLAINT: "complaint_count",
    }
    with transaction.atomic():
        row, _created = BouncedAddress.objects.get_or_create(
            email=address,
            defaults={"last_kind": kind, "first_at": now, "last_at": now},
        )
        BouncedAddress.objects.filter(pk=row.pk).update(
            **{counter[kind]: F(counter[kind]) + 1},
            last_kind=kind,
            last_reason=reason[:500],
            last_source=source[:30],
            last_at=now,
        )
        row.refresh_from_db()
        stop = kind in (Kind.HARD, Kind.COMPLAINT) or row.soft_count >= settings.BOUNCE_SOFT_LIMIT
        if stop and row.suppressed_at is None:
            row.suppressed_at = now
            row.save(update_fields=["suppressed_at"])
        if row.suppressed_at is not None:
            User.objects.filter(email__iexact=address, email_undeliverable_at__isnull=True).update(
                email_undeliverable_at=now
            )
    log.info("bounce recorded: kind=%s source=%s suppressed=%s", kind, source, stop)
    return row


def address_retry(*, user: User) -> bool:
    """The person says their address works again: mail resumes, the count starts afresh.
    Returns whether anything changed."""
    changed = User.objects.filter(pk=user.pk, email_undeliverable_at__isnull=False).update(
        email_undeliverable_at=None
    )
    BouncedAddress.objects.filter(email=user.email.strip().lower()).update(
        suppressed_at=None, soft_count=0
    )
    user.email_undeliverable_at = None
    return bool(changed)


def tracking_event_record(*, event_type: str, recipient: str, reason: str, esp: str) -> None:
    """An anymail tracking event (normalised across providers) → a bounce, if it is one; a
    delivery ends a run of soft bounces."""
    if event_type == "delivered" and recipient:
        BouncedAddress.objects.filter(email=recipient.strip().lower()).update(soft_count=0)
        return
    kind = {
        "bounced": Kind.HARD,
        "rejected": Kind.HARD,
        "deferred": Kind.SOFT,
        "complained": Kind.COMPLAINT,
    }.get(event_type)
    if kind is None or not recipient:
        return
    bounce_record(email=recipient, kind=kind, reason=reason, source=f"webhook:{esp}")


def user_address_changed(*, user: User, now: datetime | None = None) -> None:
    """After a person changes their primary address: mail resumes, unless the new address
    is itself one that bounces."""
    bouncing = BouncedAddress.objects.filter(
        email=user.email.strip().lower(), suppressed_at__isnull=False
    ).exists()
    user.email_undeliverable_at = (now or timezone.now()) if bouncing else None
    User.objects.filter(pk=user.pk).update(email_undeliverable_at=user.email_undeliverable_at)

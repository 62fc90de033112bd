"""Programme mail: template triplets rendered in the reader's language, sent a batch at a time
over one SMTP connection, with deliveries claimed before and recorded after.

The claim/record pair is shared by weekly digests (``DigestDelivery``) and urgent alerts
(``AlertDelivery``): a row is inserted before the message goes out (the unique constraint makes
a second claim fail) and marked once the mail server has answered, so a retry, a second worker
or a redelivered task message never sends a second copy.
"""

from __future__ import annotations

import contextlib
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import AlertDelivery, DeliveryStatus, DigestDelivery, DigestRun


class TransientMailError(Exception):
    """The mail server could not take some messages now; a later attempt may work.

    Raised only after the messages that were not handed over have been released, so the
    retried task claims (and sends) exactly those again.
    """


def email_render(
    *,
    template: str,
    context: dict,
    to: list[str],
    language: str,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """``templates/email/<template>/subject.txt, body.txt, body.html`` as one multipart message."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{template}/subject.txt", context).split())
        text = render_to_string(f"email/{template}/body.txt", context)
        html = render_to_string(f"email/{template}/body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def is_transient(exc: BaseException) -> bool:
    """4xx answers, dropped connections and network errors may pass; 5xx answers will not.
    (Every smtplib error is also an OSError, so the order of these checks matters.)"""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)


def _breaks_connection(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


@dataclass
class SendOutcome:
    """What the mail server said about each message of a batch, by key."""

    sent: list[Hashable] = field(default_factory=list)
    failed: dict[Hashable, str] = field(default_factory=dict)
    pending: list[Hashable] = field(default_factory=list)
    error: BaseException | None = None


def messages_send(*, messages: Iterable[tuple[Hashable, EmailMultiAlternatives]]) -> SendOutcome:
    """Send over ONE connection, one message per call, so we know exactly which messages the
    server accepted when it fails halfway (``send_messages`` on the whole list would not say).

    A permanent refusal fails that message only; a temporary one leaves it pending; a broken
    connection leaves it and every later message pending (not handed over, safe to retry).
    """
    outcome = SendOutcome()
    queue = list(messages)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        if not is_transient(exc):
            outcome.failed = {key: _describe(exc) for key, _message in queue}
            return outcome
        outcome.pending = [key for key, _message in queue]
        outcome.error = exc
        return outcome
    try:
        for index, (key, message) in enumerate(queue):
            try:
                connection.send_messages([message])
            except Exception as exc:
                if _breaks_connection(exc):
                    outcome.pending.extend(k for k, _m in queue[index:])
                    outcome.error = exc
                    break
                if is_transient(exc):
                    outcome.pending.append(key)
                    outcome.error = outcome.error or exc
                else:
                    outcome.failed[key] = _describe(exc)
            else:
                outcome.sent.append(key)
    finally:
        with contextlib.suppress(Exception):  # the server may already be gone
            connection.close()
    return outcome


# Claims -------------------------------------------------------------------------------------

Delivery = type[DigestDelivery] | type[AlertDelivery]


def claim_token() -> uuid.UUID:
    return uuid.uuid4()


def deliveries_claim(
    *, model: Delivery, rows: list[models.Model], token: uuid.UUID, scope: dict
) -> set[int]:
    """Insert all claims in one statement and read back the ambassadors this claim got.

    Rows that already exist (sent, failed, or claimed by another execution) are skipped by the
    unique constraint; reading back by our own token tells us which inserts were ours. This
    works the same on SQLite, where ``select_for_update`` does nothing.
    """
    if not rows:
        return set()
    with transaction.atomic():
        model.objects.bulk_create(rows, ignore_conflicts=True)
        return set(
            model.objects.filter(claim=token, **scope).values_list("ambassador_id", flat=True)
        )


@dataclass
class RecordResult:
    sent: int = 0
    failed: int = 0
    released: int = 0


def deliveries_record(
    *,
    model: Delivery,
    token: uuid.UUID,
    scope: dict,
    outcome: SendOutcome,
    final_attempt: bool,
    now: datetime | None = None,
) -> RecordResult:
    """Mark what the server accepted in one update; record refusals with their reason.

    Messages left pending by a temporary error are released (their claim rows deleted) so the
    retry can claim them again, or recorded as failed on the last attempt. Only rows still
    ``claimed`` are touched: a row the sweep already called ``unknown`` stays that way. Must be
    called inside the caller's transaction so run counters move together with the rows.
    """
    now = now or timezone.now()
    ours = model.objects.filter(claim=token, status=DeliveryStatus.CLAIMED, **scope)
    result = RecordResult()
    if outcome.sent:
        result.sent = ours.filter(ambassador_id__in=outcome.sent).update(
            status=DeliveryStatus.SENT, sent_at=now, error=""
        )
    by_error: dict[str, list[Hashable]] = defaultdict(list)
    for key, error in outcome.failed.items():
        by_error[error].append(key)
    if outcome.pending and final_attempt:
        by_error[_describe(outcome.error) if outcome.error else "gave up"].extend(outcome.pending)
    elif outcome.pending:
        result.released, _detail = ours.filter(ambassador_id__in=outcome.pending).delete()
    for error, keys in by_error.items():
        result.failed += ours.filter(ambassador_id__in=keys).update(
            status=DeliveryStatus.FAILED, error=error
        )
    return result


def deliveries_mark_unknown(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Claims older than the timeout belong to a worker that died mid-batch: the mail server
    may or may not have the message. They become ``unknown`` (shown to comms) and are never
    resent automatically; the digest run's counter moves with them."""
    cutoff = (now or timezone.now()) - older_than
    stale = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=cutoff)
    marked = 0
    run_ids = list(stale.order_by().values_list("run_id", flat=True).distinct())
    note = "The worker stopped before it could record whether the mail server took this e-mail."
    for run_id in run_ids:
        with transaction.atomic():
            count = stale.filter(run_id=run_id).update(status=DeliveryStatus.UNKNOWN, error=note)
            if run_id is not None and count:
                DigestRun.objects.filter(pk=run_id).update(unknown=F("unknown") + count)
                run_finish_if_done(run_id=run_id)
        marked += count
    marked += AlertDelivery.objects.filter(
        status=DeliveryStatus.CLAIMED, claimed_at__lt=cutoff
    ).update(status=DeliveryStatus.UNKNOWN, error=note)
    return marked


def run_finish_if_done(*, run_id: int, now: datetime | None = None) -> bool:
    """One conditional update, so concurrent batches cannot both (or neither) finish a run."""
    done = F("sent") + F("failed") + F("unknown") + F("skipped")
    return bool(
        DigestRun.objects.filter(
            pk=run_id, finished_at__isnull=True, planned__gt=0, planned__lte=done
        ).update(finished_at=now or timezone.now())
    )

"""Sending programme mail a batch at a time over one SMTP connection, with deliveries claimed
before and recorded after: the one claim → send → record skeleton (``deliveries_send``).

The claim/record pair is shared by weekly digests (``DigestDelivery``) and urgent alerts
(``AlertDelivery``): a row is inserted before the message goes out (the unique constraint makes
a second claim fail) and marked once the mail server has answered, so a retry, a second worker
or a redelivered task message never sends a second copy.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypedDict, TypeVar

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import AlertDelivery, CrisisAlertDelivery, DeliveryStatus, DigestDelivery, DigestRun
from ..shutdown import SendingInterrupted, batch_sending, shutdown_requested

log = logging.getLogger(__name__)


class TransientMailError(Exception):
    """The mail server could not take some messages now; a later attempt may work.

    Raised only after the messages that were not handed over have been released, so the
    retried task claims (and sends) exactly those again.
    """


# Celery options of every task that sends a batch of programme mail: retry with back-off only
# on errors a later attempt can get past.
class SendRetry(TypedDict):
    """The Celery task options in ``SEND_RETRY`` (keyword arguments of ``shared_task``)."""

    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int
    ignore_result: bool


SEND_RETRY: SendRetry = {
    "autoretry_for": (TransientMailError,),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 5,
    "ignore_result": True,
}


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


def _record_refused_recipients(exc: BaseException) -> None:
    """A permanent (5xx) answer to RCPT TO is a hard bounce for that address."""
    if not isinstance(exc, smtplib.SMTPRecipientsRefused):
        return
    from .bounces import Kind, bounce_record

    # smtplib gives bytes; other backends and tests may give str.
    refused: Mapping[str, tuple[int, bytes | str]] = exc.recipients
    for address, (code, answer) in refused.items():
        if 500 <= code < 600:
            reason = (
                f"{code} {answer.decode(errors='replace') if isinstance(answer, bytes) else answer}"
            )
            bounce_record(email=address, kind=Kind.HARD, reason=reason, source="smtp")


def _breaks_connection(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


K = TypeVar("K", bound=Hashable)


@dataclass
class SendOutcome(Generic[K]):
    """What the mail server said about each message of a batch, by key."""

    sent: list[K] = field(default_factory=list)
    failed: dict[K, str] = field(default_factory=dict)
    pending: list[K] = field(default_factory=list)
    error: BaseException | None = None
    # The worker is stopping: ``pending`` holds the messages not yet handed over.
    interrupted: bool = False


def messages_send(
    *,
    keys: Sequence[K],
    build: Callable[[K], EmailMessage],
    should_stop: Callable[[], bool] = shutdown_requested,
) -> SendOutcome[K]:
    """Send one message per key over ONE connection, one message per call, so we know exactly
    which messages the server accepted when it fails halfway (``send_messages`` on the whole
    list would not say). Messages are built as they go, so memory does not grow with the batch.

    A permanent refusal fails that message only; a temporary one leaves it pending; a broken
    connection leaves it and every later message pending (not handed over, safe to retry). A
    message that cannot even be built is recorded as failed with the reason.

    ``should_stop`` is asked before each message (default: has this worker been asked to
    stop, see ``ambassadors/shutdown.py``): once it says yes, the message being sent has
    finished and every later one is left pending with ``interrupted`` set.
    """
    outcome: SendOutcome[K] = SendOutcome()
    keys = list(keys)
    if not keys:
        return outcome
    with batch_sending():
        return _send_each(keys=keys, build=build, should_stop=should_stop, outcome=outcome)


def _send_each(
    *,
    keys: list[K],
    build: Callable[[K], EmailMessage],
    should_stop: Callable[[], bool],
    outcome: SendOutcome[K],
) -> SendOutcome[K]:
    if should_stop():
        outcome.pending = keys
        outcome.interrupted = True
        return outcome
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        if not is_transient(exc):
            outcome.failed = dict.fromkeys(keys, _describe(exc))
            return outcome
        outcome.pending = keys
        outcome.error = exc
        return outcome
    try:
        for index, key in enumerate(keys):
            if should_stop():
                outcome.pending.extend(keys[index:])
                outcome.interrupted = True
                log.info("worker stopping: batch paused after %d of %d e-mails", index, len(keys))
                break
            try:
                message = build(key)
            except Exception as exc:  # noqa: BLE001 - recorded as this message's failure
                outcome.failed[key] = _describe(exc)
                continue
            try:
                connection.send_messages([message])
            except Exception as exc:
                if _breaks_connection(exc):
                    outcome.pending.extend(keys[index:])
                    outcome.error = exc
                    break
                if is_transient(exc):
                    outcome.pending.append(key)
                    outcome.error = outcome.error or exc
                else:
                    outcome.failed[key] = _describe(exc)
                    _record_refused_recipients(exc)
            else:
                outcome.sent.append(key)
    finally:
        with contextlib.suppress(Exception):  # the server may already be gone
            connection.close()
    return outcome


# Claims -------------------------------------------------------------------------------------

Delivery = type[DigestDelivery] | type[AlertDelivery] | type[CrisisAlertDelivery]
# One kind of delivery row, the same for a whole batch.
D = TypeVar("D", DigestDelivery, AlertDelivery, CrisisAlertDelivery)


def claim_token() -> uuid.UUID:
    return uuid.uuid4()


def deliveries_claim(
    *, model: type[D], rows: Sequence[D], token: uuid.UUID, scope: dict[str, Any]
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
    scope: dict[str, Any],
    outcome: SendOutcome[int],
    final_attempt: bool,
    now: datetime | None = None,
) -> RecordResult:
    """Mark what the server accepted in one update; record refusals with their reason.

    Messages left pending by a temporary error are released (their claim rows deleted) so the
    retry can claim them again, or recorded as failed on the last attempt; those left pending
    because the worker is stopping are always released. Only rows still
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
    by_error: dict[str, list[int]] = defaultdict(list)
    for key, error in outcome.failed.items():
        by_error[error].append(key)
    if outcome.pending and final_attempt and not outcome.interrupted:
        by_error[_describe(outcome.error) if outcome.error else "gave up"].extend(outcome.pending)
    elif outcome.pending:
        result.released, _detail = ours.filter(ambassador_id__in=outcome.pending).delete()
    for error, keys in by_error.items():
        result.failed += ours.filter(ambassador_id__in=keys).update(
            status=DeliveryStatus.FAILED, error=error
        )
    return result


@dataclass
class BatchResult:
    """What one batch did, for the task's result and the run's counters: rows claimed,
    messages the server took, refused ones, released claims (to retry) and people skipped."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0
    skipped: int = 0


def deliveries_send(
    *,
    model: type[D],
    ambassador_ids: Sequence[int],
    fields: dict[str, Any],
    scope: dict[str, Any],
    build: Callable[[int], EmailMessage],
    now: datetime,
    attempt: int,
    final_attempt: bool,
    on_recorded: Callable[[RecordResult], None] | None = None,
) -> BatchResult:
    """The one claim → send → record skeleton of a batch of programme mail (weekly digests,
    urgent and crisis alerts): claim one ``model`` row per ambassador id (with ``fields``,
    under a new token, at ``now``, attempt ``attempt``) in one insert, send one message per
    claimed ambassador id over one connection (``build(ambassador_id)``), record what the
    server said in one transaction. ``on_recorded`` runs inside that transaction with the
    recorded counts (a digest run's counters move together with its rows).

    Returns the counts (``skipped`` 0: the caller knows whom it left out). After recording,
    raises ``SendingInterrupted`` when the worker is stopping (the task is requeued and sends
    exactly the released rest) and ``TransientMailError`` when a temporary error left
    messages pending on a non-final attempt (the task retries with back-off)."""
    token = claim_token()
    rows = [
        model(ambassador_id=pk, claim=token, claimed_at=now, attempts=attempt, **fields)
        for pk in ambassador_ids
    ]
    claimed = deliveries_claim(model=model, rows=rows, token=token, scope=scope)
    keys = [row.ambassador_id for row in rows if row.ambassador_id in claimed]
    outcome = messages_send(keys=keys, build=build)
    with transaction.atomic():
        recorded = deliveries_record(
            model=model, token=token, scope=scope, outcome=outcome, final_attempt=final_attempt
        )
        if on_recorded is not None:
            on_recorded(recorded)
    outcome_raise(outcome, final_attempt=final_attempt)
    return BatchResult(
        claimed=len(claimed),
        sent=recorded.sent,
        failed=recorded.failed,
        released=recorded.released,
    )


def outcome_raise(outcome: SendOutcome[Any], *, final_attempt: bool) -> None:
    """Called after a batch recorded its outcome: ``SendingInterrupted`` when the worker is
    stopping (the task is requeued and sends exactly the released rest), ``TransientMailError``
    when a temporary error left messages pending on a non-final attempt (the task retries)."""
    if outcome.interrupted:
        raise SendingInterrupted(f"{len(outcome.pending)} e-mails released: the worker is stopping")
    if outcome.pending and not final_attempt:
        raise TransientMailError(
            f"{len(outcome.pending)} e-mails not handed over: {outcome.error}"
        ) from outcome.error


UNKNOWN_NOTE = "The worker stopped before it could record whether the mail server took this e-mail."


def claims_mark_unknown(
    *, model: Delivery, older_than: timedelta, now: datetime | None = None
) -> int:
    """Rows of ``model`` (a ``Delivery``) claimed longer ago than ``older_than`` become
    ``unknown``: their worker died mid-batch, the server may or may not have the message, and
    they are never resent automatically. Returns how many."""
    cutoff = (now or timezone.now()) - older_than
    return model.objects.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=cutoff).update(
        status=DeliveryStatus.UNKNOWN, error=UNKNOWN_NOTE
    )


def deliveries_mark_unknown(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Claims older than the timeout belong to a worker that died mid-batch: the mail server
    may or may not have the message. They become ``unknown`` (shown to comms) and are never
    resent automatically; the digest run's counter moves with them."""
    cutoff = (now or timezone.now()) - older_than
    stale = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=cutoff)
    marked = 0
    run_ids: list[int | None] = list(stale.order_by().values_list("run_id", flat=True).distinct())
    for run_id in run_ids:
        with transaction.atomic():
            count = stale.filter(run_id=run_id).update(
                status=DeliveryStatus.UNKNOWN, error=UNKNOWN_NOTE
            )
            if run_id is not None and count:
                DigestRun.objects.filter(pk=run_id).update(unknown=F("unknown") + count)
                run_finish_if_done(run_id=run_id)
        marked += count
    return marked + claims_mark_unknown(model=AlertDelivery, older_than=older_than, now=now)


def run_finish_if_done(*, run_id: int, now: datetime | None = None) -> bool:
    """One conditional update, so concurrent batches cannot both (or neither) finish a run."""
    done = F("sent") + F("failed") + F("unknown") + F("skipped")
    return bool(
        DigestRun.objects.filter(
            pk=run_id, finished_at__isnull=True, planned__gt=0, planned__lte=done
        ).update(finished_at=now or timezone.now())
    )

"""Celery tasks: thin adapters that take ids and plain values and call a service."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from .mail.alerts import alert_batch_send, alert_dispatch
from .mail.delivery import SEND_RETRY, TransientMailError, deliveries_mark_unknown
from .mail.digests.schedule import claim_timeout, digest_dispatch, digest_runs_close_stale
from .mail.digests.sending import digest_batch_send
from .shutdown import requeued_when_stopping


@shared_task(name="ambassadors.ping")
def ping() -> str:
    """Round-trip check for `make run`, the health of a deployment and the tests."""
    return "pong"


@shared_task(name="ambassadors.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Run by a worker on beat's schedule: proves a worker takes work (see health.py)."""
    from .health import heartbeat_record

    heartbeat_record(name="worker")


@shared_task(name="ambassadors.clicks_flush")
def clicks_flush() -> int:
    """Buffered clicks → database, in bulk. Safe to run twice (a lock and idempotent
    inserts); beat runs it every few seconds."""
    from .tracking.clicks import clicks_flush as flush

    return flush()


@shared_task(name="ambassadors.clicks_fold_old")
def clicks_fold_old() -> int:
    """Raw clicks past the retention period → daily totals."""
    from .tracking.click_store import clicks_fold_old as fold

    return fold()


@shared_task(name="ambassadors.clicks_salts_purge")
def clicks_salts_purge() -> int:
    """Delete the daily salts of days that are over (ambassadors/tracking/salts.py). Idempotent;
    beat runs it hourly, so a salt outlives its day by an hour at most even when no
    visitor comes after midnight."""
    from .tracking.salts import salts_purge

    return salts_purge()


@shared_task(name="ambassadors.rollups_refresh", ignore_result=True)
def rollups_refresh() -> int:
    """Days that ended → daily rollups (beat, every few minutes; cheap when up to date)."""
    from .reporting.rollups.build import rollups_refresh as refresh

    return refresh()


@shared_task(name="ambassadors.rollups_reconcile", ignore_result=True)
def rollups_reconcile() -> int:
    """Nightly: every built day compared with the raw rows, differences rebuilt. Returns
    the number of days repaired."""
    from .reporting.rollups.reconcile import rollups_reconcile as reconcile

    return len(reconcile().repaired_days)


@shared_task(name="ambassadors.report_emails_send", ignore_result=True)
def report_emails_send() -> int:
    """Hourly: weekly and monthly report e-mails that are due (once per person and period)."""
    from .reporting.emails import report_emails_send as send

    return send()


# Weekly digests and urgent alerts. Batch tasks retry temporary SMTP trouble with back-off;
# the service releases what was not handed over before it raises, and records the rest as
# failed on the last attempt (so a permanent failure is written down, not lost).


def _enqueue_digest_batch(
    run_id: int, period: str, ambassador_ids: list[int], numbers: dict[str, Any]
) -> None:
    # Celery's Django fixup makes every task a DjangoTask; the stubs type it as Task.
    digest_send_batch.delay_on_commit(run_id, period, ambassador_ids, numbers)  # type: ignore[attr-defined]


def _enqueue_alert_batch(item_id: int, ambassador_ids: list[int]) -> None:
    # Celery's Django fixup makes every task a DjangoTask; the stubs type it as Task.
    alert_send_batch.delay_on_commit(item_id, ambassador_ids)  # type: ignore[attr-defined]


def _last_try(task: Task[Any, Any]) -> bool:
    """True on the attempt after which Celery gives up (max_retries None: never)."""
    return task.max_retries is not None and task.request.retries >= task.max_retries


@shared_task(name="ambassadors.digest_dispatch", ignore_result=True)
def digest_dispatch_task() -> int | None:
    """Beat runs this every 15 minutes. First the sweep (claims of dead workers become
    ``unknown``), then the fan-out. Returns the run id, if there was work."""
    deliveries_mark_unknown(older_than=claim_timeout())
    digest_runs_close_stale(now=timezone.now())
    run = digest_dispatch(enqueue=_enqueue_digest_batch)
    return run.pk if run else None


@shared_task(bind=True, name="ambassadors.digest_send_batch", **SEND_RETRY)
def digest_send_batch(
    self: Task[Any, Any],
    run_id: int | None,
    period: str,
    ambassador_ids: list[int],
    numbers: dict[str, Any] | None = None,
) -> int:
    with requeued_when_stopping():
        result = digest_batch_send(
            run_id=run_id,
            period=period,
            ambassador_ids=ambassador_ids,
            numbers=numbers,
            attempt=self.request.retries + 1,
            final_attempt=_last_try(self),
        )
    return result.sent


@shared_task(name="ambassadors.digest_resend", ignore_result=True)
def digest_resend(run_id: int, token: str) -> int:
    from .mail.digests.sending import digest_resend_claimed

    with requeued_when_stopping():
        return digest_resend_claimed(run_id=run_id, token=token).sent


@shared_task(name="ambassadors.alert_sweep", ignore_result=True)
def alert_sweep() -> int:
    """Beat runs this every minute: live urgent items whose delay has passed go out."""
    return alert_dispatch(enqueue=_enqueue_alert_batch)


@shared_task(bind=True, name="ambassadors.alert_send_batch", **SEND_RETRY)
def alert_send_batch(self: Task[Any, Any], item_id: int, ambassador_ids: list[int]) -> int:
    with requeued_when_stopping():
        result = alert_batch_send(
            item_id=item_id,
            ambassador_ids=ambassador_ids,
            attempt=self.request.retries + 1,
            final_attempt=_last_try(self),
        )
    return result.sent


# Content sources and monitoring (ambassadors/sources/). Beat runs the dispatcher every
# minute; each source is polled in its own task, so a slow feed only delays itself.
@shared_task(name="ambassadors.sources_dispatch", ignore_result=True)
def sources_dispatch_task() -> int:
    from .sources.polling import sources_dispatch

    return sources_dispatch(enqueue=source_poll_task.delay)


def enqueue_term_alerts() -> None:
    """Asks a worker to send alert e-mails now. If the broker is unreachable the entries stay
    pending and beat's sweep sends them within 5 minutes of it coming back."""
    try:
        term_alerts_send_task.delay()
    except Exception:
        logging.getLogger(__name__).warning("term alerts: broker unreachable, the sweep sends")


@shared_task(name="ambassadors.source_poll", soft_time_limit=120, time_limit=150)
def source_poll_task(source_id: int) -> str:
    """Never raises for a bad feed (the source records what went wrong); safe to run twice
    (entries are stored once)."""
    from .sources.polling import source_poll

    return source_poll(source_id=source_id, on_alerts=enqueue_term_alerts).outcome


@shared_task(name="ambassadors.term_alerts_send", **SEND_RETRY)
def term_alerts_send_task() -> int:
    """E-mails comms about new entries that mention an alert term; idempotent (claims)."""
    from .sources.monitoring import term_alerts_send

    try:
        return term_alerts_send()
    except OSError as error:  # SMTP connection trouble: the claim was released, try again
        raise TransientMailError(str(error)) from error


@shared_task(
    name="ambassadors.notifications_email_due",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=5,
)
def notifications_email_due_task() -> int:
    """One e-mail per person with what waits for them (batched; safe to run twice)."""
    from .notifications import notifications_email_due

    return notifications_email_due()


@shared_task(name="ambassadors.held_images_clean", ignore_result=True)
def held_images_clean_task() -> int:
    """Pictures kept from failed saves, older than a day, are deleted."""
    from .held_images import held_images_clean

    return held_images_clean()


# Crisis mode (issue 17) registers its tasks here, where Celery's autodiscovery looks.
from .crisis import tasks as crisis_tasks  # noqa: E402, F401

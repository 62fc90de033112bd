"""Celery tasks of crisis mode: thin adapters taking ids, calling the services."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from ..mail.delivery import SEND_RETRY
from ..mail.digests.schedule import claim_timeout
from ..shutdown import requeued_when_stopping
from .alerts import crisis_alert_batch_send, crisis_alert_dispatch, crisis_deliveries_mark_unknown
from .webhooks import (
    new_item_posts_create,
    webhook_post_send,
    webhook_posts_mark_unknown,
    webhook_retry_delay,
)


def _enqueue_batch(update_id: int, ambassador_ids: list[int]) -> None:
    # Celery's Django fixup makes every task a DjangoTask; the stubs type it as Task.
    crisis_alert_send_batch.delay_on_commit(update_id, ambassador_ids)  # type: ignore[attr-defined]


def _enqueue_posts(post_ids: list[int]) -> None:
    for post_id in post_ids:
        # Celery's Django fixup makes every task a DjangoTask; the stubs type it as Task.
        webhook_post.delay_on_commit(post_id)  # type: ignore[attr-defined]


def _last_try(task: Task[Any, Any]) -> bool:
    """True on the attempt after which Celery gives up (max_retries None: never)."""
    return task.max_retries is not None and task.request.retries >= task.max_retries


@shared_task(name="ambassadors.crisis_alert_sweep", ignore_result=True)
def crisis_alert_sweep() -> int:
    """Beat runs this every minute (and activation or an update sent at once queues it after
    commit): claims of dead workers become ``unknown``, due updates go out, and new items
    are posted to webhooks that want them."""
    crisis_deliveries_mark_unknown(older_than=claim_timeout())
    webhook_posts_mark_unknown(older_than=claim_timeout())
    done = crisis_alert_dispatch(enqueue=_enqueue_batch, enqueue_posts=_enqueue_posts)
    _enqueue_posts(new_item_posts_create())
    return done


@shared_task(bind=True, name="ambassadors.crisis_alert_send_batch", **SEND_RETRY)
def crisis_alert_send_batch(self: Task[Any, Any], update_id: int, ambassador_ids: list[int]) -> int:
    with requeued_when_stopping():
        result = crisis_alert_batch_send(
            update_id=update_id,
            ambassador_ids=ambassador_ids,
            attempt=self.request.retries + 1,
            final_attempt=_last_try(self),
        )
    return result.sent


@shared_task(bind=True, name="ambassadors.webhook_post", max_retries=6, ignore_result=True)
def webhook_post(self: Task[Any, Any], post_id: int) -> str:
    """Only the row's id travels through the broker: the secret URL never does."""
    result = webhook_post_send(post_id=post_id, final_attempt=_last_try(self))
    if result.retry_after is not None:
        raise self.retry(
            countdown=webhook_retry_delay(
                retries=self.request.retries, retry_after=result.retry_after
            )
        )
    return result.status

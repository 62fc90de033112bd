"""Celery tasks: thin adapters that take ids and plain values and call a service."""

from celery import shared_task


@shared_task(name="ambassadors.ping")
def ping() -> str:
    """Round-trip check for `make run`, the health of a deployment and the tests."""
    return "pong"


@shared_task(name="ambassadors.clicks_flush")
def clicks_flush() -> int:
    """Buffered clicks → database, in bulk. Safe to run twice (a lock and idempotent
    inserts); beat runs it every few seconds."""
    from .clicks import clicks_flush as flush

    return flush()


@shared_task(name="ambassadors.clicks_fold_old")
def clicks_fold_old() -> int:
    """Raw clicks past the retention period → daily totals."""
    from .clicks import clicks_fold_old as fold

    return fold()

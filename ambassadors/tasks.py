"""Celery tasks: thin adapters that take ids and plain values and call a service."""

from celery import shared_task


@shared_task(name="ambassadors.ping")
def ping() -> str:
    """Round-trip check for `make run`, the health of a deployment and the tests."""
    return "pong"

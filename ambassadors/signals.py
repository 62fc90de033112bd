"""Signal receivers: the worker's first heartbeat; bounces reported by e-mail providers
(django-anymail tracking webhooks); an e-mail address change lifts a bounce stop."""

import logging
from typing import Any

from allauth.account.signals import email_changed
from anymail.signals import AnymailTrackingEvent, tracking
from celery.signals import worker_ready
from django.dispatch import receiver
from django.http import HttpRequest

from .models import User

log = logging.getLogger(__name__)


@worker_ready.connect
def _worker_heartbeat_on_start(**kwargs: Any) -> None:
    from .health import heartbeat_record

    try:
        heartbeat_record(name="worker")
    except Exception as exc:  # noqa: BLE001 - a heartbeat must never stop a worker
        log.warning("worker heartbeat not recorded: %s", exc)


@receiver(tracking)
def _provider_tracking_event(
    sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    from .mail.bounces import tracking_event_record

    reason = event.description or event.mta_response or event.reject_reason or ""
    tracking_event_record(
        event_type=event.event_type, recipient=event.recipient or "", reason=reason, esp=esp_name
    )


@receiver(email_changed)
def _new_address_gets_mail_again(
    sender: Any, request: HttpRequest, user: User, **kwargs: Any
) -> None:
    from .mail.bounces import user_address_changed

    user_address_changed(user=user)

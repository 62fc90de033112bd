"""Optional error reporting to Sentry (or any Sentry-compatible server), off unless
``SENTRY_DSN`` is set. No personal data leaves: ``send_default_pii=False`` keeps out IP
addresses, cookies and user details, and ``before_send`` redacts secrets from URLs and
drops request bodies and headers that could carry them."""

from __future__ import annotations

from typing import Any

from portal.logs import redact


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Remove what could identify a person or carry a secret from a Sentry event (a dict as
    the SDK builds it); returns the same dict."""
    request = event.setdefault("request", {})
    if "url" in request:
        request["url"] = redact(request["url"])
    if "query_string" in request:
        request["query_string"] = redact("?" + str(request["query_string"]))[1:]
    for key in ("data", "cookies", "env"):
        request.pop(key, None)
    headers = request.get("headers") or {}
    request["headers"] = {
        name: value
        for name, value in headers.items()
        if name.lower() in {"accept-language", "content-type", "host", "x-request-id"}
    }
    event.pop("user", None)
    for value in (event.get("breadcrumbs") or {}).get("values", []):
        if isinstance(value.get("message"), str):
            value["message"] = redact(value["message"])
        data = value.get("data") or {}
        if isinstance(data.get("url"), str):
            data["url"] = redact(data["url"])
    return event


def init_error_reporting(*, dsn: str, environment: str, release: str | None = None) -> bool:
    """Start the SDK with the Django, Celery and Redis integrations when ``dsn`` is set;
    returns whether it started."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        # scrub_event takes the event as the plain dict it is; the SDK types it as a TypedDict.
        before_send=scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
    )
    return True

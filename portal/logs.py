"""Logging wiring: secrets redacted from every logged path, a request id, optional JSON lines.

Paths of some pages carry a secret (a password-reset key, an e-mail confirmation key, an
unsubscribe token, a calendar feed token) and query strings may carry OAuth codes: whoever
reads the log files must not be able to use them. The same rule serves gunicorn's access log
(``portal.gunicorn_logging``), Django's development server and ``django.request`` messages
(``RedactSecretsFilter``).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

# A path segment after one of these prefixes is a secret (allauth's and our own URLs).
SECRET_PATH_PREFIXES = (
    "/accounts/password/reset/key/",
    "/accounts/confirm-email/",
    "/unsubscribe/",
    "/studio/calendar/feed/",
    "/scim/",
)
REDACTED = "[redacted]"
_SECRET_SEGMENT = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")[^/?#\s\"]+"
)
_QUERY_VALUE = re.compile(r"([?&][^=&#\s\"]+=)[^&#\s\"]*")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def redact(text: str) -> str:
    """``text`` (a path, a request line or a whole log message) with every secret path
    segment and every query-string value replaced by ``[redacted]``; keys stay, so a log
    still shows which page and parameters were asked for."""
    text = _SECRET_SEGMENT.sub(r"\1" + REDACTED, text)
    return _QUERY_VALUE.sub(r"\1" + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Redacts the formatted message of a record (and its args) in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's own business
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the one of the request being served, or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """Takes the proxy's ``X-Request-ID`` when it looks like one, else makes one; logs of
    this request carry it and the response returns it, so a user's report can be matched."""

    header = "HTTP_X_REQUEST_ID"
    _valid = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.META.get(self.header, "")
        request_id = given if self._valid.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def logging_config(*, level: str = "INFO", json: bool = False) -> dict:
    """The ``LOGGING`` dict: one console handler, plain or JSON lines (python-json-logger),
    every record redacted and tagged with the request id."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "portal.logs.RedactSecretsFilter"},
            "request_id": {"()": "portal.logs.RequestIdFilter"},
        },
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["request_id", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # runserver's own handler prints request lines: route them through ours.
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }

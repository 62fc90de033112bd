"""Running it like a product: secrets kept out of logs, cookie flags, key rotation, error
reporting that carries no personal data."""

from __future__ import annotations

import gzip
import io
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from ambassadors.mail.unsubscribe import unsubscribe_url
from ambassadors.models import Ambassador
from portal.logs import RedactSecretsFilter, RequestIdFilter, logging_config, redact

SECRET_PATHS = [
    ("/accounts/password/reset/key/3f-c9x7k2-abcdef1234/", "/accounts/password/reset/key/"),
    ("/accounts/confirm-email/MQ:1xY:abcDEF_123/", "/accounts/confirm-email/"),
    ("/unsubscribe/MQ:1xYBR0:apvne4vg-OLMgEwLe7hslqHNx4_wTqW51g7_pT-w4hI/", "/unsubscribe/"),
    ("/studio/calendar/feed/9b2a7c1e0f/portal.ics", "/studio/calendar/feed/"),
]


@pytest.mark.parametrize(("path", "prefix"), SECRET_PATHS)
def test_secret_path_segments_are_redacted(path, prefix):
    cleaned = redact(f'GET {path} HTTP/1.1" 200')
    assert cleaned.startswith(f"GET {prefix}[redacted]")
    secret = path[len(prefix) :].split("/")[0]
    assert secret not in cleaned


def test_query_string_values_are_redacted_but_keys_stay():
    cleaned = redact("/accounts/oidc/login/callback/?code=SECRETCODE&state=S7&next=/me/")
    assert (
        cleaned == "/accounts/oidc/login/callback/?code=[redacted]&state=[redacted]&next=[redacted]"
    )


def test_ordinary_paths_are_left_alone():
    assert redact("/items/our-new-office/") == "/items/our-new-office/"
    assert redact("/s/Ab3dE9") == "/s/Ab3dE9"


def test_gunicorn_access_log_lines_carry_no_token():
    from gunicorn.config import Config

    from portal.gunicorn_logging import RedactingGunicornLogger

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '"%(r)s" %(U)s %(q)s')
    logger = RedactingGunicornLogger(config)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]

    class Response:
        status = "200 OK"
        headers = []
        response_length = 10
        sent = 10

    class Request:
        headers = []

    token = "MQ:1xYBR0:apvne4vg-OLMgEwLe7hslqHNx4"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/unsubscribe/{token}/?k=v",
        "PATH_INFO": f"/unsubscribe/{token}/",
        "QUERY_STRING": "k=v",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    from datetime import timedelta

    logger.access(Response(), Request(), environ, timedelta(seconds=0.01))
    line = stream.getvalue()
    assert token not in line
    assert line.count("/unsubscribe/[redacted]") == 2
    assert "k=[redacted]" in line


def test_django_log_records_are_redacted_and_carry_the_request_id():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" 200 5', None, None
    )
    record.args = ("/accounts/confirm-email/MQ:secretkey/",)
    assert RedactSecretsFilter().filter(record)
    RequestIdFilter().filter(record)
    assert record.getMessage() == '"GET /accounts/confirm-email/[redacted]/ HTTP/1.1" 200 5'
    assert record.request_id == "-"


def test_json_logs_are_one_object_per_line_with_the_request_id():
    config = logging_config(json=True)
    formatter = logging.config.dictConfig  # noqa: F841 - the module must be importable
    from pythonjsonlogger.json import JsonFormatter

    spec = config["formatters"]["main"]
    fmt = JsonFormatter(spec["fmt"], rename_fields=spec["rename_fields"])
    record = logging.LogRecord("ambassadors", logging.INFO, __file__, 1, "sent %d", (3,), None)
    RequestIdFilter().filter(record)
    data = json.loads(fmt.format(record))
    assert data["message"] == "sent 3"
    assert data["level"] == "INFO"
    assert data["logger"] == "ambassadors"
    assert data["request_id"] == "-"


@pytest.mark.django_db
def test_responses_carry_a_request_id_and_keep_a_valid_one_from_the_proxy(client):
    mine = client.get("/healthz")["X-Request-ID"]
    assert len(mine) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-proxy")["X-Request-ID"] == (
        "abc12345-proxy"
    )
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")["X-Request-ID"]
    assert forged != "x\r\nSet-Cookie: a=b"
    assert len(forged) == 32


@pytest.mark.django_db
@pytest.mark.parametrize("secure", [True, False])
def test_preferences_set_the_language_cookie_like_the_switcher(
    client_as, ambassador, settings, secure
):
    settings.LANGUAGE_COOKIE_SECURE = secure
    client = client_as(ambassador.user)
    client.post(reverse("ambassadors:preferences"), {"language": "nl"})  # invalid form: no cookie
    data = {
        "language": "nl",
        "content_languages": "nl",
        "networks": ["linkedin"],
        "digest_weekday": "1",
        "time_zone": "Europe/Amsterdam",
    }
    response = client.post(reverse("ambassadors:preferences"), data)
    switcher = client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    for cookie in (response.cookies["portal_language"], switcher.cookies["portal_language"]):
        assert cookie.value == "nl"
        assert cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE
        assert bool(cookie["secure"]) is secure
        assert cookie["path"] == "/"


@pytest.mark.django_db
def test_an_old_unsubscribe_link_keeps_working_after_the_key_is_rotated(ambassador, settings):
    settings.SECRET_KEY = "old-key-" + "o" * 50
    link = unsubscribe_url(ambassador_id=ambassador.pk)
    path = link.removeprefix(settings.SITE_URL)
    settings.SECRET_KEY = "new-key-" + "n" * 50

    settings.SECRET_KEY_FALLBACKS = []
    assert Client().post(path).status_code == 400
    ambassador.refresh_from_db()
    assert ambassador.digest_enabled is True

    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "o" * 50]
    assert Client().post(path).status_code == 200
    assert Ambassador.objects.get(pk=ambassador.pk).digest_enabled is False


def test_secret_key_fallbacks_come_from_the_environment(tmp_path):
    from ambassadors.tests.test_system import settings_snapshot_value

    value = settings_snapshot_value(
        "portal.settings.local", "SECRET_KEY_FALLBACKS", {"SECRET_KEY_FALLBACKS": "a1,b2"}, tmp_path
    )
    assert value == ["a1", "b2"]


class _EnvelopeSink(BaseHTTPRequestHandler):
    """Takes what a Sentry SDK posts (envelopes, maybe gzipped) and keeps the items."""

    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        for line in body.splitlines():
            try:
                self.received.append(json.loads(line))
            except ValueError:
                continue
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_errors_reach_the_reporting_server_without_personal_data(client_as, ambassador):
    import sentry_sdk

    from portal.errors import init_error_reporting

    server = ThreadingHTTPServer(("127.0.0.1", 0), _EnvelopeSink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _EnvelopeSink.received = []
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
        assert init_error_reporting(dsn=dsn, environment="test") is True
        client = client_as(ambassador.user)
        client.raise_request_exception = False
        from unittest import mock

        with mock.patch("ambassadors.views.membership.render", side_effect=RuntimeError("boom")):
            response = client.get(
                "/me/preferences/?token=SECRET123", HTTP_X_FORWARDED_FOR="203.0.113.9"
            )
        assert response.status_code == 500
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.init(dsn=None)
        server.shutdown()
    events = [item for item in _EnvelopeSink.received if item.get("exception")]
    assert len(events) == 1
    payload = json.dumps(events[0])
    assert "boom" in payload
    assert ambassador.user.email not in payload
    assert "203.0.113.9" not in payload
    assert "127.0.0.1" not in payload.replace(f"127.0.0.1:{server.server_port}", "")
    assert "SECRET123" not in payload
    assert "sessionid" not in payload
    assert "user" not in events[0]
    assert events[0]["transaction"] == "/me/preferences/"


def test_error_reporting_is_off_without_a_dsn():
    from portal.errors import init_error_reporting

    assert init_error_reporting(dsn="", environment="test") is False

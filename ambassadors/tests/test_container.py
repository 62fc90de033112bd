"""The container files: compose.yaml parsed and checked for consistency, the Dockerfile's
promises, and the entry point starting each process with exec (so SIGTERM reaches it).

Building and running the image is .ci/container-check's job (podman, debootstrap, chroot).
"""

from __future__ import annotations

import configparser
import http.server
import os
import re
import runpy
import subprocess
import sys
import threading
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PORTAL_SERVICES = {"migrate", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


_VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} (what compose.yaml uses)."""

    def one(match: re.Match) -> str:
        name, kind, text = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise LookupError(text)
        return text if kind == "-" else ""

    return _VARIABLE.sub(one, value)


def entrypoint_roles() -> set[str]:
    text = (ROOT / "container" / "entrypoint").read_text()
    return set(re.findall(r"^  ([a-z]+)\)$", text, flags=re.MULTILINE))


def env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_compose_has_the_five_parts_and_a_migration_step(compose):
    assert set(compose["services"]) == PORTAL_SERVICES | {"db", "redis"}
    for name in PORTAL_SERVICES:
        service = compose["services"][name]
        assert interpolate(service["image"], {}) == "ambassador-portal:latest"
        assert service["build"]["context"] == "."
        assert service["command"][0] in entrypoint_roles()
        assert service["init"] is True


def test_portal_services_take_settings_from_an_env_file_and_reach_db_and_redis(compose):
    services = compose["services"]
    documented = env_example_names()
    for name in PORTAL_SERVICES:
        service = services[name]
        assert service["env_file"] == ["portal.env"]
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
        assert set(env) <= documented | {"DJANGO_SETTINGS_MODULE"}
        with pytest.raises(LookupError, match="set POSTGRES_PASSWORD in .env"):
            interpolate(env["DATABASE_URL"], {})
        database = urlsplit(interpolate(env["DATABASE_URL"], {"POSTGRES_PASSWORD": "pw"}))
        assert (database.scheme, database.hostname, database.port) == ("postgres", "db", 5432)
        assert database.path == "/" + services["db"]["environment"]["POSTGRES_DB"]
        assert database.username == services["db"]["environment"]["POSTGRES_USER"]
        assert database.password == "pw"
        broker, cache = urlsplit(env["REDIS_URL"]), urlsplit(env["REDIS_CACHE_URL"])
        assert broker.hostname == cache.hostname == "redis"
        assert broker.path != cache.path  # the cache may be flushed, the broker never
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}
        assert service["depends_on"]["redis"] == {"condition": "service_healthy"}
    for name in PORTAL_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["restart"] == "no"


def test_every_service_has_a_health_check_that_checks_its_own_part(compose):
    services = compose["services"]
    assert services["web"]["healthcheck"]["test"] == [
        "CMD",
        "/app/container/healthcheck",
        "/healthz/web",
    ]
    assert services["worker"]["healthcheck"]["test"][-2:] == ["heartbeat_check", "worker"]
    assert services["beat"]["healthcheck"]["test"][-2:] == ["heartbeat_check", "beat"]
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "GUNICORN_BIND=0.0.0.0:8000" in dockerfile
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_volumes_for_media_database_redis_and_beat_are_declared_and_used(compose):
    services = compose["services"]
    used = {}
    for name, service in services.items():
        for mount in service.get("volumes", []):
            volume, target = mount.split(":")[:2]
            used.setdefault(volume, set()).add((name, target))
    assert set(compose["volumes"]) == set(used)
    for name in ("web", "worker"):
        assert (name, services[name]["environment"]["MEDIA_ROOT"]) in used["media"]
    assert used["db"] == {("db", "/var/lib/postgresql/data")}
    assert used["redis"] == {("redis", "/data")}
    assert ("beat", "/data") in used["beat"]  # PORTAL_VAR_DIR: beat's schedule file


def test_redis_keeps_the_click_buffer_across_restarts(compose):
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_stop_timeouts_cover_the_graceful_stops(compose, settings):
    """compose's stop_grace_period and systemd's TimeoutStopSec leave room for gunicorn's
    graceful timeout and for a mail batch's last message (EMAIL_TIMEOUT) before SIGKILL."""

    def seconds(value: str) -> int:
        return int(value.removesuffix("s"))

    gunicorn = runpy.run_path(str(ROOT / "portal" / "gunicorn.conf.py"))
    services = compose["services"]
    assert seconds(services["web"]["stop_grace_period"]) > gunicorn["graceful_timeout"]
    assert seconds(services["worker"]["stop_grace_period"]) > settings.EMAIL_TIMEOUT

    units = {}
    for name in ("web", "worker", "beat"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(ROOT / "docs" / "deploy" / "systemd" / f"portal-{name}.service")
        units[name] = parser["Service"]
    # SIGTERM to the main process only; SIGKILL to what is left after the timeout.
    assert {unit["KillMode"] for unit in units.values()} == {"mixed"}
    assert int(units["web"]["TimeoutStopSec"]) > gunicorn["graceful_timeout"]
    assert int(units["worker"]["TimeoutStopSec"]) > settings.EMAIL_TIMEOUT


def test_dockerfile_promises():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim-bookworm$", text, re.MULTILINE)
    assert text.count("pip install") == 1  # wheels installed once, in the build stage
    assert "COPY --from=build /opt/venv /opt/venv" in text
    assert "collectstatic --noinput" in text
    assert re.search(r"^USER portal$", text, re.MULTILINE)
    assert "useradd --system --uid" in text
    assert 'ENTRYPOINT ["/app/container/entrypoint"]' in text
    assert "DJANGO_SETTINGS_MODULE=portal.settings.production" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "var", "ambassadors/tests"} <= set(ignored)


@pytest.mark.parametrize(
    ("role", "program", "expected"),
    [
        ("web", "gunicorn", "portal.wsgi -c portal/gunicorn.conf.py"),
        ("worker", "celery", "-A portal worker --loglevel INFO"),
        ("beat", "celery", "-A portal beat --loglevel INFO --schedule {var}/celerybeat-schedule"),
        ("migrate", "python", "manage.py migrate --noinput"),
        ("manage", "python", "manage.py check"),
    ],
)
def test_the_entry_point_execs_each_process(tmp_path, role, program, expected):
    """The started program must BE the entry point's process (same pid): a shell left in
    between would swallow `docker stop`'s SIGTERM until the runtime sends SIGKILL."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    stub = stubs / program
    stub.write_text('#!/bin/sh\necho "$$ $*"\n')
    stub.chmod(0o755)
    var = tmp_path / "var"
    env = {
        "PATH": f"{stubs}:/usr/bin:/bin",
        "PORTAL_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
    }
    args = [str(ROOT / "container" / "entrypoint"), role] + (["check"] if role == "manage" else [])
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    out, _ = process.communicate(timeout=30)
    pid, _, rest = out.strip().partition(" ")
    assert int(pid) == process.pid
    assert rest == expected.format(var=var)
    assert os.path.isdir(var / "media")


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict]] = []
    status: ClassVar[int] = 200

    def do_GET(self):  # noqa: N802
        type(self).seen.append({"path": self.path, **dict(self.headers)})
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    ("allowed_hosts", "status", "host", "code"),
    [
        ("portal.example.com,www.example.com", 200, "portal.example.com", 0),
        (".example.com", 503, "example.com", 1),
        ("*", 200, "localhost", 0),
    ],
)
def test_the_web_health_check_asks_its_own_port_as_an_allowed_host(
    allowed_hosts, status, host, code
):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen, _Recorder.status = [], status
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    env = {
        "PATH": os.environ["PATH"],
        "GUNICORN_BIND": f"0.0.0.0:{server.server_port}",
        "ALLOWED_HOSTS": allowed_hosts,
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "container" / "healthcheck"), "/healthz/web"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    thread.join(timeout=10)
    server.server_close()
    assert result.returncode == code
    assert result.stdout == f"/healthz/web: {status}\n"
    [request] = _Recorder.seen
    assert (request["path"], request["Host"], request["X-Forwarded-Proto"]) == (
        "/healthz/web",
        host,
        "https",
    )


@pytest.mark.django_db
def test_django_refuses_the_containers_own_address_but_not_the_allowed_host(client, settings):
    """Why the health check sends an allowed Host: 127.0.0.1 gets 400 in production."""
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    assert client.get("/healthz/web", HTTP_HOST="127.0.0.1:8000").status_code == 400
    response = client.get("/healthz/web", HTTP_HOST="portal.example.com")
    assert response.status_code == 200

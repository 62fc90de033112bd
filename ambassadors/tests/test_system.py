"""Settings profiles, health check, demo data, admin, cache outage."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from ambassadors.models import (
    Ambassador,
    Click,
    Department,
    Guidelines,
    Item,
    Share,
    Suggestion,
    Topic,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PORTAL_REQUIRE_SERVICES"}
}


def settings_snapshot(module: str, env: dict, tmp_path) -> dict:
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'],"
        "'db_options': s.DATABASES['default'].get('OPTIONS', {}),"
        "'cache': s.CACHES['default']['BACKEND'],"
        "'cache_location': s.CACHES['default']['LOCATION'],"
        "'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, 'debug': s.DEBUG}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**CLEAN_ENV, "PORTAL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def settings_snapshot_value(module: str, name: str, env: dict, tmp_path):
    """One setting's value (JSON-able) as a fresh process with ``env`` sees it."""
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        f"print(json.dumps(getattr(s, {name!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**CLEAN_ENV, "PORTAL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_server(tmp_path):
    config = settings_snapshot("portal.settings.local", {}, tmp_path)
    assert config["db"] == "django.db.backends.sqlite3"
    assert config["db_options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["db_options"]["init_command"]
    assert config["db_options"]["timeout"] == 20
    assert config["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert config["broker"] == "filesystem://"
    assert config["email"] == "django.core.mail.backends.console.EmailBackend"


def test_service_urls_switch_to_postgres_and_redis_on_separate_databases(tmp_path):
    config = settings_snapshot(
        "portal.settings.local",
        {"DATABASE_URL": "postgres://u@db:5432/portal", "REDIS_URL": "redis://cache:6379/3"},
        tmp_path,
    )
    assert config["db"] == "django.db.backends.postgresql"
    assert config["cache"] == "portal.cache.FailOpenRedisCache"
    assert config["broker"] == "redis://cache:6379/3"
    assert config["cache_location"] == "redis://cache:6379/4"


def test_production_settings_refuse_to_start_without_secrets(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": "portal.settings.production"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60 + "-production-check-only-Zq8",
    "ALLOWED_HOSTS": "portal.example.com",
    "SITE_URL": "https://portal.example.com",
    "ALLOWED_EMAIL_DOMAINS": "example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://user:pw@smtp.example.com:587",
    "DEFAULT_FROM_EMAIL": "Portal <portal@example.com>",
}


@pytest.mark.services("redis-server")
def test_check_deploy_has_no_warnings_with_production_settings(tmp_path):
    """Against a Redis that persists (AOF), as docs/operations.md asks for the click buffer."""
    from ambassadors.tests.redis_server import own_redis
    from ambassadors.tests.smtp_sink import free_port

    port = free_port()
    with own_redis(tmp_path, port):
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env={
                **CLEAN_ENV,
                **PRODUCTION_ENV,
                "REDIS_URL": f"redis://127.0.0.1:{port}/0",
                "DJANGO_SETTINGS_MODULE": "portal.settings.production",
                "PORTAL_VAR_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert "comms@example.com" in out.getvalue()
    assert "demo-portal-2026" in out.getvalue()
    assert User.objects.filter(groups__name="Comms").count() == 2
    assert User.objects.filter(groups__name="Comms leads").count() == 1
    assert Ambassador.objects.count() == 6
    assert User.objects.count() == 7
    assert Department.objects.count() == 5
    assert Topic.objects.count() == 5
    assert Guidelines.objects.get().body_nl.startswith("**Dank je wel")
    assert Item.objects.live().count() == 4
    assert Share.objects.count() == 6
    assert Click.objects.count() == 58
    assert Suggestion.objects.count() == 1
    lead = User.objects.get(email="lead@example.com")
    assert lead.has_perm("ambassadors.publish_urgent")
    assert not User.objects.get(email="comms@example.com").has_perm("ambassadors.publish_urgent")


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings():
    with (
        override_settings(SETTINGS_MODULE="portal.settings.production"),
        pytest.raises(CommandError, match="production"),
    ):
        call_command("seed_demo", stdout=StringIO())


ADMIN_MODELS = [
    "user", "topic", "department", "guidelines", "ambassador", "sitesettings", "item",
    "itemevent", "jargonterm", "trackedlink", "share", "click", "clickdaily", "suggestion",
    "digestrun", "digestdelivery", "alertdelivery",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_model_has_a_working_admin(client_as, model):
    from ambassadors.tests.factories import ShareFactory

    ShareFactory()
    admin = User.objects.create_superuser("root@example.com", "root@example.com", "pw-root-1")
    client = client_as(admin)
    assert client.get(reverse(f"admin:ambassadors_{model}_changelist")).status_code == 200


@pytest.mark.django_db
def test_pages_keep_working_when_the_cache_server_is_down(client_as, ambassador):
    caches = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/1",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=caches, ACCOUNT_RATE_LIMITS={"login": "30/m/ip"}):
        client = Client()
        response = client.post(
            reverse("account_login"),
            {"login": ambassador.user.email, "password": "correct horse battery"},
        )
        assert response.status_code == 302
        assert client.get("/").status_code == 200


# --- robots.txt and the favicon ---------------------------------------------------------------

CRAWLER_MAY_NOT = [
    "/",
    "/studio/",
    "/studio/items/1/",
    "/admin/",
    "/accounts/login/",
    "/s/AbCd1234",
    "/me/preferences/",
    "/items/our-news/",
    "/join/",
    "/leaderboard/",
    "/unsubscribe/token/",
]
CRAWLER_MAY = ["/p/our-news/", "/crisis/flood/", "/crisis/flood/feed/", "/static/css/site.css"]


def robots(client):
    from urllib.robotparser import RobotFileParser

    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


@pytest.mark.parametrize("agent", ["Googlebot", "bingbot", "SomeNewCrawler"])
def test_robots_txt_lets_search_engines_crawl_only_the_public_pages(client, agent):
    parser = robots(client)
    assert [p for p in CRAWLER_MAY_NOT if parser.can_fetch(agent, p)] == []
    assert [p for p in CRAWLER_MAY if not parser.can_fetch(agent, p)] == []


@pytest.mark.parametrize("agent", ["Twitterbot", "LinkedInBot", "Slackbot"])
def test_robots_txt_lets_link_previews_follow_tracked_links_and_nothing_private(client, agent):
    parser = robots(client)
    assert parser.can_fetch(agent, "/s/AbCd1234")
    assert [p for p in CRAWLER_MAY_NOT if p != "/s/AbCd1234" and parser.can_fetch(agent, p)] == []
    assert [p for p in CRAWLER_MAY if not parser.can_fetch(agent, p)] == []


@pytest.mark.django_db
def test_what_robots_txt_allows_is_not_noindex_and_what_it_forbids_in_s_is(client):
    """robots.txt and the pages agree: a public item page may be indexed; the tracked
    redirect (crawlable by link previews only) says noindex itself."""
    from ambassadors.tests.factories import ItemFactory, TrackedLinkFactory

    item = ItemFactory(live=True, slug="our-news")
    page = client.get("/p/our-news/")
    assert page.status_code == 200
    assert "noindex" not in page.content.decode()
    assert "X-Robots-Tag" not in page
    link = TrackedLinkFactory(item=item)
    redirect = client.head(f"/s/{link.code}", HTTP_USER_AGENT="Twitterbot/1.0")  # not a click
    assert redirect.status_code == 302
    assert redirect["X-Robots-Tag"] == "noindex"


def test_favicon_ico_is_served_and_pages_link_the_svg_one(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO header
    assert "max-age=604800" in response["Cache-Control"]
    assert finders.find("favicon.svg")
    for template in ("base.html", "crisis/site.html"):
        source = (ROOT / "templates" / template).read_text()
        assert (
            """<link rel="icon" href="{% static 'favicon.svg' %}" type="image/svg+xml">""" in source
        )

"""Bounded load test on loopback: the tracked redirect and the feed under concurrent users,
served by gunicorn with the production worker settings. Passes only with zero errors.

Usage: DATABASE_URL=postgres://…/portal_bench REDIS_URL=redis://…/6 python bench/load.py
Each endpoint is loaded with wrk for LOAD_SECONDS (default 10) at LOAD_CONNECTIONS
concurrent connections (default 64 for the redirect, a quarter of that for the feed, which
renders a whole page per request). Every click must reach the database after the flush.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, ensure_database, print_facts, require_services, setup_django

SECONDS = int(os.environ.get("LOAD_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "64"))
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
CODE = "LoadCode01"
ITEMS = 200


def make_data() -> str:
    """200 live items, one ambassador with a tracked link; returns a session cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from ambassadors.models import Ambassador, Click, Guidelines, Item, TrackedLink, User

    guidelines, _ = Guidelines.objects.get_or_create(
        version=1,
        defaults={"body_en": "Be kind.", "body_nl": "Wees aardig.", "published_at": timezone.now()},
    )
    user, _ = User.objects.get_or_create(username="load", defaults={"email": "load@example.com"})
    ambassador, _ = Ambassador.objects.get_or_create(
        user=user, defaults={"guidelines_version": guidelines.version}
    )
    now = timezone.now()
    existing = set(Item.objects.filter(slug__startswith="load-").values_list("slug", flat=True))
    Item.objects.bulk_create(
        [
            Item(
                slug=f"load-{n}",
                title=f"Load test story {n}",
                body="A short story for the load test.",
                link="https://example.com/story",
                status=Item.Status.PUBLISHED,
                publish_at=now,
                language="en",
            )
            for n in range(ITEMS)
            if f"load-{n}" not in existing
        ]
    )
    link, _ = TrackedLink.objects.update_or_create(
        code=CODE,
        defaults={
            "ambassador": ambassador,
            "item": Item.objects.get(slug="load-0"),
            "network": "x",
        },
    )
    Click.objects.filter(link=link).delete()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def wrk(url: str, connections: int, headers: list[str]) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--latency"]
    for header in [f"User-Agent: {USER_AGENT}", *headers]:
        args += ["-H", header]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"50%\s+(\S+)", out).group(1),
        "p99": re.search(r"99%\s+(\S+)", out).group(1),
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "bad_status": int(bad.group(1)) if bad else 0,
    }


def main() -> None:
    require_services("DATABASE_URL", "REDIS_URL")
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from ambassadors.models import Click
    from ambassadors.tracking.clicks import clicks_flush

    cookie = make_data()
    port = 8000 + os.getpid() % 1000
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT),
           "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}  # fmt: skip
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "portal.wsgi:application", "-c", "portal/gunicorn.conf.py",
         "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz/web", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        redirect = wrk(f"{base}/s/{CODE}", CONNECTIONS, [])
        feed = wrk(f"{base}/", max(CONNECTIONS // 4, 1), [f"Cookie: {cookie}"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    time.sleep(0.5)
    while clicks_flush(batch_size=5000):
        pass
    counted = Click.objects.filter(link__code=CODE).count()
    print(f"bench/load.py: gunicorn (portal/gunicorn.conf.py, 2 gthread workers), wrk {SECONDS}s")
    print_facts()
    for name, result, conns in (
        ("/s/<code>", redirect, CONNECTIONS),
        ("feed /", feed, max(CONNECTIONS // 4, 1)),
    ):
        print(
            f"  {name:<10} {conns:>3} connections: {result['requests']:,} requests,"
            f" {result['rps']:,.0f} req/s, p50 {result['p50']}, p99 {result['p99']},"
            f" errors {result['errors']}, non-2xx/3xx {result['bad_status']}"
        )
    print(f"  clicks counted: {counted:,} of {redirect['requests']:,} redirects")
    failed = redirect["errors"] + redirect["bad_status"] + feed["errors"] + feed["bad_status"]
    lost = redirect["requests"] - counted
    print("  zero errors, no click lost: " + ("OK" if not failed and lost <= 0 else "FAILED"))
    if failed or lost > 0:
        sys.exit(1)


if __name__ == "__main__":
    main()

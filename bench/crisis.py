"""The crisis dark site /crisis/<slug>/ under a traffic spike, against a bare Django view
returning an HTML page of the same size, same gunicorn, same middleware, same run
(target: ratio ≥ 0.8).

Usage: DATABASE_URL=postgres://…/portal_bench REDIS_URL=redis://…/6 python bench/crisis.py
Creates a shareable crisis with 20 updates, serves the project with gunicorn (2 sync
workers) on loopback, loads each endpoint with wrk (time-adjacent pairs, alternating order),
prints requests/s and the ratio. Then posts one more update and checks that the page shows
it once each worker's own one-second copy has expired (the shared rendered-page cache is
invalidated by the update, not by a timer).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, ensure_database, print_facts, require_services, setup_django
from bench.redirect import free_port

DURATION = int(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# A rest before each run, so both sides of a pair start from the same state (on a shared
# machine with CPU quotas, the second run of a pair was otherwise throttled).
PAUSE = float(os.environ.get("BENCH_PAUSE", "2"))
UPDATES = 20
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept-Language": "en"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def wait_ready(port: int, path: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, body = get(port, path)
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            raise SystemExit(f"{path} answered {status}, expected 200")
        return body
    raise SystemExit("gunicorn did not start")


def wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-H", f"User-Agent: {USER_AGENT}",
         "-H", "Accept-Language: en", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"errors while loading {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def make_crisis():
    from django.contrib.auth.models import Permission
    from django.db import transaction

    from ambassadors.crisis import services
    from ambassadors.models import Crisis, User

    Crisis.objects.filter(slug__startswith="bench-outage").delete()
    services.ContentPause.objects.filter(is_on=True).update(is_on=None)
    lead, _ = User.objects.get_or_create(
        username="bench-crisis-lead", defaults={"email": "bench-lead@example.com"}
    )
    lead.user_permissions.add(
        *Permission.objects.filter(codename__in=["publish_item", "publish_urgent"])
    )
    lead = User.objects.get(pk=lead.pk)  # fresh permission cache
    texts = services.CrisisTexts(
        title_en="Bench outage",
        body_en="Our app is down since 9:00. We are on it and post updates here.",
    )
    with transaction.atomic():
        crisis = services.crisis_activate(
            by=lead, texts=texts, internal_only=False, channels=[], pause_content=False
        )
        for n in range(UPDATES - 1):
            services.crisis_update_add(
                crisis=crisis, by=lead, alert=False,
                text_en=f"Update {n + 2}: we found the cause and are fixing part {n + 1}.",
            )  # fmt: skip
    return crisis, lead


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    require_services("DATABASE_URL", "REDIS_URL")
    ensure_database(os.environ["DATABASE_URL"])
    setup_django("bench.crisis_settings")
    from django.conf import settings
    from django.core.cache import cache

    from ambassadors.crisis import services

    crisis, lead = make_crisis()
    cache.clear()
    port = free_port()
    site_path = f"/crisis/{crisis.slug}/"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.crisis_settings", "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")

    def serve(extra_env: dict) -> subprocess.Popen:
        return subprocess.Popen(
            [str(gunicorn), "portal.wsgi:application", "--workers", "2",
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env={**env, **extra_env},
        )  # fmt: skip

    # First start: learn the page's size, so the bare view returns as many bytes.
    server = serve({})
    try:
        page = wait_ready(port, site_path)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    server = serve({"CRISIS_BENCH_BYTES": str(len(page))})
    try:
        wait_ready(port, "/bench/bare-page")
        wait_ready(port, site_path)
        bare_url = f"http://127.0.0.1:{port}/bench/bare-page"
        site_url = f"http://127.0.0.1:{port}{site_path}"
        wrk(bare_url, 1)
        wrk(site_url, 1)
        bare, site = [], []
        for round_ in range(ROUNDS):
            order = ("bare", "site") if round_ % 2 == 0 else ("site", "bare")
            for kind in order:
                time.sleep(PAUSE)
                (bare if kind == "bare" else site).append(
                    wrk(bare_url if kind == "bare" else site_url, DURATION)
                )
        from django.db import transaction

        with transaction.atomic():
            services.crisis_update_add(
                crisis=crisis, by=lead, alert=False, text_en="Fresh: all fixed at noon."
            )
        # Each worker may serve its own copy for DARK_SITE_LOCAL_SECONDS (1 s by default).
        time.sleep(settings.DARK_SITE_LOCAL_SECONDS + 0.2)
        status, body = get(port, site_path)
        fresh = status == 200 and b"Fresh: all fixed at noon." in body
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    ratios = [s / b for s, b in zip(site, bare, strict=True)]
    ratio = statistics.median(ratios)
    print(
        f"bench/crisis.py: gunicorn 2 sync workers, wrk -t2 -c{CONNECTIONS},"
        f" {DURATION}s x {ROUNDS} pairs, page {len(page):,} bytes, {UPDATES} updates"
    )
    print_facts()
    print(f"  bare Django page:  {' / '.join(f'{r:,.0f}' for r in bare)} req/s")
    print(f"  /crisis/<slug>/:   {' / '.join(f'{r:,.0f}' for r in site)} req/s")
    print(f"  ratio per pair:    {' / '.join(f'{r:.2f}' for r in ratios)}")
    verdict = "OK" if ratio >= 0.8 else "MISSED"
    print(f"  ratio (median of pairs): {ratio:.2f} (target ≥ 0.8) {verdict}")
    print(f"  next request after an update shows it: {'yes' if fresh else 'NO'}")


if __name__ == "__main__":
    main()

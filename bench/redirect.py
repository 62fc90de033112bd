"""/s/<code> throughput against a bare Django 302 view, same gunicorn, same middleware,
same run (target: ratio ≥ 0.8).

Usage: DATABASE_URL=postgres://…/portal_bench REDIS_URL=redis://…/6 python bench/redirect.py
Serves the project with gunicorn (2 sync workers) on loopback, loads each endpoint with wrk
for a few seconds (six time-adjacent pairs, alternating order), prints requests/s and the
ratio, then flushes the click buffer and checks that every redirect was counted.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, ensure_database, print_facts, require_services, setup_django

DURATION = int(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
CODE = "BenchCode1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path, headers={"User-Agent": USER_AGENT})
            status = conn.getresponse().status
            conn.close()
            if status == 302:
                return
            raise SystemExit(f"{path} answered {status}, expected 302")
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def wrk(url: str, seconds: int) -> tuple[float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-H", f"User-Agent: {USER_AGENT}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"errors while loading {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, total


def make_data():
    from django.utils import timezone

    from ambassadors.models import Ambassador, Click, Item, TrackedLink, User

    user, _ = User.objects.get_or_create(
        username="bench-redirect", defaults={"email": "bench-redirect@example.com"}
    )
    ambassador, _ = Ambassador.objects.get_or_create(user=user)
    item, _ = Item.objects.update_or_create(
        slug="bench-redirect",
        defaults={
            "title": "Bench redirect",
            "link": "https://example.com/news?id=7",
            "status": Item.Status.PUBLISHED,
            "publish_at": timezone.now(),
        },
    )
    link, _ = TrackedLink.objects.update_or_create(
        code=CODE, defaults={"ambassador": ambassador, "item": item, "network": "linkedin"}
    )
    Click.objects.filter(link=link).delete()
    return link


def clear_buffer() -> None:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CLICK_BUFFER_URL)
    keys = list(client.scan_iter("portal:clicks:*")) + list(client.scan_iter("portal:rl:*"))
    if keys:
        client.delete(*keys)


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    require_services("DATABASE_URL", "REDIS_URL")
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from ambassadors.models import Click
    from ambassadors.tracking.clicks import clicks_flush

    link = make_data()
    clear_buffer()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn), "portal.wsgi:application",
            "--workers", "2", "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        bare_url = f"http://127.0.0.1:{port}/bench/bare-redirect"
        tracked_url = f"http://127.0.0.1:{port}/s/{CODE}"
        wait_ready(port, "/bench/bare-redirect")
        wait_ready(port, f"/s/{CODE}")
        wrk(bare_url, 1)  # warm up both workers and their caches
        wrk(tracked_url, 1)
        bare, tracked, sent = [], [], 0
        for round_ in range(ROUNDS):
            # Time-adjacent pairs, alternating which goes first, so drifting load from
            # other work on the machine hits both sides of each pair alike.
            order = ("bare", "tracked") if round_ % 2 == 0 else ("tracked", "bare")
            for kind in order:
                if kind == "bare":
                    bare.append(wrk(bare_url, DURATION)[0])
                else:
                    rps, total = wrk(tracked_url, DURATION)
                    tracked.append(rps)
                    sent += total
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from ambassadors.tracking.clicks import pump

    pump.wait_idle()
    flushed = 0
    while True:
        batch = clicks_flush(batch_size=5000)
        flushed += batch
        if not batch:
            break
    counted = Click.objects.filter(link=link).count()
    ratios = [t / b for t, b in zip(tracked, bare, strict=True)]
    ratio = statistics.median(ratios)
    print(
        f"bench/redirect.py: gunicorn 2 sync workers, wrk -t2 -c{CONNECTIONS},"
        f" {DURATION}s x {ROUNDS} pairs"
    )
    print_facts()
    print(f"  bare Django 302:   {' / '.join(f'{r:,.0f}' for r in bare)} req/s")
    print(f"  /s/<code>:         {' / '.join(f'{r:,.0f}' for r in tracked)} req/s")
    print(f"  ratio per pair:    {' / '.join(f'{r:.2f}' for r in ratios)}")
    verdict = "OK" if ratio >= 0.8 else "MISSED"
    print(f"  ratio (median of pairs): {ratio:.2f} (target ≥ 0.8) {verdict}")
    print(f"  clicks counted: {counted:,} for {sent:,} timed redirects (plus warm-up)")


if __name__ == "__main__":
    main()

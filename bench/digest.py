"""Weekly digest throughput and memory, against plain smtplib, to the same local SMTP sink.

    .venv/bin/python bench/digest.py                 # 1,000 and 10,000 ambassadors
    .venv/bin/python bench/digest.py --sizes 500     # a quick look

For each size, in one run: a fresh SQLite database in a temporary folder gets that many
ambassadors, some posts, shares and clicks. Then, taking turns on fifths of the ambassadors,
  1. plain smtplib sends the same pre-rendered digests over one connection, and
  2. the real pipeline (dispatcher → batches: build, claim, send, mark) sends the digests;
  3. the pipeline runs once more for everyone under tracemalloc for its peak memory.
The SMTP sink (aiosmtpd) runs in its own process. Targets (DESIGN.md): throughput ratio
≥ 0.5, peak memory at 10,000 ≤ 1.5 × at 1,000, SQL queries growing with batches only.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import smtplib
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_sink(port: int, received, ready) -> None:
    """A separate process, so the sink's work does not share the sender's interpreter."""
    import asyncio  # noqa: F401 - aiosmtpd needs the loop policy set up in this process

    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(var_dir: str, port: int) -> None:
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["PORTAL_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    import django
    from django.conf import settings

    django.setup()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_data(size: int, now) -> None:
    from ambassadors.models import (
        Ambassador,
        Click,
        Department,
        DigestDelivery,
        DigestRun,
        Item,
        Share,
        SiteSettings,
        Topic,
        TrackedLink,
        User,
    )
    from ambassadors.tests.digest_data import bulk_ambassadors

    DigestDelivery.objects.all().delete()
    DigestRun.objects.all().delete()
    Ambassador.objects.all().delete()
    User.objects.all().delete()
    site = SiteSettings.load()
    site.digest_send_hour = 0
    site.digests_enabled = True
    site.save()
    rng = random.Random(size)
    topics = [Topic.objects.get_or_create(slug=f"t{n}", name=f"Topic {n}")[0] for n in range(4)]
    departments = [Department.objects.get_or_create(name=f"Dept {n}")[0] for n in range(3)]
    if not Item.objects.exists():
        for n in range(24):
            item = Item.objects.create(
                slug=f"post-{n}",
                title=f"Post number {n}: what we did this week",
                body="We opened a new office. **Come and see it.** " * 6,
                language="en" if n % 3 else "nl",
                status=Item.Status.PUBLISHED,
                publish_at=now - timedelta(hours=3 * n + 1),
                is_featured=n == 5,
                is_urgent=n == 11,
            )
            item.topics.set([topics[n % 4]])
            if n % 5 == 0:
                item.audience.set([departments[n % 3]])
    weekday = now.isoweekday()
    people = bulk_ambassadors(size, prefix=f"s{size}-", time_zone="UTC", digest_weekday=weekday)
    Ambassador.objects.filter(pk__in=[a.pk for a in people[::2]]).update(department=departments[0])
    through = Ambassador.topics.through
    through.objects.bulk_create(
        [through(ambassador_id=a.pk, topic_id=topics[a.pk % 4].pk) for a in people[::3]],
        batch_size=1000,
    )
    items = list(Item.objects.all())
    Share.objects.bulk_create(
        [
            Share(
                ambassador=rng.choice(people),
                item=rng.choice(items),
                network="linkedin",
                created_at=now - timedelta(hours=rng.randint(1, 150)),
            )
            for _ in range(size // 2)
        ],
        batch_size=1000,
    )
    links = TrackedLink.objects.bulk_create(
        [
            TrackedLink(code=f"c{size}-{n}", ambassador=person, item=rng.choice(items))
            for n, person in enumerate(people[: size // 10])
        ],
        batch_size=1000,
    )
    if links and links[0].pk is None:
        links = list(TrackedLink.objects.filter(code__startswith=f"c{size}-"))
    Click.objects.bulk_create(
        [
            Click(link=rng.choice(links), at=now, day=now.date(), visitor_hash=f"v{n}")
            for n in range(size // 5)
        ],
        batch_size=1000,
    )


def prerender(now) -> list[tuple[str, bytes]]:
    from ambassadors.mail.digests.schedule import digest_recipients
    from ambassadors.mail.digests.selection import digests_build
    from ambassadors.mail.digests.sending import digest_message

    people = list(digest_recipients().select_related("user").order_by("pk"))
    rendered = []
    for start in range(0, len(people), 200):
        for digest in digests_build(ambassadors=people[start : start + 200], now=now):
            if digest.has_news:
                message = digest_message(digest=digest)
                # As Django's SMTP backend does: smtplib sends bytes as they are.
                data = message.message().as_bytes(linesep="\r\n")
                rendered.append((message.to[0], data))
    return rendered


def send_plain(port: int, messages: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, data in messages:
            smtp.sendmail("portal@localhost", [to], data)
    return time.perf_counter() - started


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run_pipeline(now) -> tuple[float, int, int]:
    """Dispatcher plus every batch, in this process (a worker would run the same calls)."""
    from django.db import connection

    from ambassadors.mail.digests.schedule import digest_dispatch
    from ambassadors.mail.digests.sending import digest_batch_send

    batches = 0

    def enqueue(run_id, period, ids, numbers):
        nonlocal batches
        batches += 1
        digest_batch_send(
            run_id=run_id, period=period, ambassador_ids=ids, numbers=numbers, now=now
        )

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        run = digest_dispatch(enqueue=enqueue, now=now, batch_size=200)
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    assert run.finished_at is not None, "run did not finish"
    return elapsed, batches, counter.count


def reset_deliveries() -> None:
    from ambassadors.models import DigestDelivery, DigestRun

    DigestDelivery.objects.all().delete()
    DigestRun.objects.all().delete()


ROUNDS = 5


def measure(size: int, port: int, received) -> dict:
    """Plain smtplib and the pipeline take turns on fifths of the ambassadors (ABBA order), so
    load from other work on the machine hits both alike; the times are summed."""
    from django.utils import timezone

    from ambassadors.models import Ambassador

    now = timezone.now()
    make_data(size, now)
    messages = prerender(now)
    count = len(messages)
    assert count == size, "everyone should have news in this data set"
    ids = list(Ambassador.objects.order_by("pk").values_list("pk", flat=True))
    today, other_day = now.isoweekday(), now.isoweekday() % 7 + 1
    Ambassador.objects.update(digest_weekday=other_day)

    plain_seconds = digest_seconds = 0.0
    batches = queries = 0
    step = -(-size // ROUNDS)
    for round_ in range(ROUNDS):
        part = slice(round_ * step, (round_ + 1) * step)
        Ambassador.objects.filter(pk__gte=ids[part][0], pk__lte=ids[part][-1]).update(
            digest_weekday=today
        )
        before = received.value
        for turn in ("plain", "digest") if round_ % 2 == 0 else ("digest", "plain"):
            if turn == "plain":
                plain_seconds += send_plain(port, messages[part])
            else:
                elapsed, round_batches, round_queries = run_pipeline(now)
                digest_seconds += elapsed
                batches += round_batches
                queries += round_queries
        assert received.value - before == 2 * len(messages[part]), "sink missed messages"
    del messages

    reset_deliveries()
    tracemalloc.start()
    tracemalloc.reset_peak()
    run_pipeline(now)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    reset_deliveries()
    return {
        "size": size,
        "sent": count,
        "plain_rate": count / plain_seconds,
        "digest_rate": count / digest_seconds,
        "ratio": plain_seconds / digest_seconds,
        "peak_mb": peak / 1e6,
        "batches": batches,
        "queries": queries,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    port = free_port()
    received = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(port, received, ready), daemon=True)
    sink.start()
    ready.wait(30)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-digest-") as var_dir:
            setup_django(var_dir, port)
            results = [measure(size, port, received) for size in sizes]
    finally:
        sink.terminate()

    print(
        f"{'ambassadors':>11} {'sent':>6} {'smtplib/s':>10} {'digests/s':>10} "
        f"{'ratio':>6} {'peak MB':>8} {'batches':>8} {'queries':>8} {'q/batch':>8}"
    )
    for r in results:
        print(
            f"{r['size']:>11,} {r['sent']:>6,} {r['plain_rate']:>10.0f} {r['digest_rate']:>10.0f} "
            f"{r['ratio']:>6.2f} {r['peak_mb']:>8.1f} {r['batches']:>8} {r['queries']:>8} "
            f"{r['queries'] / max(r['batches'], 1):>8.1f}"
        )
    ok = all(r["ratio"] >= 0.5 for r in results)
    print(f"throughput ratio ≥ 0.5 at every size: {'yes' if ok else 'NO'}")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        growth = large["peak_mb"] / small["peak_mb"]
        print(
            f"peak memory {large['size']:,} / {small['size']:,}: {growth:.2f} "
            f"(target ≤ 1.5: {'yes' if growth <= 1.5 else 'NO'})"
        )
        ok = ok and growth <= 1.5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

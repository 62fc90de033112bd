"""The reports page, the leaderboard and an item's drill-down at 1,000,000 clicks and
100,000 shares, against the same pages at 1,000 clicks and 100 shares, in one run on one
database. After each fill the daily rollups are built for every past day (as
``manage.py rebuild_rollups`` does after a restore); the time to build them is printed.
``BENCH_NO_ROLLUPS=1`` measures the raw-rows path instead (the figures before rollups).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/reports.py

Without DATABASE_URL it runs on SQLite in a file in var/, as the embedded default does
(WAL, the same connection options; ``BENCH_SQLITE_MEMORY=1`` uses Django's in-memory test
database instead, as the figures before 2026-12-01's third session did). It works in a
throw-away test database (test_<name>), filled with generate_series (PostgreSQL) or a
recursive CTE (SQLite), so a million rows take seconds, and prints the median time of each
page and the ratio large / small. Pages are requested through Django's test client: the
figure is the server's work (SQL + rendering), not the network.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from ambassadors.models import (  # noqa: E402
    Ambassador,
    Click,
    ClickDaily,
    Department,
    Item,
    Rollup,
    RollupState,
    Share,
    TrackedLink,
)

AMBASSADORS = 2_000
ITEMS = 500
LINKS = 20_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SMALL = {"shares": 100, "clicks": 1_000, "daily": 100}
LARGE = {
    "shares": int(os.environ.get("BENCH_SHARES", "100000")),
    "clicks": int(os.environ.get("BENCH_CLICKS", "1000000")),
    "daily": 20_000,
}
NETWORKS = ("linkedin", "x", "facebook", "whatsapp", "bluesky")


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def series(n: int) -> str:
    """SQL for a table g(n) of 1..n on either database."""
    if connection.vendor == "postgresql":
        return f"generate_series(1, {int(n)}) AS g(n)"
    return (
        "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "  # noqa: S608
        f"WHERE n < {int(n)}) SELECT n FROM s) AS g"
    )


def minutes_ago(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"(now() - ({expression}) * interval '1 minute')"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({expression}) || ' minutes')"


def local_day(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({expression}) AT TIME ZONE 'Europe/Amsterdam')::date"
    return f"date({expression}, '+1 hour')"


def network(expression: str) -> str:
    cases = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(NETWORKS))
    return f"CASE ({expression}) % {len(NETWORKS)} {cases} END"


def base_data() -> tuple[Client, Client]:
    departments = Department.objects.bulk_create(
        [Department(name=f"Department {n}") for n in range(12)]
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"a{n}@example.com", email=f"a{n}@example.com") for n in range(AMBASSADORS)]
    )
    Ambassador.objects.bulk_create(
        [
            Ambassador(
                user=user,
                department=departments[n % len(departments)],
                leaderboard_visible=n % 2 == 0,
                opted_in_at=timezone.now() - timezone.timedelta(days=400 - n % 300),
            )
            for n, user in enumerate(users)
        ]
    )
    Item.objects.bulk_create(
        [Item(title=f"Story {n}", slug=f"story-{n}", status="published") for n in range(ITEMS)]
    )
    a0 = Ambassador.objects.order_by("pk").first().pk
    i0 = Item.objects.order_by("pk").first().pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(TrackedLink)} (code, ambassador_id, item_id, network, created_at) "  # noqa: S608
            f"SELECT 'b' || g.n, {a0} + g.n % {AMBASSADORS}, {i0} + g.n / {AMBASSADORS}, "
            f"'linkedin', {minutes_ago('1')} FROM {series(LINKS)}"
        )
    comms = User.objects.create_user("comms@example.com", "comms@example.com", "x")
    comms.groups.add(Group.objects.get(name="Comms"))
    comms_client = Client()
    comms_client.force_login(comms)
    ambassador_client = Client()
    ambassador_client.force_login(users[0])
    return comms_client, ambassador_client


def fill(*, shares: int, clicks: int, daily: int) -> None:
    """Shares and clicks spread over the last year; daily totals for old, purged days."""
    Click.objects.all().delete()
    ClickDaily.objects.all().delete()
    Share.objects.all().delete()
    a0 = Ambassador.objects.order_by("pk").first().pk
    i0 = Item.objects.order_by("pk").first().pk
    l0 = TrackedLink.objects.order_by("pk").first().pk
    year = 365 * 24 * 60
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(Share)} (ambassador_id, item_id, network, created_at, post_url) "  # noqa: S608
            f"SELECT {a0} + (g.n * 7) % {AMBASSADORS}, {i0} + g.n % {ITEMS}, "
            f"{network('g.n')}, {minutes_ago(f'(g.n * 37) % {year}')}, '' FROM {series(shares)}"
        )
        at = minutes_ago(f"(g.n * 13) % {year - 2 * 24 * 60}")
        cursor.execute(
            f"INSERT INTO {table(Click)} (link_id, at, day, visitor_hash, is_bot, is_unique) "  # noqa: S608
            f"SELECT {l0} + g.n % {LINKS}, {at}, {local_day(at)}, 'v' || g.n, "
            f"g.n % 20 = 0, g.n % 3 = 0 AND g.n % 20 <> 0 FROM {series(clicks)}"
        )
        day = local_day(minutes_ago("(200 + g.n % 150) * 1440"))
        cursor.execute(
            f"INSERT INTO {table(ClickDaily)} (link_id, day, clicks, unique_clicks, bot_clicks) "  # noqa: S608
            f"SELECT {l0} + g.n % {LINKS}, {day}, 5, 2, 1 FROM {series(daily)} "
            f"WHERE g.n <= {LINKS}"
        )
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
    if not os.environ.get("BENCH_NO_ROLLUPS"):
        from ambassadors.reporting.rollups.build import (
            first_data_day,
            last_closed_day,
            rollups_build,
        )
        from ambassadors.reporting.rollups.reconcile import (
            planner_statistics_refresh,
        )

        Rollup.objects.all().delete()
        RollupState.objects.all().delete()
        started = time.perf_counter()
        rollups_build(start=first_data_day(), end=last_closed_day())
        print(f"  rollups built in {time.perf_counter() - started:.1f} s")
        # a live database has fresh planner statistics: PostgreSQL's autovacuum clears the
        # dead rows of the bulk delete and rebuild above and analyzes; on SQLite the nightly
        # reconciliation refreshes them (reporting/rollups/reconcile.py)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            planner_statistics_refresh()


def median_seconds(client: Client, url: str, params: dict) -> float:
    timings = []
    for _ in range(ROUNDS + 1):
        start = time.perf_counter()
        response = client.get(url, params)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code, content[:300])
    return statistics.median(timings[1:])  # the first round warms caches


def export_peak_mib(client: Client) -> tuple[int, float]:
    """Lines and peak Python memory while streaming the all-shares CSV."""
    tracemalloc.start()
    response = client.get("/studio/reports/all-shares.csv", {"period": "custom", **YEAR})
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return lines - 1, peak


today = timezone.localdate()
YEAR = {"start": (today - timezone.timedelta(days=364)).isoformat(), "end": today.isoformat()}
PAGES = [
    ("reports, last 30 days", "comms", "/studio/reports/", {"period": "30d"}),
    ("reports, last 365 days", "comms", "/studio/reports/", {"period": "custom", **YEAR}),
    ("leaderboard, all time", "ambassador", "/leaderboard/", {"period": "all", "by": "clicks"}),
    ("item drill-down, 365 days", "comms", "ITEM", {"period": "custom", **YEAR}),
    ("my impact", "ambassador", "/me/", {}),
]


def measure(clients: dict) -> dict[str, float]:
    # the item with the most links and clicks: the worst case for a drill-down
    item = f"/studio/reports/items/{Item.objects.order_by('pk').first().pk}/"
    return {
        name: median_seconds(clients[who], item if url == "ITEM" else url, params)
        for name, who, url, params in PAGES
    }


def profile(clients: dict) -> None:
    """BENCH_PROFILE=1: the three slowest queries of each page at the large size."""
    from django.test.utils import CaptureQueriesContext

    item = f"/studio/reports/items/{Item.objects.order_by('pk').first().pk}/"
    for name, who, url, params in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = clients[who].get(item if url == "ITEM" else url, params)
            if response.streaming:
                b"".join(response.streaming_content)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        print(f"  {name}: {len(queries)} queries")
        for query in slowest:
            print(f"    {float(query['time']):.3f} s  {query['sql'][:160]}")


def main() -> None:
    setup_test_environment()
    if connection.vendor == "sqlite" and not os.environ.get("BENCH_SQLITE_MEMORY"):
        var = Path(__file__).resolve().parent.parent / "var"
        var.mkdir(exist_ok=True)
        connection.settings_dict["TEST"]["NAME"] = str(var / "bench_reports.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        comms, ambassador = base_data()
        clients = {"comms": comms, "ambassador": ambassador}
        print(f"database: {connection.vendor}, {ROUNDS} rounds per page, median")
        results = {}
        for label, size in (("small", SMALL), ("large", LARGE)):
            started = time.perf_counter()
            fill(**size)
            print(
                f"{label}: {size['shares']:,} shares, {size['clicks']:,} clicks, "
                f"filled in {time.perf_counter() - started:.1f} s"
            )
            results[label] = measure(clients)
        if os.environ.get("BENCH_PROFILE"):
            profile(clients)
        print(f"{'page':<26}{'small (s)':>12}{'large (s)':>12}{'ratio':>9}")
        for name, *_rest in PAGES:
            small, large = results["small"][name], results["large"][name]
            print(f"{name:<26}{small:>12.3f}{large:>12.3f}{large / small:>9.1f}")
        lines, peak = export_peak_mib(comms)
        print(
            f"all-shares CSV at large: {lines:,} lines streamed, peak Python memory {peak:.1f} MiB"
        )
    finally:
        if not os.environ.get("BENCH_KEEP_DB"):  # keep it to EXPLAIN the queries afterwards
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

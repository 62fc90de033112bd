"""Feed latency with 10,000 live items against 100 (target: ratio ≤ 1.3).

Usage: DATABASE_URL=postgres://…/portal_bench REDIS_URL=redis://…/6 python bench/feed.py
The database is created when missing and its items are replaced on every run. Requests go
through Django's test client (the whole middleware stack, templates included) in this
process; the figure is the median of a bounded number of requests.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ensure_database, print_facts, require_services, setup_django

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
SMALL, LARGE = 100, 10_000


def make_items(start: int, count: int, *, topics, departments, author) -> None:
    from django.utils import timezone

    from ambassadors.models import Item, ShareText

    now = timezone.now()
    items = []
    for n in range(start, start + count):
        items.append(
            Item(
                slug=f"bench-{n}",
                title=f"Bench story number {n} about our work",
                link="https://example.com/news" if n % 3 else "",
                body="We opened a **new office**. Come and see it. " * 8,
                language="nl" if n % 2 else "en",
                status=Item.Status.PUBLISHED,
                publish_at=now - timedelta(minutes=n + 1),
                is_urgent=n % 997 == 0,
                is_featured=n % 101 == 0,
                author=author,
            )
        )
    Item.objects.bulk_create(items, batch_size=1000)
    created = list(Item.objects.filter(slug__in=[i.slug for i in items]).order_by("pk"))
    pairs = created[::2]
    for english, dutch in zip(created[1::2], pairs, strict=False):
        if english.language != dutch.language and english.pk % 5 == 0:
            dutch.translation_of_id = english.pk
    Item.objects.bulk_update(pairs, ["translation_of"], batch_size=1000)
    through = Item.topics.through
    through.objects.bulk_create(
        [through(item_id=i.pk, topic_id=topics[i.pk % len(topics)].pk) for i in created]
        + [
            through(item_id=i.pk, topic_id=topics[(i.pk + 3) % len(topics)].pk)
            for i in created[::4]
        ],
        batch_size=2000,
    )
    audience = Item.audience.through
    audience.objects.bulk_create(
        [
            audience(item_id=i.pk, department_id=departments[i.pk % len(departments)].pk)
            for i in created[::10]
        ],
        batch_size=2000,
    )
    ShareText.objects.bulk_create(
        [ShareText(item_id=i.pk, network="linkedin", text="Look at this.") for i in created]
        + [ShareText(item_id=i.pk, network="x", text="Short one.") for i in created[::3]],
        batch_size=2000,
    )


def measure(client) -> float:
    for _ in range(5):
        client.get("/")
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get("/")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    assert response.content.count(b'class="card item-card') == 20
    return statistics.median(timings) * 1000


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    require_services("DATABASE_URL")
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.db import connection
    from django.test import Client

    from ambassadors.models import Ambassador, Department, Guidelines, Item, Topic, User

    Item.objects.filter(slug__startswith="bench-").delete()
    topics = [
        Topic.objects.get_or_create(slug=f"bench-{n}", name=f"Bench {n}")[0] for n in range(10)
    ]
    departments = [Department.objects.get_or_create(name=f"Bench dept {n}")[0] for n in range(5)]
    user, _ = User.objects.get_or_create(
        username="bench-feed", defaults={"email": "bench-feed@example.com"}
    )
    guidelines = Guidelines.objects.order_by("-version").first() or Guidelines.objects.create(
        version=1, body_en="Be kind.", body_nl="Wees aardig."
    )
    ambassador, _ = Ambassador.objects.get_or_create(user=user)
    ambassador.guidelines_version = guidelines.version
    ambassador.language = "nl"
    ambassador.content_languages = "both"
    ambassador.department = departments[0]
    ambassador.save()
    ambassador.topics.set(topics[:2])

    client = Client()
    client.force_login(user)

    make_items(0, SMALL, topics=topics, departments=departments, author=user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    small = measure(client)
    make_items(SMALL, LARGE - SMALL, topics=topics, departments=departments, author=user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    large = measure(client)

    ratio = large / small
    print("bench/feed.py: feed page (/) for a bilingual ambassador, median of", REQUESTS)
    print_facts()
    print(f"  database: {connection.vendor}")
    print(f"  {SMALL:>6} live items: {small:7.2f} ms")
    print(f"  {LARGE:>6} live items: {large:7.2f} ms")
    print(
        f"  ratio {LARGE} / {SMALL}: {ratio:.2f} (target ≤ 1.3) {'OK' if ratio <= 1.3 else 'MISSED'}"
    )
    if not os.environ.get("BENCH_KEEP"):
        Item.objects.filter(slug__startswith="bench-").delete()


if __name__ == "__main__":
    main()

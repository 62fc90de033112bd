"""A small, fixed data set for the report tests, with every expected number worked out by
hand below (see EXPECTED). Times are local (Europe/Amsterdam, UTC+1 in March 2026)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from ambassadors.models import Click, ClickDaily, DigestDelivery, Share, TrackedLink
from ambassadors.tests.factories import (
    AmbassadorFactory,
    DepartmentFactory,
    ItemFactory,
    TrackedLinkFactory,
)

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 18, 10, 0, tzinfo=AMS)  # a Wednesday; "this month" = 1-18 March
LONG_AGO = datetime(2026, 1, 10, 9, 0, tzinfo=AMS)
EVIL_TITLE = '=HYPERLINK("https://evil.example/","Click me")'


def at(day: int, hour: int = 12, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


def build() -> dict:
    sales = DepartmentFactory(name="Sales")
    engineering = DepartmentFactory(name="Engineering")
    people = {
        "anna": AmbassadorFactory(
            user__first_name="Anna",
            user__last_name="Smit",
            department=sales,
            leaderboard_visible=True,
            opted_in_at=LONG_AGO,
        ),
        "bram": AmbassadorFactory(
            user__first_name="Bram",
            user__last_name="Hidden",
            department=engineering,
            opted_in_at=LONG_AGO,
        ),
        "chris": AmbassadorFactory(
            user__first_name="Chris",
            user__last_name="Open",
            leaderboard_visible=True,
            opted_in_at=LONG_AGO,
        ),
        # anonymised after account deletion: counts, never named
        "former": AmbassadorFactory(
            user=None, department=sales, opted_in_at=LONG_AGO, opted_out_at=at(10, 9)
        ),
        "dora": AmbassadorFactory(department=sales, opted_in_at=LONG_AGO),  # never shares
        "eve": AmbassadorFactory(opted_in_at=LONG_AGO, opted_out_at=at(1, 9, month=2)),
        "fay": AmbassadorFactory(opted_in_at=at(12, 9)),  # joined during the period
    }
    item_a = ItemFactory(live=True, title="Solar roofs", slug="solar-roofs")
    item_b = ItemFactory(live=True, title=EVIL_TITLE, slug="evil")
    p = people
    shares = [
        (p["anna"], item_a, "linkedin", at(2, 9)),
        (p["anna"], item_a, "linkedin", at(2, 18)),  # same day again: not a new share
        (p["anna"], item_a, "linkedin", at(3, 0, 30)),  # 2 March 23:30 UTC, 3 March here
        (p["anna"], item_a, "x", at(2, 10)),
        (p["bram"], item_a, "linkedin", at(5)),
        (p["chris"], item_b, "linkedin", at(10, 8)),
        (p["former"], item_b, "x", at(9, 8)),
        (p["anna"], item_b, "linkedin", at(28, 23, 30, month=2)),  # before the period
        (p["bram"], item_b, "linkedin", at(1, 0, 0)),  # first minute of the period
    ]
    Share.objects.bulk_create(
        [Share(ambassador=a, item=i, network=n, created_at=t) for a, i, n, t in shares]
    )
    Share.objects.create(
        ambassador=p["bram"], item=item_b, network="facebook", created_at=at(5), undone_at=at(5)
    )
    links = {
        "anna": TrackedLinkFactory(ambassador=p["anna"], item=item_a, network="linkedin"),
        "bram": TrackedLinkFactory(ambassador=p["bram"], item=item_a, network="linkedin"),
        "chris": TrackedLinkFactory(ambassador=p["chris"], item=item_b, network="linkedin"),
        "former": TrackedLinkFactory(ambassador=p["former"], item=item_b, network="x"),
    }
    clicks = [
        # link, local time, unique, bot
        ("anna", at(2, 11), True, False),
        ("anna", at(2, 12), True, False),
        ("anna", at(2, 13), False, False),
        ("anna", at(2, 14), False, True),  # a bot: never counts
        ("anna", at(3, 9), True, False),
        ("bram", at(5, 9), True, False),
        ("bram", at(5, 10), True, False),
        ("chris", at(10, 9), True, False),
        ("chris", at(27, 9, month=2), True, False),  # before the period
        ("former", at(9, 9), True, False),  # its day is in ClickDaily too: not twice
    ]
    Click.objects.bulk_create(
        [
            Click(
                link=links[name],
                at=when,
                day=when.date(),
                visitor_hash=f"v{n}",
                is_unique=unique,
                is_bot=bot,
            )
            for n, (name, when, unique, bot) in enumerate(clicks)
        ]
    )
    ClickDaily.objects.create(
        link=links["former"], day=date(2026, 3, 9), clicks=5, unique_clicks=3, bot_clicks=1
    )
    ClickDaily.objects.create(
        link=links["bram"], day=date(2026, 3, 1), clicks=2, unique_clicks=2, bot_clicks=0
    )
    deliveries = [
        ("anna", "sent", at(2, 8)),
        ("bram", "failed", at(9, 8)),
        ("chris", "unknown", at(16, 8)),
        ("dora", "sent", at(16, 8)),
        ("eve", "sent", at(23, 8, month=2)),  # before the period
    ]
    for name, status, when in deliveries:
        DigestDelivery.objects.create(
            ambassador=p[name], period=f"{when:%G-W%V}", status=status, claimed_at=when
        )
    return {"people": people, "items": {"a": item_a, "b": item_b}, "links": links}


# Worked out by hand from the rows above, for 1-18 March 2026 ("this month").
EXPECTED = {
    # (anna,A,linkedin,2/3) (anna,A,linkedin,3/3) (anna,A,x,2/3) (bram,A,linkedin,5/3)
    # (chris,B,linkedin,10/3) (former,B,x,9/3) (bram,B,linkedin,1/3)
    "shares": 7,
    # anna 3+1, bram 2 raw + 2 daily, chris 1, former 5-1 daily (raw 9/3 skipped)
    "clicks": 13,
    "unique_clicks": 11,
    "networks": [["LinkedIn", 5, 9, 8], ["X", 2, 4, 3]],
    "items": [["Solar roofs", 4, 8, 7], [EVIL_TITLE, 3, 5, 4]],
    "departments": [["Sales", 4, 8, 6], ["Engineering", 2, 4, 4], ["No department", 1, 1, 1]],
    # shared: anna, bram, chris, former; in the programme: those + dora + fay (not eve)
    "participation": [[4, 6, 67]],
    "days": {
        "2026-03-01": [1, 2, 2],
        "2026-03-02": [2, 3, 2],
        "2026-03-03": [1, 1, 1],
        "2026-03-05": [1, 2, 2],
        "2026-03-09": [1, 4, 3],
        "2026-03-10": [1, 1, 1],
    },
    "optins": [
        ["2026-02-23", 0, 0],
        ["2026-03-02", 0, 0],
        ["2026-03-09", 1, 1],
        ["2026-03-16", 0, 0],
    ],
    "digests": [["Sent", 2], ["Failed", 1], ["Not sure if sent", 1], ["Being sent", 0]],
}


def over_time_rows() -> list[list]:
    rows = []
    for day in range(1, 19):
        key = f"2026-03-{day:02d}"
        rows.append([key, *EXPECTED["days"].get(key, [0, 0, 0])])
    return rows


def bulk_activity(*, shares: int, items: int = 5, ambassadors: int = 20) -> None:
    """Many rows fast (bulk_create), for query-count tests."""
    people = [AmbassadorFactory(opted_in_at=LONG_AGO) for _ in range(ambassadors)]
    things = [ItemFactory(live=True) for _ in range(items)]
    Share.objects.bulk_create(
        [
            Share(
                ambassador=people[n % ambassadors],
                item=things[n % items],
                network=("linkedin", "x", "facebook")[n % 3],
                created_at=at(1 + n % 17, 9),
            )
            for n in range(shares)
        ],
        batch_size=500,
    )
    links = TrackedLink.objects.bulk_create(
        [
            TrackedLink(code=f"bulk{n:06d}", ambassador=people[n % ambassadors], item=thing)
            for n, thing in enumerate(things)
        ]
    )
    Click.objects.bulk_create(
        [
            Click(
                link=links[n % len(links)],
                at=at(1 + n % 17, 10),
                day=at(1 + n % 17, 10).date(),
                visitor_hash=f"b{n}",
                is_unique=n % 2 == 0,
            )
            for n in range(shares)
        ],
        batch_size=500,
    )

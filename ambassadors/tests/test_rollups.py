"""Rollups give exactly the numbers of README "How we count".

A seeded generator makes random shares (pressed twice, undone, confirmed again), clicks
(bots, repeat visitors, folded into daily totals) over ten weeks and several time zones.
Every report table, the leaderboard and my impact are compared three ways: a plain Python
count of the raw rows, the reports reading only raw rows, and the reports reading the
rollups (also after changes to days already rolled up). Then the reconciliation must find
nothing to repair, and must repair a day that was altered by hand.
"""

from __future__ import annotations

import random
import zoneinfo
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ambassadors.models import Click, ClickDaily, Rollup, RollupState, Share, TrackedLink
from ambassadors.reporting.activity import Scope, activity, rollup_kind
from ambassadors.reporting.impact import impact_for
from ambassadors.reporting.leaderboard import ambassador_board, department_board
from ambassadors.reporting.periods import (
    PRESETS,
    Period,
    period_for_preset,
    report_today,
    report_tz,
)
from ambassadors.reporting.rollups.build import horizon, rollups_refresh
from ambassadors.reporting.rollups.reconcile import rollups_reconcile
from ambassadors.reporting.tables import TABLES
from ambassadors.sharing import share_confirm, share_undo
from ambassadors.tests.factories import AmbassadorFactory, DepartmentFactory, ItemFactory
from ambassadors.tracking.click_store import PendingClick, clicks_fold_old, clicks_store

NETWORKS = ("linkedin", "x", "facebook")


@contextmanager
def raw_only():
    """Make the reports ignore the rollups (as if built for another time zone)."""
    state = RollupState.objects.get(pk=1)
    zone = state.time_zone
    RollupState.objects.filter(pk=1).update(time_zone="Nowhere/Else")
    try:
        yield
    finally:
        RollupState.objects.filter(pk=1).update(time_zone=zone)


def make_world(rng: random.Random, now: datetime) -> dict:
    departments = [DepartmentFactory(name=f"Dept {n}") for n in range(3)]
    people = [
        AmbassadorFactory(
            department=rng.choice([*departments, None]),
            leaderboard_visible=rng.random() < 0.5,
            opted_in_at=now - timedelta(days=120),
        )
        for _ in range(7)
    ]
    items = [ItemFactory(live=True, title=f"Item {n}", slug=f"item-{n}") for n in range(4)]
    first = now - timedelta(days=70)
    shares = []
    for _ in range(rng.randint(60, 140)):
        when = first + timedelta(minutes=rng.randint(0, 70 * 24 * 60))
        if rng.random() < 0.3:  # close to a midnight somewhere
            when = when.replace(minute=rng.choice([0, 1, 59]), hour=rng.choice([0, 23, 11, 12]))
        when = min(when, now)
        share = Share.objects.create(
            ambassador=rng.choice(people),
            item=rng.choice(items),
            network=rng.choice(NETWORKS),
            created_at=when,
            undone_at=when + timedelta(minutes=5) if rng.random() < 0.15 else None,
        )
        shares.append(share)
        if rng.random() < 0.2:  # pressed twice
            Share.objects.create(
                ambassador=share.ambassador,
                item=share.item,
                network=share.network,
                created_at=when + timedelta(minutes=rng.randint(1, 300)),
            )
    links = [
        TrackedLink.objects.create(code=f"c{n}", ambassador=p, item=i, network=net)
        for n, (p, i, net) in enumerate(
            {(rng.choice(people), rng.choice(items), rng.choice(NETWORKS)) for _ in range(14)}
        )
    ]
    pending = []
    for _ in range(rng.randint(200, 400)):
        when = first + timedelta(minutes=rng.randint(0, 70 * 24 * 60))
        pending.append(
            PendingClick(
                rng.choice(links).pk,
                min(when, now),
                f"visitor{rng.randint(0, 12)}",
                rng.random() < 0.1,
            )
        )
    clicks_store(pending)
    return {"people": people, "items": items, "links": links, "departments": departments}


def cells_from_raw() -> dict[tuple, list[int]]:
    """The plain count of README "How we count", in Python, from the raw rows."""
    tz = report_tz()
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    counted = {
        (timezone.localdate(s.created_at, tz), s.ambassador_id, s.item_id, s.network)
        for s in Share.objects.filter(undone_at__isnull=True)
    }
    for cell in counted:
        cells[cell][0] += 1
    folded = set(ClickDaily.objects.values_list("link_id", "day"))
    links = {link.pk: link for link in TrackedLink.objects.all()}
    for click in Click.objects.filter(is_bot=False):
        if (click.link_id, click.day) in folded:
            continue
        link = links[click.link_id]
        cell = cells[(click.day, link.ambassador_id, link.item_id, link.network)]
        cell[1] += 1
        cell[2] += int(click.is_unique)
    for row in ClickDaily.objects.all():
        link = links[row.link_id]
        cell = cells[(row.day, link.ambassador_id, link.item_id, link.network)]
        cell[1] += row.clicks - row.bot_clicks
        cell[2] += row.unique_clicks
    return cells


def python_totals(cells, period: Period | None, key) -> dict:
    from ambassadors.models import Ambassador

    departments = dict(Ambassador.objects.values_list("pk", "department_id"))
    result: Counter = Counter()
    for (day, ambassador, item, network), numbers in cells.items():
        if period is not None and not (period.start <= day <= period.end):
            continue
        k = key(day, ambassador, item, network, departments)
        for index, name in enumerate(("shares", "clicks", "unique_clicks")):
            result[(k, name)] += numbers[index]
    grouped: dict = defaultdict(dict)
    for (k, name), value in result.items():
        grouped[k][name] = value
    return {
        k: {m: n for m, n in v.items() if n}
        for k, v in grouped.items()
        if v.get("shares") or v.get("clicks")
    }


KEYS = {
    "network": lambda d, a, i, n, deps: n,
    "item": lambda d, a, i, n, deps: i,
    "department": lambda d, a, i, n, deps: deps[a],
    "ambassador": lambda d, a, i, n, deps: a,
    "total": lambda d, a, i, n, deps: 1,
}


def sql_totals(dimension: str, period: Period | None) -> dict:
    return {
        row["k0"]: {m: row[m] for m in ("shares", "clicks", "unique_clicks") if row[m]}
        for row in activity(dimension=dimension, period=period)
    }


def periods(today: date) -> list[Period | None]:
    return [
        None,
        *(period_for_preset(p, today=today) for p in PRESETS),
        Period(today - timedelta(days=60), today - timedelta(days=3)),
        Period(today.replace(day=1) - timedelta(days=40), today.replace(day=1) - timedelta(days=1)),
        # starts on the 12th: read as a month row minus the first eleven day rows
        Period((today.replace(day=1) - timedelta(days=45)).replace(day=12), today),
        Period(today - timedelta(days=69), today, step="week"),
        Period(today - timedelta(days=69), today, step="month"),
    ]


def everything(world: dict, today: date) -> dict:
    """Every report table, leaderboard and my impact, as plain values."""
    result = {}
    for period in periods(today)[1:]:
        for name, build in TABLES.items():
            table = build(period=period, top=0)
            result[(name, period)] = sorted(map(tuple, table.rows), key=repr)
    for ambassador in world["people"]:
        for scope in ("month", "all"):
            for metric in ("shares", "clicks"):
                result[("people", ambassador.pk, scope, metric)] = ambassador_board(
                    ambassador=ambassador, scope=scope, metric=metric
                )
                result[("departments", ambassador.pk, scope, metric)] = department_board(
                    ambassador=ambassador, scope=scope, metric=metric
                )
        impact = impact_for(ambassador=ambassador)
        result[("impact", ambassador.pk)] = {k: v for k, v in impact.items() if k != "month"}
    item = world["items"][0]
    for period in periods(today):
        for dimension in ("time", "network", "department", "ambassador"):
            if dimension == "time" and period is None:
                continue
            result[("item", dimension, period)] = list(
                activity(dimension=dimension, period=period, scope=Scope(item_id=item.pk))
            )
    return result


def check_against_python(today: date) -> None:
    cells = cells_from_raw()
    for period in periods(today):
        for dimension, key in KEYS.items():
            assert sql_totals(dimension, period) == python_totals(cells, period, key), (
                dimension,
                period,
            )


@pytest.mark.parametrize(
    ("seed", "zone", "month", "day"),
    [
        (1, "Europe/Amsterdam", 3, 18),
        (2, "America/New_York", 3, 18),
        (3, "Asia/Kolkata", 3, 18),
        (4, "Pacific/Auckland", 3, 18),
        (5, "Europe/Amsterdam", 1, 20),  # the data crosses New Year: year rows in use
    ],
)
def test_rollups_give_the_same_numbers_as_the_raw_rows(db, settings, seed, zone, month, day):
    settings.TIME_ZONE = zone
    settings.CLICK_RETENTION_DAYS = 40
    rng = random.Random(seed)
    now = datetime(2026, month, day, 10, 30, tzinfo=zoneinfo.ZoneInfo(zone))
    with time_machine.travel(now, tick=False):
        world = make_world(rng, now)
        clicks_fold_old()  # the oldest raw clicks become daily totals
        today = report_today()
        check_against_python(today)  # the raw path itself counts as README says
        assert horizon() is None
        raw = everything(world, today)

        rollups_refresh()
        assert horizon() == today - timedelta(days=1)
        assert Rollup.objects.filter(grain="m").exists()
        assert Rollup.objects.filter(grain="y").exists()
        check_against_python(today)
        assert everything(world, today) == raw

        # changes to days already rolled up: undo, redo, a share logged late, late
        # clicks, and retention folding more raw clicks
        past = list(Share.objects.filter(created_at__lt=now - timedelta(days=2)))
        for share in rng.sample(past, 8):
            if share.undone_at is None:
                share_undo(share=share)
            else:
                share_confirm(share=share)
        late = [
            PendingClick(
                rng.choice(world["links"]).pk,
                now - timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600)),
                f"late{rng.randint(0, 3)}",
                rng.random() < 0.2,
            )
            for _ in range(25)
        ]
        clicks_store(late)
        settings.CLICK_RETENTION_DAYS = 20
        clicks_fold_old()
        # people move department; a department is deleted (its people get none)
        for person in world["people"][:3]:
            person.refresh_from_db()
            person.department = rng.choice([*world["departments"][1:], None])
            person.save()
        world["departments"][0].delete()
        check_against_python(today)
        changed = everything(world, today)
        with raw_only():
            assert everything(world, today) == changed

        assert rollups_reconcile().repaired_days == []

    # the next day: yesterday is rolled up too, the numbers stay the same
    with time_machine.travel(now + timedelta(days=1), tick=False):
        assert rollups_refresh() == 1
        check_against_python(report_today())


def test_reconciliation_repairs_an_altered_day(db, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    now = datetime(2026, 3, 18, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(now, tick=False):
        make_world(random.Random(7), now)
        rollups_refresh()
        today = report_today()
        weeks = Period(today - timedelta(days=80), today, step="week")  # read from day rows
        before = list(activity(dimension="time", period=weeks))
        kind = rollup_kind(dimension="time", scope=Scope())
        row = (
            Rollup.objects.filter(kind=kind, grain="d", shares__gt=0, day__gte=today.replace(day=1))
            .order_by("day")
            .first()
        )
        day = row.day
        Rollup.objects.filter(pk=row.pk).update(shares=row.shares + 5)
        assert list(activity(dimension="time", period=weeks)) != before

        result = rollups_reconcile()

        assert result.repaired_days == [day]
        assert list(activity(dimension="time", period=weeks)) == before
        assert rollups_reconcile().repaired_days == []
        state = RollupState.objects.get(pk=1)
        assert state.repaired_days == 0
        assert state.reconciled_days > 60


def test_rebuild_command_builds_a_range_with_a_progress_bar(db, settings, capsys):
    settings.TIME_ZONE = "Europe/Amsterdam"
    now = datetime(2026, 3, 18, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(now, tick=False):
        make_world(random.Random(9), now)
        call_command("rebuild_rollups", "--chunk-days", "10")
        err = capsys.readouterr().err
        assert "100%" in err
        assert horizon() == date(2026, 3, 17)
        expected = Rollup.objects.count()
        Rollup.objects.filter(day__gte=date(2026, 2, 1)).delete()
        call_command("rebuild_rollups", "--start", "2026-02-01", "--end", "2026-03-17")
        assert Rollup.objects.count() == expected


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("coarsest", ["y", "m", "d"])
def test_the_rows_read_for_a_period_add_up_to_each_of_its_days_once(signed, coarsest):
    """The plan of rows behind every period (year, month and day rows, some subtracted)
    counts each day of the period exactly once and no other day, whatever the horizon."""
    from ambassadors.reporting.plan import _cover, _next_unit

    rng = random.Random(11)
    for _ in range(400):
        through = date(2024, 1, 1) + timedelta(days=rng.randint(0, 3 * 365))
        start = through - timedelta(days=rng.randint(0, 800))
        end = start + timedelta(days=rng.randint(0, (through - start).days))
        counted: dict[date, int] = defaultdict(int)
        for part in _cover(start, end, grain=coarsest, through=through, signed=signed):
            spans = [(part.first, part.last)]
            if part.grain != "d":  # a year or month row holds its days up to the horizon
                spans, unit = [], part.first
                while unit <= part.last:
                    after = _next_unit(part.grain, unit)
                    spans.append((unit, min(after - timedelta(days=1), through)))
                    unit = after
            for first, last in spans:
                for n in range((last - first).days + 1):
                    counted[first + timedelta(days=n)] += part.sign
        assert {day: n for day, n in counted.items() if n} == {
            start + timedelta(days=n): 1 for n in range((end - start).days + 1)
        }, (start, end, through)


def test_year_rows_come_from_the_upgrade_and_are_reconciled(db, settings):
    """Rollups built before year rows existed get them from migration 0021; an altered
    year row is repaired by the nightly reconciliation."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps as django_apps
    from django.db import connection

    settings.TIME_ZONE = "Europe/Amsterdam"
    now = datetime(2026, 1, 20, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(now, tick=False):
        make_world(random.Random(5), now)
        rollups_refresh()
        built = sorted(Rollup.objects.filter(grain="y").values_list(*YEAR_ROW))
        assert {row[1] for row in built} == {date(2025, 1, 1), date(2026, 1, 1)}
        Rollup.objects.filter(grain="y").delete()
        migration = importlib.import_module("ambassadors.migrations.0021_rollup_years")
        migration.add_years(django_apps, SimpleNamespace(connection=connection))
        assert sorted(Rollup.objects.filter(grain="y").values_list(*YEAR_ROW)) == built

        row = Rollup.objects.filter(grain="y", kind="i", shares__gt=0).first()
        Rollup.objects.filter(pk=row.pk).update(shares=row.shares + 3)
        result = rollups_reconcile()
        assert result.repaired_years == [row.day]
        assert sorted(Rollup.objects.filter(grain="y").values_list(*YEAR_ROW)) == built
        assert rollups_reconcile().repaired_years == []


YEAR_ROW = (
    "kind",
    "day",
    "ambassador_id",
    "item_id",
    "network",
    "department_id",
    "shares",
    "presses",
    "clicks",
    "unique_clicks",
)


def test_the_nightly_reconciliation_refreshes_sqlite_planner_statistics(db, settings):
    """SQLite keeps no planner statistics of its own; without them the reports read whole
    kinds of rollup rows through the wrong index. PostgreSQL's autovacuum keeps its own."""
    from django.db import connection

    settings.TIME_ZONE = "Europe/Amsterdam"
    now = datetime(2026, 3, 18, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(now, tick=False):
        make_world(random.Random(3), now)
        rollups_refresh()
        rollups_reconcile()
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = %s", [Rollup._meta.db_table])
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"rollup_item_day", "rollup_amb_day"} <= indexes


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_rankings_read_from_one_row_per_person_match_the_full_ranking(db, settings, seed):
    """The leaderboard and my impact read the top from the index on the total (or this
    month's) rows and add only today's raw activity. With more people than places, many
    ties, leavers, and today's shares and clicks that reorder the top, every board and
    every viewer's place equals the full ranking over the raw rows."""
    from ambassadors.models import Ambassador
    from ambassadors.reporting.periods import month_so_far
    from ambassadors.reporting.plan import rollup_single_row
    from ambassadors.reporting.ranking import ranked

    settings.TIME_ZONE = "Europe/Amsterdam"
    rng = random.Random(seed)
    now = datetime(2026, 3, 18, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(now, tick=False):
        people = [AmbassadorFactory(opted_in_at=now - timedelta(days=120)) for _ in range(24)]
        items = [ItemFactory(live=True) for _ in range(3)]
        for person in people:
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):  # few numbers: many ties
                Share.objects.create(
                    ambassador=person,
                    item=rng.choice(items),
                    network=rng.choice(NETWORKS),
                    created_at=now - timedelta(days=rng.choice([1, 3, 20, 40])),
                )
        links = [
            TrackedLink.objects.create(code=f"r{n}", ambassador=p, item=items[0], network="x")
            for n, p in enumerate(people)
        ]
        clicks_store(
            [
                PendingClick(
                    rng.choice(links).pk,
                    now - timedelta(days=rng.choice([1, 2, 30])),
                    f"v{n}",
                    False,
                )
                for n in range(60)
            ]
        )
        rollups_refresh()
        # today: a few people catch up or overtake, one of them from nothing
        for person in rng.sample(people, 6):
            Share.objects.create(
                ambassador=person, item=items[1], network="linkedin", created_at=now
            )
        clicks_store([PendingClick(rng.choice(links).pk, now, f"t{n}", False) for n in range(12)])
        people[0].opted_out_at = now  # leavers are never ranked, wherever they stand
        people[0].save()
        people[1].user.is_active = False
        people[1].user.save()

        month = month_so_far()
        for period in (None, month):  # both are read from one row per person
            assert rollup_single_row(period=period, through=horizon()) is not None
        cases = [
            (period, metric, limit, viewer.pk)
            for period in (None, month)
            for metric in ("shares", "clicks")
            for limit in (0, 1, 3, 10)
            for viewer in Ambassador.objects.order_by("pk")
        ]

        def rankings():
            return [
                ranked(
                    dimension="ambassador",
                    period=period,
                    metric=metric,
                    limit=limit,
                    include_key=viewer,
                )
                for period, metric, limit, viewer in cases
            ]

        from_rows = rankings()
        with raw_only():
            full = rankings()
        assert any(row["in_top"] > 3 for rows in full for row in rows)  # ties at the cut
        for case, fast, slow in zip(cases, from_rows, full, strict=True):
            assert fast == slow, case


def test_clicks_go_into_the_rollups_as_they_are_stored(db, settings):
    """Once the days after the horizon are open, the click flush adds each human click to
    the rollups of its day at once (bots never), today's shares stay raw, the reports read
    today's clicks from the rollups only, the nightly comparison finds nothing to repair,
    and the open day becomes a whole day the next night with the same numbers."""
    from ambassadors.reporting.rollups.build import rollups_open

    settings.TIME_ZONE = "Europe/Amsterdam"
    zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
    now = datetime(2026, 3, 18, 10, 30, tzinfo=zone)
    with time_machine.travel(now, tick=False):
        world = make_world(random.Random(13), now)
        rollups_refresh()
        assert RollupState.objects.get(pk=1).open_clicks
        today = report_today()
        link = world["links"][0]
        day = Period(today, today)
        before = sql_totals("total", day).get(1, {})
        cell = {
            "kind": "ai",
            "grain": "d",
            "day": today,
            "ambassador_id": link.ambassador_id,
            "item_id": link.item_id,
            "network": link.network,
        }
        had = Rollup.objects.filter(**cell).values_list("clicks", flat=True).first() or 0
        Share.objects.create(
            ambassador=link.ambassador, item=link.item, network=link.network, created_at=now
        )
        clicks_store(
            [
                PendingClick(link.pk, now, "someone-new", False),
                PendingClick(link.pk, now, "a-crawler", True),
            ]
        )
        row = Rollup.objects.get(**cell)
        assert (row.shares, row.clicks) == (0, had + 1)  # shares of an open day stay raw
        after = sql_totals("total", day)[1]
        assert after["clicks"] == before.get("clicks", 0) + 1
        assert after["shares"] >= 1
        check_against_python(today)
        result = rollups_reconcile()
        assert (result.repaired_days, result.repaired_months, result.repaired_years) == (
            [],
            [],
            [],
        )
        assert not result.repaired_totals

        # today's clicks are read from the rollups alone (proof: drop the raw rows)
        Click.objects.filter(day=today).delete()
        assert sql_totals("total", day)[1]["clicks"] == after["clicks"]
        # after a time zone change the rollups are built again and opened in the new zone
        settings.TIME_ZONE = "Europe/London"
        rollups_refresh()
        state = RollupState.objects.get(pk=1)
        assert (state.time_zone, state.open_clicks) == ("Europe/London", True)
        check_against_python(report_today())
        settings.TIME_ZONE = "Europe/Amsterdam"

    with time_machine.travel(now + timedelta(days=1), tick=False):
        Rollup.objects.all().delete()
        RollupState.objects.all().delete()
        rollups_refresh()
        rollups_open()  # nothing left to open: the same state
        assert RollupState.objects.get(pk=1).open_clicks
        check_against_python(report_today())
        assert rollups_reconcile().repaired_days == []


def test_a_full_flush_batch_goes_into_the_rollups(db, settings):
    """A flush batch of a thousand clicks on a thousand links (about 15,000 rollup rows to
    add to) goes into the rollups in statements every database accepts (SQLite's default
    limit is 32,766 parameters in one; Debian's build allows more), with the same numbers
    as the raw rows."""
    import inspect

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ambassadors.tracking.clicks import clicks_flush

    assert inspect.signature(clicks_flush).parameters["batch_size"].default == 1000

    settings.TIME_ZONE = "Europe/Amsterdam"
    now = datetime(2026, 3, 18, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(now, tick=False):
        people = [AmbassadorFactory() for _ in range(40)]
        items = [ItemFactory(live=True) for _ in range(25)]
        links = TrackedLink.objects.bulk_create(
            TrackedLink(code=f"f{n}", ambassador=people[n % 40], item=items[n // 40], network="x")
            for n in range(1000)
        )
        Share.objects.create(
            ambassador=people[0], item=items[0], network="x", created_at=now - timedelta(days=3)
        )
        rollups_refresh()
        assert RollupState.objects.get(pk=1).open_clicks
        with CaptureQueriesContext(connection) as queries:
            stored = clicks_store(
                [PendingClick(link.pk, now, f"visitor{n}", False) for n, link in enumerate(links)]
            )
        assert stored == 1000
        upserts = [q["sql"] for q in queries.captured_queries if "ON CONFLICT" in q["sql"]]
        assert len(upserts) == 5  # 4,300-odd rows, at most 1,000 (11,000 parameters) each
        assert Rollup.objects.get(kind="n", grain="t").clicks == 1000
        check_against_python(report_today())

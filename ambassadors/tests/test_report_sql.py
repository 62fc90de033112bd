"""Every hand-written SQL builder of the reports (ambassadors/reporting/sql.py), on the database
at hand: SQLite in a plain run, PostgreSQL in CI's services run. The SQL is glued together
from compiled querysets, so each dialect must run it; the PostgreSQL test below makes sure CI
always covers that dialect. Expected numbers come from report_data (worked out by hand), read
from the raw rows only and again with the rollups built up to yesterday."""

from datetime import date

import pytest
import time_machine
from django.db import connection

from ambassadors.reporting import sql as report_sql
from ambassadors.reporting.activity import Scope, activity, activity_sql, activity_totals
from ambassadors.reporting.drilldowns import colleagues_who_shared, visible_people
from ambassadors.reporting.exports import share_lines
from ambassadors.reporting.periods import Period, as_date
from ambassadors.reporting.ranking import ranked
from ambassadors.reporting.rollups.build import horizon, raw_cells_sql, rollups_refresh
from ambassadors.tests import report_data
from ambassadors.tests.report_data import EVIL_TITLE, EXPECTED, NOW

MARCH = Period(date(2026, 3, 1), date(2026, 3, 18))


def check_builders(*, rolled: bool) -> None:
    data = report_data.build()
    if rolled:
        rollups_refresh()
        assert horizon() == date(2026, 3, 17)
    people, items = data["people"], data["items"]

    # activity_union (through activity_sql) and fetch_rows
    sql, params, keys = activity_sql(dimension="network", period=MARCH)
    assert keys == ["k0"]
    rows = sorted(report_sql.fetch_rows(sql, params), key=lambda row: row["k0"])
    assert [(r["k0"], r["shares"], r["clicks"], r["unique_clicks"]) for r in rows] == [
        ("linkedin", 5, 9, 8),
        ("x", 2, 4, 3),
    ]
    assert activity_totals(period=MARCH) == {
        "shares": EXPECTED["shares"],
        "clicks": EXPECTED["clicks"],
        "unique_clicks": EXPECTED["unique_clicks"],
    }

    # labelled_activity: item titles, department names (department_name, table, column)
    assert [
        (r["title"], r["shares"], r["clicks"], r["unique_clicks"])
        for r in activity(dimension="item", period=MARCH)
    ] == [("Solar roofs", 4, 8, 7), (EVIL_TITLE, 3, 5, 4)]
    assert [
        (r["name"], r["shares"], r["clicks"], r["unique_clicks"])
        for r in activity(dimension="department", period=MARCH)
    ] == [("Sales", 4, 8, 6), ("Engineering", 2, 4, 4), (None, 1, 1, 1)]
    assert [r["title"] for r in activity(dimension="item", period=MARCH, limit=1)] == [
        "Solar roofs"
    ]
    days = {
        r["k0"].isoformat(): [r["shares"], r["clicks"], r["unique_clicks"]]
        for r in activity(dimension="time", period=MARCH)
    }
    assert days == EXPECTED["days"]

    # ranked_sql: window functions; the anonymised former ambassador is never ranked
    board = ranked(
        dimension="ambassador", period=MARCH, metric="shares", limit=10, include_key=None
    )
    assert [(r["k0"], r["place"], r["shares"], r["in_top"]) for r in board] == [
        (people["anna"].pk, 1, 3, 3),
        (people["bram"].pk, 2, 2, 3),
        (people["chris"].pk, 3, 1, 3),
    ]
    assert [(r["first_name"], bool(r["visible"])) for r in board] == [
        ("Anna", True),
        ("Bram", False),
        ("Chris", True),
    ]
    cut = ranked(
        dimension="ambassador",
        period=MARCH,
        metric="shares",
        limit=1,
        include_key=people["chris"].pk,
    )
    assert [(r["k0"], r["place"], r["in_top"]) for r in cut] == [
        (people["anna"].pk, 1, 1),
        (people["chris"].pk, 3, 1),
    ]
    visible = ranked(
        dimension="ambassador",
        period=MARCH,
        metric="clicks",
        limit=10,
        include_key=None,
        only_visible=True,
    )
    assert [(r["k0"], r["clicks"]) for r in visible] == [
        (people["anna"].pk, 4),
        (people["chris"].pk, 1),
    ]
    departments = ranked(
        dimension="department", period=MARCH, metric="shares", limit=10, include_key=None
    )
    assert [(r["name"], r["place"], r["shares"]) for r in departments] == [
        ("Sales", 1, 4),
        ("Engineering", 2, 2),
    ]

    # visible_people_sql: named people who show their name, still in the programme
    assert [(r["name"], r["shares"]) for r in visible_people(period=MARCH, scope=Scope())] == [
        ("Anna Smit", 3),
        ("Chris Open", 1),
    ]

    # distinct_sharers: a person counts once per item, raw rows and rollups together
    assert colleagues_who_shared(item_ids=[items["a"].pk, items["b"].pk]) == {
        items["a"].pk: 2,
        items["b"].pk: 4,
    }
    assert colleagues_who_shared(
        item_ids=[items["a"].pk], exclude_ambassador_id=people["anna"].pk
    ) == {items["a"].pk: 1}

    # share_line_rows: the long export, sorted, one line per counted share
    assert list(share_lines(period=MARCH)) == [
        (date(2026, 3, 1), EVIL_TITLE, "linkedin", "Engineering", 1),
        (date(2026, 3, 2), "Solar roofs", "linkedin", "Sales", 2),
        (date(2026, 3, 2), "Solar roofs", "x", "Sales", 1),
        (date(2026, 3, 3), "Solar roofs", "linkedin", "Sales", 1),
        (date(2026, 3, 5), "Solar roofs", "linkedin", "Engineering", 1),
        (date(2026, 3, 9), EVIL_TITLE, "x", "Sales", 1),
        (date(2026, 3, 10), EVIL_TITLE, "linkedin", None, 1),
    ]

    # cells_union: the rollups' cells, counted from the raw rows as the reports count
    sql, params = raw_cells_sql(start=date(2026, 3, 2), end=date(2026, 3, 2))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cells = sorted(
            (as_date(d), a, i, n, int(s), int(p), int(c or 0), int(u or 0))
            for d, a, i, n, s, p, c, u in cursor.fetchall()
        )
    anna, solar = people["anna"].pk, items["a"].pk
    assert cells == [
        (date(2026, 3, 2), anna, solar, "linkedin", 1, 2, 3, 2),
        (date(2026, 3, 2), anna, solar, "x", 1, 1, 0, 0),
    ]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("rolled", [False, True], ids=["raw-rows", "rollups"])
def test_report_sql_on_the_database_at_hand(frozen, rolled):
    check_builders(rolled=rolled)


@pytest.mark.services("postgres")
@pytest.mark.django_db
@pytest.mark.parametrize("rolled", [False, True], ids=["raw-rows", "rollups"])
def test_report_sql_on_postgresql(frozen, rolled):
    assert connection.vendor == "postgresql"
    check_builders(rolled=rolled)

"""My impact: my shares, the clicks on my links per item and network, my place this month."""

import pytest
import time_machine

from ambassadors.models import Click, Share, TrackedLink
from ambassadors.reporting.rollups.build import horizon, rollups_refresh
from ambassadors.tests import report_data
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory
from ambassadors.tests.report_data import EVIL_TITLE, NOW, at

IMPACT_QUERIES = 13  # + the trend per month, the rollup horizon, the newest folded day


@pytest.fixture
def data(db):
    with time_machine.travel(NOW, tick=False):
        yield report_data.build()


def test_my_numbers(client_as, data):
    anna = data["people"]["anna"]
    with time_machine.travel(NOW, tick=False):
        response = client_as(anna.user).get("/me/")
    assert response.status_code == 200
    impact = response.context["impact"]
    assert impact["this_month"] == {"shares": 3, "clicks": 4, "unique_clicks": 3}
    assert impact["all_time"] == {"shares": 4, "clicks": 4, "unique_clicks": 3}
    assert [
        (r["title"], r["network"], r["shares"], r["clicks"], r["unique_clicks"])
        for r in impact["rows"]
    ] == [
        ("Solar roofs", "LinkedIn", 2, 4, 3),
        ("Solar roofs", "X", 1, 0, 0),
        (EVIL_TITLE, "LinkedIn", 1, 0, 0),
    ]
    assert impact["place"] == 1
    html = response.content.decode()
    assert '<dd id="month-shares">3</dd>' in html
    assert '<dd id="all-clicks">4</dd>' in html
    assert "This month you are in place 1 on the leaderboard." in html


@pytest.mark.parametrize("rolled_up", [False, True])
def test_my_trend_per_month(client_as, data, rolled_up):
    anna = data["people"]["anna"]
    with time_machine.travel(NOW, tick=False):
        if rolled_up:
            rollups_refresh()
            assert horizon() is not None
        response = client_as(anna.user).get("/me/")
    trend = [
        (r["label"], r["shares"], r["clicks"], r["unique_clicks"])
        for r in response.context["trend"]
    ]
    assert len(trend) == 12
    assert trend[0] == ("2025-04", 0, 0, 0)
    assert trend[-2:] == [("2026-02", 1, 0, 0), ("2026-03", 3, 4, 3)]
    html = response.content.decode()
    assert 'id="trend-table"' in html
    assert html.count("<svg ") == 4  # shares and clicks, each with a phone twin
    assert "<title>2026-03: 3</title>" in html


def test_clicks_from_daily_totals_count_on_my_page(client_as, data):
    bram = data["people"]["bram"]
    with time_machine.travel(NOW, tick=False):
        impact = client_as(bram.user).get("/me/").context["impact"]
    assert impact["all_time"] == {"shares": 2, "clicks": 4, "unique_clicks": 4}
    assert impact["place"] == 2  # hidden from others, but not from himself


def test_nothing_shared_yet(client_as, data):
    with time_machine.travel(NOW, tick=False):
        response = client_as(data["people"]["dora"].user).get("/me/")
    assert response.context["impact"]["place"] is None
    assert "You have not shared anything yet." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("items", [3, 30])
def test_impact_queries_do_not_grow_with_items(client_as, django_assert_num_queries, items):
    me = AmbassadorFactory()
    things = [ItemFactory(live=True) for _ in range(items)]
    Share.objects.bulk_create(
        [Share(ambassador=me, item=thing, network="x", created_at=at(2)) for thing in things]
    )
    links = TrackedLink.objects.bulk_create(
        [
            TrackedLink(code=f"me{n}", ambassador=me, item=t, network="x")
            for n, t in enumerate(things)
        ]
    )
    Click.objects.bulk_create(
        [Click(link=link, at=at(3), day=at(3).date(), visitor_hash="v") for link in links]
    )
    client = client_as(me.user)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(IMPACT_QUERIES):
        response = client.get("/me/")
    assert len(response.context["impact"]["rows"]) == items
    assert response.context["impact"]["this_month"]["clicks"] == items


@pytest.mark.django_db
def test_impact_is_for_ambassadors(client, client_as, employee):
    assert client.get("/me/")["Location"].startswith("/accounts/login/")
    assert client_as(employee).get("/me/")["Location"] == "/join/"


def test_people_who_left_still_see_their_own_impact(client_as, data):
    anna = data["people"]["anna"]
    from ambassadors.membership import ambassador_opt_out

    ambassador_opt_out(ambassador=anna)
    with time_machine.travel(NOW, tick=False):
        client = client_as(anna.user)
        response = client.get("/me/")
        home = client.get("/").content.decode()
    assert response.status_code == 200
    impact = response.context["impact"]
    assert impact["all_time"] == {"shares": 4, "clicks": 4, "unique_clicks": 3}
    html = response.content.decode()
    assert "You left the programme. Your numbers stay here for you" in html
    assert 'action="/rejoin/"' in html or "Join again" in html
    assert "on the leaderboard" not in html
    assert 'href="/me/"' in home  # the menu still leads there

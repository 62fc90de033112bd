"""Drill-downs from the reports: every number equals a hand count of the fixed data set
(report_data), each page costs the same queries for 10 or 1,000 shares, with or without
rollups, and only comms may open them."""

from datetime import date, timedelta

import pytest
import time_machine

from ambassadors.models import Ambassador, Department, Item
from ambassadors.reporting.rollups.build import horizon, rollups_refresh
from ambassadors.tests import report_data
from ambassadors.tests.report_data import EVIL_TITLE, NOW

DRILLDOWN_QUERIES = {"item": 12, "department": 13, "network": 10}  # incl. the newest folded day
THIS_MONTH = {"period": "this_month"}


@pytest.fixture
def data(db, now):
    return report_data.build()


def tables_of(response) -> dict:
    return {table.name: [list(row) for row in table.rows] for table in response.context["sections"]}


@pytest.fixture(params=["raw", "rollups"])
def mode(request, db, now):
    """Every drill-down test runs on the raw rows and again with the rollups built."""
    return request.param


def build_if(mode: str) -> None:
    if mode == "rollups":
        rollups_refresh()
        assert horizon() == date(2026, 3, 17)


def test_item_page_equals_the_hand_count(client_as, comms_user, data, mode):
    build_if(mode)
    item = data["items"]["a"]
    response = client_as(comms_user).get(f"/studio/reports/items/{item.pk}/", THIS_MONTH)
    assert response.status_code == 200
    assert response.context["totals"] == {"shares": 4, "clicks": 8, "unique_clicks": 7}
    tables = tables_of(response)
    assert tables["networks"] == [["LinkedIn", 3, 8, 7], ["X", 1, 0, 0]]
    assert tables["departments"] == [["Sales", 3, 4, 3], ["Engineering", 1, 4, 4]]
    # Bram did not switch his name on: he counts above, but is never listed
    assert tables["people"] == [["Anna Smit", 3, 4, 3]]
    days = {row[0]: row[1:] for row in tables["over-time"]}
    assert days["2026-03-01"] == [0, 2, 2]
    assert days["2026-03-02"] == [2, 3, 2]
    assert days["2026-03-03"] == [1, 1, 1]
    assert days["2026-03-05"] == [1, 2, 2]
    assert sum(row[1] for row in tables["over-time"]) == 4
    html = response.content.decode()
    assert "Bram" not in html
    assert html.count("<svg ") == 5  # 2 over time (+ their phone twins), networks


def test_department_page_equals_the_hand_count(client_as, comms_user, data, mode):
    build_if(mode)
    sales = Department.objects.get(name="Sales")
    response = client_as(comms_user).get(f"/studio/reports/departments/{sales.pk}/", THIS_MONTH)
    assert response.status_code == 200
    assert response.context["totals"] == {"shares": 4, "clicks": 8, "unique_clicks": 6}
    # anna and former shared; dora did not; former left during the period
    assert response.context["participation"] == {"shared": 2, "opted_in": 3, "percent": 67}
    tables = tables_of(response)
    assert tables["items"] == [["Solar roofs", 3, 4, 3], [EVIL_TITLE, 1, 4, 3]]
    days = {row[0]: row[1:] for row in tables["over-time"]}
    # shares, clicks, unique, who shared, joined
    assert days["2026-03-02"] == [2, 3, 2, 1, 0]
    assert days["2026-03-03"] == [1, 1, 1, 1, 0]
    assert days["2026-03-09"] == [1, 4, 3, 1, 0]
    assert days["2026-03-05"] == [0, 0, 0, 0, 0]


def test_network_page_equals_the_hand_count(client_as, comms_user, data, mode):
    build_if(mode)
    response = client_as(comms_user).get("/studio/reports/networks/x/", THIS_MONTH)
    assert response.status_code == 200
    assert response.context["totals"] == {"shares": 2, "clicks": 4, "unique_clicks": 3}
    tables = tables_of(response)
    assert tables["items"] == [[EVIL_TITLE, 1, 4, 3], ["Solar roofs", 1, 0, 0]]
    assert tables["departments"] == [["Sales", 2, 4, 3]]


def test_report_rows_link_to_their_drilldowns_with_the_same_period(client_as, comms_user, data):
    html = client_as(comms_user).get("/studio/reports/", THIS_MONTH).content.decode()
    item = data["items"]["a"]
    sales = Department.objects.get(name="Sales")
    assert f'href="/studio/reports/items/{item.pk}/?period=this_month&amp;top=10"' in html
    assert f'href="/studio/reports/departments/{sales.pk}/?period=this_month&amp;top=10"' in html
    assert 'href="/studio/reports/networks/linkedin/?period=this_month&amp;top=10"' in html


def test_drilldown_csv_links_are_not_shown(client_as, comms_user, data):
    item = data["items"]["a"]
    html = client_as(comms_user).get(f"/studio/reports/items/{item.pk}/").content.decode()
    assert ".csv" not in html


def test_only_the_reports_page_offers_the_top_list_length(client_as, comms_user, data):
    """The drill-downs share the reports page's period form, without its "how many" field
    (their lists have a fixed length)."""
    client = client_as(comms_user)
    item = data["items"]["a"]
    assert 'name="top"' in client.get("/studio/reports/").content.decode()
    for path in (f"/studio/reports/items/{item.pk}/", "/studio/reports/networks/linkedin/"):
        html = client.get(path).content.decode()
        assert 'name="period"' in html
        assert 'name="top"' not in html


@pytest.mark.parametrize(
    "path",
    ["/studio/reports/items/1/", "/studio/reports/departments/1/", "/studio/reports/networks/x/"],
)
def test_drilldowns_need_comms(client, client_as, ambassador, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client_as(ambassador.user).get(path).status_code == 403


def test_unknown_things_are_404(client_as, comms_user, db):
    client = client_as(comms_user)
    assert client.get("/studio/reports/items/999999/").status_code == 404
    assert client.get("/studio/reports/departments/999999/").status_code == 404
    assert client.get("/studio/reports/networks/myspace/").status_code == 404


def test_a_bad_period_is_400(client_as, comms_user, data):
    item = data["items"]["a"]
    response = client_as(comms_user).get(
        f"/studio/reports/items/{item.pk}/", {"period": "custom", "start": "2026-03-10"}
    )
    assert response.status_code == 400
    assert "sections" not in response.context


@pytest.mark.parametrize("shares", [10, 1000])
def test_drilldown_queries_do_not_grow_with_data(
    client_as, comms_user, mode, django_assert_num_queries, shares
):
    report_data.bulk_activity(shares=shares)
    department = report_data.DepartmentFactory(name="Bulk")
    Ambassador.objects.update(department=department)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        if mode == "rollups":
            rollups_refresh()
        client = client_as(comms_user)
        item = Item.objects.order_by("pk").first()
        pages = {
            "item": f"/studio/reports/items/{item.pk}/",
            "department": f"/studio/reports/departments/{department.pk}/",
            "network": "/studio/reports/networks/linkedin/",
        }
        for name, path in pages.items():
            with django_assert_num_queries(DRILLDOWN_QUERIES[name]):
                response = client.get(path, {"period": "30d"})
            assert response.status_code == 200, name
        assert response.context["totals"]["shares"] > 0


@pytest.mark.parametrize("rolled_up", [False, True])
def test_feed_cards_count_colleagues_who_shared_never_names(client_as, db, rolled_up):
    from ambassadors.models import Share
    from ambassadors.tests.factories import AmbassadorFactory, ItemFactory

    me = AmbassadorFactory()
    item = ItemFactory(live=True, title="Solar roofs", publish_at=NOW - timedelta(days=5))
    quiet = ItemFactory(live=True, title="Nobody shared", publish_at=NOW - timedelta(days=5))
    ann = AmbassadorFactory(user__first_name="Annemarie")
    bob = AmbassadorFactory(user__first_name="Bob")
    for who, when, undone in [
        (ann, NOW - timedelta(days=3), None),
        (ann, NOW - timedelta(days=2), None),  # the same person again: one colleague
        (bob, NOW - timedelta(hours=1), None),  # today: from the raw rows
        (me, NOW - timedelta(days=2), None),  # me: not a colleague
        (AmbassadorFactory(), NOW - timedelta(days=2), NOW),  # undone: does not count
    ]:
        Share.objects.create(
            ambassador=who, item=item, network="linkedin", created_at=when, undone_at=undone
        )
    with time_machine.travel(NOW, tick=False):
        if rolled_up:
            rollups_refresh()
        html = client_as(me.user).get("/").content.decode()
    assert html.count("2 colleagues shared this") == 1
    assert "colleague shared this" not in html.replace("colleagues shared this", "")
    assert "Annemarie" not in html
    assert "Bob" not in html
    assert quiet.title in html


@pytest.mark.parametrize("rolled_up", [False, True])
def test_studio_item_page_shows_its_own_numbers(client_as, comms_user, data, rolled_up):
    from ambassadors.tests.factories import ItemFactory

    if rolled_up:
        rollups_refresh()
    item = data["items"]["a"]
    html = client_as(comms_user).get(f"/studio/items/{item.pk}/").content.decode()
    assert '<dd id="item-shares">4</dd>' in html
    assert '<dd id="item-clicks">8</dd>' in html
    assert '<dd id="item-unique">7</dd>' in html
    assert f'href="/studio/reports/items/{item.pk}/?period=this_year"' in html
    draft = ItemFactory(title="Not out yet")
    assert (
        'id="item-shares"'
        not in client_as(comms_user).get(f"/studio/items/{draft.pk}/").content.decode()
    )

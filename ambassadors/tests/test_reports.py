"""Reports for comms: every number equals a hand count of a fixed data set, the CSV files
hold exactly what the page shows, and the page costs the same queries for 10 or 1,000 shares."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from ambassadors.reporting.activity import activity_totals
from ambassadors.reporting.charts import bar_chart, horizontal_bar_chart
from ambassadors.reporting.exports import neutralise
from ambassadors.reporting.periods import Period, period_for_preset
from ambassadors.reporting.tables import SCREEN_TABLES
from ambassadors.tests import report_data
from ambassadors.tests.report_data import EVIL_TITLE, EXPECTED

NOW = report_data.NOW  # where the `now` fixture stops time
REPORTS_URL = "/studio/reports/"
REPORT_QUERIES = 15  # + the rollup horizon, + the newest folded click day


@pytest.fixture
def data(db, now):
    return report_data.build()


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def tables_of(response) -> dict:
    return {table.name: table for table in response.context["sections"]}


@pytest.mark.django_db
def test_every_number_equals_the_hand_count(client_as, comms_user, data):
    response = client_as(comms_user).get(REPORTS_URL, {"period": "this_month"})
    assert response.status_code == 200
    tables = tables_of(response)
    assert response.context["totals"] == {
        "shares": EXPECTED["shares"],
        "clicks": EXPECTED["clicks"],
        "unique_clicks": EXPECTED["unique_clicks"],
    }
    assert tables["networks"].rows == EXPECTED["networks"]
    assert tables["items"].rows == EXPECTED["items"]
    assert tables["departments"].rows == EXPECTED["departments"]
    assert tables["participation"].rows == EXPECTED["participation"]
    assert tables["over-time"].rows == report_data.over_time_rows()
    assert tables["joined-and-left"].rows == EXPECTED["optins"]
    assert tables["weekly-emails"].rows == EXPECTED["digests"]
    html = response.content.decode()
    assert '<dd id="figure-shares">7</dd>' in html
    assert '<dd id="figure-clicks">13</dd>' in html
    assert '<dd id="figure-unique">11</dd>' in html
    assert '<dd id="figure-participation">4 / 6 (67%)</dd>' in html


@pytest.mark.django_db
def test_shares_and_clicks_add_up_across_tables(client_as, comms_user, data):
    """Each table splits the same totals: a share is never lost or counted twice."""
    tables = tables_of(client_as(comms_user).get(REPORTS_URL, {"period": "this_month"}))
    for name in ("networks", "departments", "over-time"):
        rows = tables[name].rows
        assert sum(row[1] for row in rows) == EXPECTED["shares"], name
        assert sum(row[2] for row in rows) == EXPECTED["clicks"], name
        assert sum(row[3] for row in rows) == EXPECTED["unique_clicks"], name


@pytest.mark.django_db
def test_the_page_shows_charts_with_a_text_alternative(client_as, comms_user, data):
    html = client_as(comms_user).get(REPORTS_URL, {"period": "this_month"}).content.decode()
    # two charts over time, each with its horizontal twin for phones, and the networks
    assert html.count("<svg ") == 5
    assert '<title id="chart-shares-title">Shares over time</title>' in html
    assert '<title id="chart-shares-narrow-title">Shares over time</title>' in html
    assert 'aria-labelledby="chart-shares-title chart-shares-desc"' in html
    assert "<title>2 Mar 2026: 2</title>" in html  # dates in the reader's language
    assert 'id="table-over-time"' in html
    assert "<script" not in html.split("<main")[1]  # no chart library, no inline script
    assert "style=" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCREEN_TABLES)
def test_csv_equals_the_table_on_screen(client_as, comms_user, data, name):
    client = client_as(comms_user)
    params = {"period": "custom", "start": "2026-03-01", "end": "2026-03-18", "top": "10"}
    table = tables_of(client.get(REPORTS_URL, params))[name]
    response = client.get(reverse("ambassadors:report_csv", args=[name]), params)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{name}-20260301-20260318.csv"'
    expected = [table.headers] + [[str(neutralise(cell)) for cell in row] for row in table.rows]
    assert read_csv(response) == expected
    assert table.rows  # the comparison is about real rows


@pytest.mark.django_db
def test_csv_neutralises_formulas(client_as, comms_user, data):
    response = client_as(comms_user).get("/studio/reports/items.csv", {"period": "this_month"})
    rows = read_csv(response)
    assert rows[2][0] == "'" + EVIL_TITLE
    assert rows[1] == ["Solar roofs", "4", "8", "7"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Plain title", "Plain title"),
        ("a=b", "a=b"),
        (-2, -2),
        (7, 7),
        (None, ""),
        (date(2026, 3, 1), "2026-03-01"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.django_db
def test_all_shares_export_has_one_line_per_counted_share(client_as, comms_user, data):
    response = client_as(comms_user).get("/studio/reports/all-shares.csv", {"period": "this_month"})
    rows = read_csv(response)
    assert rows[0] == ["Day", "Item", "Network", "Department", "Times pressed"]
    assert len(rows) - 1 == EXPECTED["shares"]
    assert rows[1] == ["2026-03-01", "'" + EVIL_TITLE, "LinkedIn", "Engineering", "1"]
    assert ["2026-03-02", "Solar roofs", "LinkedIn", "Sales", "2"] in rows
    assert all("Anna" not in cell for row in rows for cell in row)


@pytest.mark.django_db
def test_anonymised_ambassadors_count_but_are_never_named(client_as, comms_user, data):
    html = client_as(comms_user).get(REPORTS_URL, {"period": "this_month"}).content.decode()
    assert "former ambassador" not in html
    assert "Bram" not in html
    assert "Anna" not in html


@pytest.mark.django_db
def test_clicks_of_purged_days_come_from_daily_totals(data):
    period = Period(date(2026, 3, 9), date(2026, 3, 9))
    assert activity_totals(period=period) == {
        "shares": 1,
        "clicks": 4,
        "unique_clicks": 3,
    }


@pytest.mark.django_db
def test_a_longer_period_groups_by_week(client_as, comms_user, data):
    response = client_as(comms_user).get(REPORTS_URL, {"period": "this_year"})
    table = tables_of(response)["over-time"]
    assert table.headers[0] == "Week starting"
    assert table.rows[0][0] == "2025-12-29"
    by_week = {row[0]: row[1:] for row in table.rows}
    # 1 March is a Sunday: it belongs to the week of 23 February
    # shares: anna 28/2, bram 1/3; clicks: chris 27/2, bram's daily total of 1/3
    assert by_week["2026-02-23"] == [2, 3, 3]
    assert by_week["2026-03-02"] == [4, 6, 5]
    assert by_week["2026-03-09"] == [2, 5, 4]
    assert sum(row[1] for row in table.rows) == 8
    assert sum(row[2] for row in table.rows) == 14


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("7d", date(2026, 3, 12), date(2026, 3, 18)),
        ("30d", date(2026, 2, 17), date(2026, 3, 18)),
        ("this_month", date(2026, 3, 1), date(2026, 3, 18)),
        ("last_month", date(2026, 2, 1), date(2026, 2, 28)),
        ("this_quarter", date(2026, 1, 1), date(2026, 3, 18)),
        ("this_year", date(2026, 1, 1), date(2026, 3, 18)),
    ],
)
def test_presets(preset, start, end):
    period = period_for_preset(preset, today=date(2026, 3, 18))
    assert (period.start, period.end) == (start, end)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "before the end date"),
        ({"period": "custom", "start": "2026-03-10"}, "a start date and an end date"),
        ({"period": "custom", "start": "2010-01-01", "end": "2026-03-01"}, "five years or less"),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "valid date"),
        ({"period": "forever"}, "Select a valid choice"),
    ],
)
def test_a_wrong_period_gets_a_clear_error(client_as, comms_user, now, params, message):
    client = client_as(comms_user)
    response = client.get(REPORTS_URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "sections" not in response.context
    assert client.get("/studio/reports/items.csv", params).status_code == 400


@pytest.mark.django_db
def test_unknown_export_is_404(client_as, comms_user):
    assert client_as(comms_user).get("/studio/reports/passwords.csv").status_code == 404


def _report_queries(client, django_assert_num_queries):
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(REPORTS_URL, {"period": "this_month", "top": "0"})
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("shares", [10, 1000])
def test_report_queries_do_not_grow_with_shares(
    client_as, comms_user, now, django_assert_num_queries, shares
):
    report_data.bulk_activity(shares=shares)
    response = _report_queries(client_as(comms_user), django_assert_num_queries)
    assert response.context["totals"]["clicks"] == shares


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/studio/reports/", "/studio/reports/items.csv"])
def test_reports_need_comms(client, client_as, ambassador, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client_as(ambassador.user).get(url).status_code == 403


def test_charts_escape_labels_and_carry_a_title_and_description():
    svg = str(
        bar_chart(
            chart_id="c",
            title="Shares <b>",
            description="A & B",
            labels=["<script>", "b"],
            values=[4, 0],
        )
    )
    assert '<title id="c-title">Shares &lt;b&gt;</title>' in svg
    assert '<desc id="c-desc">A &amp; B</desc>' in svg
    assert "<script>" not in svg
    assert "<title>&lt;script&gt;: 4</title>" in svg
    assert svg.count("<rect ") == 4  # the wide chart and its phone twin


def test_charts_stay_legible_on_a_phone():
    """At 390 px a 360-unit chart keeps its 13-unit labels at about 13 px; the wide chart
    is swapped for its horizontal twin by the stylesheet, with no script."""
    from pathlib import Path

    from django.conf import settings

    svg = str(
        bar_chart(
            chart_id="c",
            title="Shares",
            description="d",
            labels=["2026-03-01", "2026-03-02-and-a-long-label"],
            values=[1, 2],
        )
    )
    assert '<svg class="chart chart-wide" id="c" viewBox="0 0 720 240"' in svg
    assert '<svg class="chart chart-narrow" id="c-narrow" viewBox="0 0 360 58"' in svg
    assert '<text class="chart-label" x="90" y="21" text-anchor="end">2026-03-01</text>' in svg
    assert "2026-03-02-a…</text>" in svg  # cut in the chart, whole in its title
    assert "<title>2026-03-02-and-a-long-label: 2</title>" in svg
    assert "<script" not in svg
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    assert ".chart-pair .chart-narrow { display: none; }" in css
    assert ".chart-label { fill: var(--ink); font-size: 13px; }" in css
    svg = str(
        horizontal_bar_chart(
            chart_id="h", title="t", description="d", labels=["LinkedIn"], values=[5]
        )
    )
    assert "<title>LinkedIn: 5</title>" in svg


@pytest.mark.django_db
def test_the_period_in_use_is_selected_when_the_page_opens(client_as, comms_user):
    page = client_as(comms_user).get(REPORTS_URL).content.decode()
    assert '<option value="30d" selected>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"), [("9999-12-25", "9999-12-31"), ("0001-01-01", "0001-01-05")]
)
def test_far_off_dates_get_a_clear_error(client_as, comms_user, start, end):
    response = client_as(comms_user).get(
        REPORTS_URL, {"period": "custom", "start": start, "end": end}
    )
    assert response.status_code == 400
    assert "Choose dates between 2000 and 2100." in response.content.decode()

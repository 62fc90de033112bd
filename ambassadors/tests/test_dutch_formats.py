"""Dutch that reads as Dutch: dates per language, names of topics and departments in both
languages, CSV that Dutch Excel splits, a time zone list people can use."""

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from ambassadors.models import Department, DigestRun, Topic
from ambassadors.reporting.exports import csv_delimiter
from ambassadors.reporting.tables import bucket_label
from ambassadors.templatetags.portal import day_month, short_datetime
from ambassadors.tests import report_data
from ambassadors.tests.factories import (
    AmbassadorFactory,
    DepartmentFactory,
    ItemFactory,
    TopicFactory,
)
from ambassadors.time_zones import (
    DEPRECATED_ZONES,
    canonical_zone,
    likely_zones,
    time_zone_choices,
    zone_label,
)

LATE_NOVEMBER = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam


@pytest.mark.parametrize(
    ("language", "day", "when", "bucket", "month"),
    [
        ("en", "30 Nov", "30 Nov 2026, 23:30", "30 Nov 2026", "November 2026"),
        ("nl", "30 nov", "30 nov 2026, 23:30", "30 nov 2026", "november 2026"),
    ],
)
def test_dates_per_language(language, day, when, bucket, month):
    with translation.override(language):
        assert day_month(LATE_NOVEMBER) == day
        assert short_datetime(LATE_NOVEMBER) == when
        assert bucket_label(date(2026, 11, 30), "day").label == bucket
        assert bucket_label(date(2026, 11, 1), "month").label == month
    # CSV keeps ISO dates, so spreadsheets sort them.
    assert bucket_label(date(2026, 11, 30), "week") == "2026-11-30"
    assert bucket_label(date(2026, 11, 1), "month") == "2026-11"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("en", "30 Nov"), ("nl", "30 nov")])
def test_feed_cards_show_the_day_in_the_readers_language(client_as, language, expected):
    ambassador = AmbassadorFactory(language=language)
    ItemFactory(live=True, title="Late news", publish_at=LATE_NOVEMBER)
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        page = client_as(ambassador.user).get("/").content.decode()
    assert f'<time datetime="2026-11-30T23:30:00+01:00" class="muted">{expected}</time>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"), [("en", "30 Nov 2026, 23:30"), ("nl", "30 nov 2026, 23:30")]
)
def test_email_runs_page_dates_are_not_american(client_as, comms_user, language, expected):
    DigestRun.objects.create(started_at=LATE_NOVEMBER)
    client = client_as(comms_user)
    client.cookies["portal_language"] = language
    page = client.get(reverse("ambassadors:studio_digests")).content.decode()
    assert expected in page
    assert "p.m." not in page
    assert "Nov. 30" not in page


@pytest.mark.django_db
def test_topics_and_departments_have_a_name_in_each_language(client_as):
    news = TopicFactory(slug="news", name="News", name_nl="Nieuws")
    TopicFactory(slug="jobs", name="Jobs", name_nl="Vacatures")
    TopicFactory(slug="zz", name="Awards", name_nl="")  # no Dutch name: English is used
    DepartmentFactory(name="Sales", name_nl="Verkoop")
    ambassador = AmbassadorFactory(language="nl")
    ItemFactory(live=True, slug="n", topics=[news])
    with translation.override("nl"):
        assert [t.label for t in Topic.objects.by_label()] == ["Awards", "Nieuws", "Vacatures"]
        assert str(Department.objects.get()) == "Verkoop"
    with translation.override("en"):
        assert [t.label for t in Topic.objects.by_label()] == ["Awards", "Jobs", "News"]
    client = client_as(ambassador.user)
    feed = client.get("/").content.decode()
    assert '<span class="tag">Nieuws</span>' in feed
    assert '<option value="news">Nieuws</option>' in feed
    preferences = client.get("/me/preferences/").content.decode()
    assert "Verkoop" in preferences
    assert "Vacatures" in preferences


@pytest.mark.parametrize(
    ("language", "choice", "expected"),
    [("nl", "", ";"), ("en", "", ","), ("nl", "comma", ","), ("en", "semicolon", ";"),
     ("nl", "tab", ";")],
)  # fmt: skip
def test_csv_separator_follows_the_language_or_the_choice(language, choice, expected):
    assert csv_delimiter(language=language, choice=choice) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "sep", "delimiter"), [("nl", "", ";"), ("en", "", ","),
                                                             ("nl", "comma", ",")])  # fmt: skip
def test_csv_download_uses_semicolons_for_dutch(client_as, comms_user, language, sep, delimiter):
    with time_machine.travel(report_data.NOW, tick=False):
        report_data.build()
        client = client_as(comms_user)
        client.cookies["portal_language"] = language
        params = {"period": "this_month", **({"sep": sep} if sep else {})}
        response = client.get("/studio/reports/networks.csv", params)
    body = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    first = body.splitlines()[0]
    assert first.count(delimiter) == 3
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    assert len(rows[0]) == 4
    assert rows[1][0] == "LinkedIn"


@pytest.mark.django_db
def test_time_zones_likely_first_grouped_and_readable():
    AmbassadorFactory.create_batch(3, time_zone="Asia/Kolkata")
    groups = time_zone_choices(current="Europe/Lisbon")
    first_label, first = groups[0]
    assert str(first_label) == "Most used"
    names = [name for name, _label in first]
    assert names[:3] == ["Europe/Lisbon", "Europe/Amsterdam", "Asia/Kolkata"]
    assert len(names) <= 10
    regions = [str(label) for label, _options in groups[1:]]
    assert regions[:2] == ["Europe", "America"]
    everything = [name for _label, options in groups for name, _l in options]
    assert len(everything) == len(set(everything))  # each zone once
    assert "US/Eastern" not in everything  # legacy aliases left out
    assert "America/Argentina/Buenos_Aires" in everything
    assert 300 < len(everything) < 500
    with time_machine.travel(LATE_NOVEMBER, tick=False):
        assert zone_label("Europe/Amsterdam") == "Amsterdam (UTC+01:00)"
        assert zone_label("America/Argentina/Buenos_Aires") == (
            "Argentina / Buenos Aires (UTC-03:00)"
        )
        assert zone_label("Asia/Kolkata") == "Kolkata (UTC+05:30)"


@pytest.mark.django_db
def test_a_saved_legacy_time_zone_stays_valid(client_as):
    ambassador = AmbassadorFactory(time_zone="US/Eastern")
    assert likely_zones(current="US/Eastern")[0] == "US/Eastern"
    response = client_as(ambassador.user).post(
        "/me/preferences/",
        {"language": "en", "content_languages": "both", "digest_weekday": "1",
         "time_zone": "US/Eastern"},
    )  # fmt: skip
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_picker_offers_only_canonical_names():
    AmbassadorFactory.create_batch(2, time_zone="Europe/Kiev")  # colleagues count as Kyiv
    groups = time_zone_choices()
    everything = [name for _label, options in groups for name, _l in options]
    assert [name for name in everything if name in DEPRECATED_ZONES] == []
    assert "Europe/Kiev" not in everything
    assert "Asia/Calcutta" not in everything
    assert "America/Buenos_Aires" not in everything
    assert everything.count("Europe/Kyiv") == 1
    assert "Europe/Kyiv" in [name for name, _label in groups[0][1]]  # likely: colleagues use it
    assert "Europe/Amsterdam" in everything  # shares data with Brussels, but is no alias
    assert "Europe/Brussels" in everything
    assert canonical_zone("Europe/Kiev") == "Europe/Kyiv"
    assert canonical_zone("US/Eastern") == "America/New_York"
    assert canonical_zone("Europe/Amsterdam") == "Europe/Amsterdam"
    assert all(target in everything or target in ("UTC", "Etc/GMT") for target in
               DEPRECATED_ZONES.values())  # fmt: skip


@pytest.mark.django_db
def test_a_saved_deprecated_zone_shows_as_the_canonical_one_and_is_accepted(client_as):
    ambassador = AmbassadorFactory(time_zone="Europe/Kiev")
    with time_machine.travel(LATE_NOVEMBER, tick=False):
        groups = time_zone_choices(current="Europe/Kiev")
        page = client_as(ambassador.user).get("/me/preferences/").content.decode()
    assert groups[0][1][0] == ("Europe/Kiev", "Kyiv (UTC+02:00)")
    everything = [name for _label, options in groups for name, _l in options]
    assert "Europe/Kyiv" not in everything  # one Kyiv: the saved value in its place
    assert '<option value="Europe/Kiev" selected>Kyiv (UTC+02:00)</option>' in page
    response = client_as(ambassador.user).post(
        "/me/preferences/",
        {"language": "en", "content_languages": "both", "digest_weekday": "1",
         "time_zone": "Europe/Kiev"},
    )  # fmt: skip
    assert response.status_code == 302
    ambassador.refresh_from_db()
    assert ambassador.time_zone == "Europe/Kiev"


# --- No hard-coded date formats with month or day names ---------------------------------------

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
DATE_FILTER = re.compile(r"""\|date:\s*(["'])(.*?)\1""")
# Allowed: Django's own ISO format "c", a named format from portal/formats/ (or Django's), or
# a numeric format without names: no M (Nov), N (Nov.), b (nov), E/F (November), D/l (Mon).
NAMED_FORMAT = re.compile(r"^[A-Z_]+_FORMAT$")
NAME_LETTERS = set("MNbEFDl")


def _bad_date_format(fmt: str) -> bool:
    if fmt == "c" or NAMED_FORMAT.match(fmt):
        return False
    letters = re.sub(r"\\.", "", fmt)  # an escaped letter is printed as is
    return bool(NAME_LETTERS & set(letters))


def test_no_template_hard_codes_a_date_format_with_names():
    found = []
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.suffix not in {".html", ".txt", ".xml", ".ics"}:
            continue
        for match in DATE_FILTER.finditer(path.read_text()):
            if _bad_date_format(match.group(2)):
                found.append(f"{path.relative_to(TEMPLATES_DIR)}: {match.group(2)}")
    assert found == []


def test_the_format_scanner_catches_names():
    assert [
        f
        for f in ["j M", "D j", "F Y", "l", "j N", "j b", "c", "Y-m-d", "H:i", "DATE_FORMAT"]
        if _bad_date_format(f)
    ] == ["j M", "D j", "F Y", "l", "j N", "j b"]


@pytest.mark.parametrize(
    ("language", "calendar_day", "day_time", "seconds", "zone"),
    [
        (
            "en",
            "Mon 30 Nov",
            "30 Nov, 23:30",
            "30 Nov 2026, 23:30:00",
            "30 November 2026, 23:30 CET",
        ),
        (
            "nl",
            "ma 30 nov",
            "30 nov, 23:30",
            "30 nov 2026, 23:30:00",
            "30 november 2026, 23:30 CET",
        ),
    ],
)
def test_our_own_formats_per_language(settings, language, calendar_day, day_time, seconds, zone):
    settings.TIME_ZONE = "Europe/Amsterdam"
    with translation.override(language), timezone.override("Europe/Amsterdam"):
        local = timezone.localtime(LATE_NOVEMBER)
        assert date_format(local.date(), "WEEKDAY_DAY_MONTH_FORMAT") == calendar_day
        assert date_format(local, "DAY_MONTH_TIME_FORMAT") == day_time
        assert date_format(local, "SHORT_DATETIME_SECONDS_FORMAT") == seconds
        assert date_format(local, "DATETIME_ZONE_FORMAT") == zone


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("en", "Mon 30 Nov"), ("nl", "ma 30 nov")])
def test_calendar_days_in_the_readers_language(client_as, comms_user, language, expected):
    client = client_as(comms_user)
    client.cookies["portal_language"] = language
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):
        page = client.get(reverse("ambassadors:studio_calendar") + "?view=week").content.decode()
    assert f'<time datetime="2026-11-30">{expected}</time>' in page


# --- Department names in the reader's language, wherever they are shown ---------------------


@pytest.fixture
def named_report_data(db):
    with time_machine.travel(report_data.NOW, tick=False):
        data = report_data.build()
        Department.objects.filter(name="Sales").update(name_nl="Verkoop")
        Department.objects.filter(name="Engineering").update(name_nl="Techniek")
        yield data


@pytest.mark.parametrize(
    ("language", "first", "second"), [("nl", "Verkoop", "Techniek"), ("en", "Sales", "Engineering")]
)
def test_leaderboard_departments_in_the_readers_language(
    client_as, named_report_data, language, first, second
):
    anna = named_report_data["people"]["anna"]
    anna.language = language  # the ambassador's own setting wins over the cookie
    anna.save(update_fields=["language"])
    client = client_as(anna.user)
    with time_machine.travel(report_data.NOW, tick=False):
        response = client.get("/leaderboard/")
    board = response.context["departments"]
    assert [(entry.place, entry.name) for entry in board.top] == [(1, first), (2, second)]
    assert f'<th scope="row">{first} <span class="tag">' in response.content.decode()


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return list(
        csv.reader(io.StringIO(body), delimiter=";" if ";" in body.splitlines()[0] else ",")
    )


@pytest.mark.parametrize(
    ("language", "sales", "engineering"),
    [("nl", "Verkoop", "Techniek"), ("en", "Sales", "Engineering")],
)
def test_report_pages_and_downloads_name_departments_in_the_readers_language(
    client_as, comms_user, named_report_data, language, sales, engineering
):
    client = client_as(comms_user)
    client.cookies["portal_language"] = language
    sales_pk = Department.objects.get(name="Sales").pk
    params = {"period": "this_month"}
    with time_machine.travel(report_data.NOW, tick=False):
        page = client.get(reverse("ambassadors:reports"), params).content.decode()
        table = client.get("/studio/reports/departments.csv", params)
        lines = client.get("/studio/reports/all-shares.csv", params)
        drill = client.get(reverse("ambassadors:report_department", args=[sales_pk]), params)
        item = client.get(
            reverse("ambassadors:report_item", args=[named_report_data["items"]["a"].pk]), params
        )
    assert f">{sales}</a>" in page
    assert f">{engineering}</a>" in page
    assert [row[0] for row in _csv(table)[1:]][:2] == [sales, engineering]
    shown = {row[3] for row in _csv(lines)[1:]}
    assert shown >= {sales, engineering}
    assert not ({"Verkoop", "Techniek", "Sales", "Engineering"} - {sales, engineering}) & shown
    assert f"<title>{sales} ·" in drill.content.decode()
    assert f">{sales}</a>" in item.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "topics", "departments"),
    [
        ("nl", ["Awards", "Nieuws", "Vacatures"], ["Inkoop", "Verkoop"]),
        ("en", ["Awards", "Jobs", "News"], ["Purchasing", "Sales"]),
    ],
)
def test_topic_and_department_choices_are_named_and_sorted_for_the_reader(
    language, topics, departments
):
    from ambassadors.crisis.forms import ActivateForm, ScenarioForm
    from ambassadors.forms.studio import ItemFilterForm, ItemForm
    from ambassadors.views.studio.calendar import CalendarFilterForm
    from ambassadors.views.studio.sources import InboxFilterForm, SourceForm

    TopicFactory(slug="news", name="News", name_nl="Nieuws")
    TopicFactory(slug="jobs", name="Jobs", name_nl="Vacatures")
    TopicFactory(slug="awards", name="Awards", name_nl="")
    DepartmentFactory(name="Sales", name_nl="Verkoop")
    DepartmentFactory(name="Purchasing", name_nl="Inkoop")

    def shown(field) -> list[str]:
        return [label for value, label in field.choices if value != ""]

    with translation.override(language):
        for form, name in [
            (ItemForm(), "topics"),
            (ItemFilterForm(), "topic"),
            (CalendarFilterForm(), "topic"),
            (InboxFilterForm(sources=[]), "topic"),
            (SourceForm(), "topics"),
        ]:
            assert shown(form.fields[name]) == topics, type(form).__name__
        for form in [ItemForm(), ScenarioForm(), ActivateForm()]:
            assert shown(form.fields["audience"]) == departments, type(form).__name__


PYTHON_DIR = Path(__file__).resolve().parents[1]
# A hard-coded format in Python: strftime with a name (%a %A %b %B %p), or date_format /
# dateformat.format / |date: with a literal format string instead of a named one.
PYTHON_FORMAT = re.compile(
    r"""strftime\(\s*["'][^"']*%[aAbBp]|(?:date_format|dateformat\.format)\([^)]*?,\s*["']([^"']*)["']"""
)


def test_no_python_code_hard_codes_a_date_format_with_names():
    found = []
    for path in sorted(PYTHON_DIR.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in PYTHON_FORMAT.finditer(path.read_text()):
            literal = match.group(1)
            if literal is None or _bad_date_format(literal):
                found.append(f"{path.relative_to(PYTHON_DIR)}: {match.group(0)}")
    assert found == []
    assert PYTHON_FORMAT.search('when.strftime("%d %b")')
    assert _bad_date_format(PYTHON_FORMAT.search('date_format(day, "j M Y")').group(1))

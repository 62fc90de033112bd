"""The tables of the reports page, built once for both the screen and the CSV download,
so an export always holds exactly what the page shows for the same filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Department, Network
from .activity import activity, activity_over_time
from .exports import share_lines
from .participation import digest_outcomes, optin_trend, participation
from .periods import Period


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: Iterable[list[Any]]
    download: bool = True  # a CSV of it at /studio/reports/<name>.csv


class Label(str):
    """A row label that links to its drill-down page on screen (the page adds the same
    period to the link) and is plain text in a CSV."""

    url: str = ""

    def __new__(cls, text: str, url: str = "") -> Label:
        label = super().__new__(cls, text)
        label.url = url
        return label


def item_label(row: dict[str, Any]) -> Label:
    return Label(row["title"] or "", reverse("ambassadors:report_item", args=[row["k0"]]))


def department_label(row: dict[str, Any]) -> Label:
    if row["k0"] is None:
        return Label(_("No department"))
    return Label(row["name"], reverse("ambassadors:report_department", args=[row["k0"]]))


def network_link(code: str) -> Label:
    if code not in Network.values:
        return Label(network_label(code))
    return Label(network_label(code), reverse("ambassadors:report_network", args=[code]))


class BucketLabel(str):
    """A day, week or month of a report. The string itself is ISO (2026-11-30, 2026-11):
    what CSV downloads hold, so spreadsheets sort it. ``label`` is what the page shows, in
    the reader's language ("30 nov 2026", "november 2026")."""

    day: date
    granularity: str

    def __new__(cls, day: date, granularity: str) -> BucketLabel:
        iso = day.strftime("%Y-%m") if granularity == "month" else day.isoformat()
        value = super().__new__(cls, iso)
        value.day = day
        value.granularity = granularity
        return value

    @property
    def label(self) -> str:
        if self.granularity == "month":
            return date_format(self.day, "YEAR_MONTH_FORMAT")
        return date_format(self.day, "SHORT_DATE_FORMAT")


def bucket_label(bucket: date, granularity: str) -> BucketLabel:
    return BucketLabel(bucket, granularity)


def bucket_header(granularity: str) -> str:
    return {"day": _("Day"), "week": _("Week starting"), "month": _("Month")}[granularity]


def network_label(code: str) -> str:
    return str(dict(Network.choices).get(code, code))


def _metrics(row: dict[str, Any]) -> list[int]:
    return [row["shares"], row["clicks"], row["unique_clicks"]]


def _metric_headers() -> list[str]:
    return [_("Shares"), _("Clicks"), _("Unique clicks")]


def time_table(*, period: Period, top: int) -> Table:
    rows = (
        [bucket_label(row["bucket"], period.granularity), *_metrics(row)]
        for row in activity_over_time(period=period)
    )
    headers = [bucket_header(period.granularity), *_metric_headers()]
    return Table("over-time", _("Shares and clicks over time"), headers, rows)


def network_table(*, period: Period, top: int) -> Table:
    rows = (
        [network_link(row["k0"]), *_metrics(row)]
        for row in activity(dimension="network", period=period)
    )
    return Table("networks", _("By network"), [_("Network"), *_metric_headers()], rows)


def item_table(*, period: Period, top: int) -> Table:
    rows = (
        [item_label(row), *_metrics(row)]
        for row in activity(dimension="item", period=period, limit=top or None)
    )
    return Table("items", _("Top items"), [_("Item"), *_metric_headers()], rows)


def department_table(*, period: Period, top: int) -> Table:
    rows = (
        [department_label(row), *_metrics(row)]
        for row in activity(dimension="department", period=period)
    )
    return Table("departments", _("By department"), [_("Department"), *_metric_headers()], rows)


def participation_table(*, period: Period, top: int) -> Table:
    def rows() -> Iterator[list[Any]]:
        counts = participation(period=period)
        yield [counts["shared"], counts["opted_in"], counts["percent"]]

    headers = [_("Ambassadors who shared"), _("Ambassadors in the programme"), _("Percent")]
    return Table("participation", _("Who took part"), headers, rows())


def optin_table(*, period: Period, top: int) -> Table:
    rows = (
        [row["week"].isoformat(), row["opt_ins"], row["opt_outs"]]
        for row in optin_trend(period=period)
    )
    headers = [_("Week starting"), _("Joined"), _("Left")]
    return Table("joined-and-left", _("People who joined and left"), headers, rows)


DIGEST_LABELS = {
    "sent": gettext_lazy("Sent"),
    "failed": gettext_lazy("Failed"),
    "unknown": gettext_lazy("Not sure if sent"),
    "claimed": gettext_lazy("Being sent"),
}


def digest_table(*, period: Period, top: int) -> Table:
    rows = (
        [str(DIGEST_LABELS[row["status"]]), row["count"]] for row in digest_outcomes(period=period)
    )
    return Table("weekly-emails", _("Weekly e-mails"), [_("Result"), _("E-mails")], rows)


def share_lines_table(*, period: Period, top: int) -> Table:
    """Download only: one line per counted share, fetched in batches."""
    # The lines carry the English name (unique); the reader sees the name in their language.
    names = {department.name: department.label for department in Department.objects.all()}
    rows = (
        [
            day,
            title,
            network_label(network),
            names.get(department, department) if department else _("No department"),
            presses,
        ]
        for day, title, network, department, presses in share_lines(period=period)
    )
    headers = [_("Day"), _("Item"), _("Network"), _("Department"), _("Times pressed")]
    return Table("all-shares", _("All shares, one line each"), headers, rows)


TABLES: dict[str, Callable[..., Table]] = {
    "over-time": time_table,
    "networks": network_table,
    "items": item_table,
    "departments": department_table,
    "participation": participation_table,
    "joined-and-left": optin_table,
    "weekly-emails": digest_table,
    "all-shares": share_lines_table,
}
SCREEN_TABLES = [name for name in TABLES if name != "all-shares"]

"""Streamed CSV downloads that spreadsheets open safely, and the long share export.

Rows are written one at a time into the response as they come from the database, so an
export of a million lines never sits in memory. A cell that starts with = + - @ (or a tab
or carriage return, which some spreadsheets skip before looking) would run as a formula
in Excel or LibreOffice: such cells get a leading apostrophe, which shows as plain text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, QuerySet
from django.http import StreamingHttpResponse
from django.utils.text import slugify

from ..models import Rollup, Share
from . import sql as report_sql
from .periods import Period, as_date
from .plan import rollup_rows
from .sources import counted_shares, raw_period, rollup_horizon, share_day

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # lets Excel read UTF-8 (Dutch names, emoji in titles) correctly


# Excel splits a CSV at the list separator of the computer's region: a comma in English
# settings, a semicolon in Dutch ones (where the comma is the decimal mark).
DELIMITERS = {"comma": ",", "semicolon": ";"}


def csv_delimiter(*, language: str, choice: str = "") -> str:
    """The separator a download uses: the one asked for (``choice`` "comma" or
    "semicolon"), else a semicolon for Dutch and a comma for everything else."""
    if choice in DELIMITERS:
        return DELIMITERS[choice]
    return ";" if (language or "")[:2] == "nl" else ","


def neutralise(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ","
) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield BOM + writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def csv_response(
    *,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    delimiter: str = ",",
) -> StreamingHttpResponse:
    """A streamed CSV download; ``delimiter`` from ``csv_delimiter``."""
    safe_name = slugify(filename.removesuffix(".csv")) or "export"
    response = StreamingHttpResponse(
        csv_lines(headers, rows, delimiter=delimiter), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def share_lines(*, period: Period) -> Iterator[tuple[date, str, str, str | None, int]]:
    """One line per counted share (day, item title, network, department name, presses),
    for the long export: the rollups' ambassador × item × network rows for past days, the
    share rows grouped per day after the horizon. Streamed in batches from one query."""
    through = rollup_horizon()
    fields = ("day", "item__title", "network", "ambassador__department__name")
    raw = (
        counted_shares(period=raw_period(period, through))
        .annotate(day=share_day())
        .values("day", "ambassador", "item", "network", "item__title")
        .annotate(presses=Count("pk"), department=F("ambassador__department__name"))
        .values_list(*fields[:3], "department", "presses", "ambassador")
    )
    parts: list[QuerySet[Share | Rollup, Any]] = [raw]
    rolled = rollup_rows(kind="ai", period=period, through=through, coarsest="d")
    if rolled is not None:
        parts.append(rolled.filter(shares__gt=0).values_list(*fields, "presses", "ambassador"))
    for day, title, network, department, presses, _ambassador in report_sql.share_line_rows(parts):
        yield as_date(day), title, network, department, presses

"""Streamed CSV downloads that spreadsheets open safely.

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

from django.http import StreamingHttpResponse
from django.utils.text import slugify

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

"""Rebuild the daily rollups of the reports from the raw rows (after an upgrade, a restore,
or a change of TIME_ZONE), with a progress bar.

    python manage.py rebuild_rollups                      # every day with data
    python manage.py rebuild_rollups --start 2026-01-01   # from a day on
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...reporting.rollups.build import (
    CHUNK_DAYS,
    first_data_day,
    horizon,
    last_closed_day,
    rollups_build,
)
from ...reporting.rollups.reconcile import planner_statistics_refresh


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date like 2026-01-31") from exc


class Command(BaseCommand):
    help = "Rebuild the daily rollups of shares and clicks for a range of days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", type=_day, help="first day (default: the first with data)")
        parser.add_argument("--end", type=_day, help="last day (default: yesterday)")
        parser.add_argument("--chunk-days", type=int, default=CHUNK_DAYS, help="days per step")

    def handle(
        self,
        *args: Any,
        start: date | None = None,
        end: date | None = None,
        chunk_days: int = CHUNK_DAYS,
        **options: Any,
    ) -> None:
        end = end or last_closed_day()
        start = start or first_data_day() or end
        if end > last_closed_day():
            raise CommandError(f"The last day must have ended: at most {last_closed_day()}.")
        through = horizon()
        if start > end:
            self.stdout.write("Nothing to build.")
            return
        total = (end - start).days + 1
        started = time.monotonic()
        done = 0

        def progress(chunk_start: date, chunk_end: date) -> None:
            nonlocal done
            done += (chunk_end - chunk_start).days + 1
            width = 30
            filled = round(width * done / total)
            bar = "#" * filled + "." * (width - filled)
            rate = done / max(time.monotonic() - started, 1e-6)
            left = (total - done) / rate if rate else 0
            sys.stderr.write(
                f"\r[{bar}] {100 * done // total:3d}% {done}/{total} days, up to {chunk_end}, "
                f"about {left:.0f} s left "
            )
            sys.stderr.flush()

        try:
            rollups_build(start=start, end=end, chunk_days=max(1, chunk_days), progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        sys.stderr.write("\n")
        planner_statistics_refresh()
        self.stdout.write(
            f"Built {total} days ({start} to {end}); the rollups were up to {through}, "
            f"now up to {horizon()}."
        )

"""Report periods: whole local days in the organisation's time zone, the presets of the
period form, and the buckets (day, week, month) of a chart over time."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

PRESETS = ("7d", "30d", "this_month", "last_month", "this_quarter", "this_year")
DEFAULT_PRESET = "30d"
MAX_PERIOD_DAYS = 5 * 366


def report_tz() -> zoneinfo.ZoneInfo:
    """Reports use the organisation's time zone, so "a day" is the same for every reader."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def report_today() -> date:
    return timezone.localdate(timezone.now(), report_tz())


@dataclass(frozen=True)
class Period:
    """Whole local days from `start` to `end`, both included."""

    start: date
    end: date
    preset: str = "custom"
    step: str | None = None  # "day", "week" or "month": overrides the automatic bars

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=report_tz())

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=report_tz())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def granularity(self) -> str:
        if self.step:
            return self.step
        if self.days <= 62:
            return "day"
        if self.days <= 366:
            return "week"
        return "month"

    def buckets(self) -> list[date]:
        """Every bar of the chart, including empty ones."""
        step = self.granularity
        current = bucket_start(self.start, step)
        result = []
        while current <= self.end:
            result.append(current)
            if step == "day":
                current += timedelta(days=1)
            elif step == "week":
                current += timedelta(days=7)
            else:
                current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        return result


def bucket_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def period_for_preset(preset: str, *, today: date | None = None) -> Period:
    today = today or report_today()
    if preset == "7d":
        return Period(today - timedelta(days=6), today, preset)
    if preset == "this_month":
        return Period(today.replace(day=1), today, preset)
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end, preset)
    if preset == "this_quarter":
        return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today, preset)
    if preset == "this_year":
        return Period(date(today.year, 1, 1), today, preset)
    return Period(today - timedelta(days=29), today, "30d")


def month_so_far(*, today: date | None = None) -> Period:
    return period_for_preset("this_month", today=today)


def as_date(value: date | str) -> date:
    """Truncated dates come back as text (SQLite), date or datetime (PostgreSQL)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])

"""The time zone picker: the likely zones first, the rest grouped by region, with names
people recognise ("Amsterdam (UTC+01:00)") instead of ~600 raw IANA names.

Source: Python's ``zoneinfo`` (IANA tz database). Only the canonical "Region/City" zones are
listed (legacy aliases such as "US/Eastern" or "Etc/GMT+5" are left out, a saved one stays
selectable for the person who has it).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REGIONS = {
    "Europe": _("Europe"),
    "America": _("America"),
    "Africa": _("Africa"),
    "Asia": _("Asia"),
    "Australia": _("Australia"),
    "Pacific": _("Pacific"),
    "Atlantic": _("Atlantic Ocean"),
    "Indian": _("Indian Ocean"),
    "Antarctica": _("Antarctica"),
}
# Where colleagues of a Dutch company most likely are, after the site's own zone.
LIKELY = [
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "America/New_York",
    "UTC",
]
LIKELY_COUNT = 10


def _offset(name: str, moment: datetime) -> str:
    delta = moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(name: str, moment: datetime | None = None) -> str:
    """ "Amsterdam (UTC+01:00)", "Argentina / Buenos Aires (UTC-03:00)", "UTC"."""
    if name == "UTC":
        return "UTC"
    moment = moment or timezone.now()
    place = name.split("/", 1)[1] if "/" in name else name
    return f"{place.replace('_', ' ').replace('/', ' / ')} ({_offset(name, moment)})"


@lru_cache(maxsize=1)
def _canonical() -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if name.split("/", 1)[0] in REGIONS and "/" in name
        )
    )


def likely_zones(*, current: str = "") -> list[str]:
    """The zones to offer first: the person's own, the site's, the ones colleagues use most
    (one query), then ``LIKELY``; at most ``LIKELY_COUNT``, no duplicates."""
    from .models import Ambassador

    used = (
        Ambassador.objects.values_list("time_zone", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n", "time_zone")[:LIKELY_COUNT]
    )
    valid = set(_canonical()) | {"UTC"}
    ordered = [current, settings.TIME_ZONE, *used, *LIKELY]
    result: list[str] = []
    for name in ordered:
        if name and name not in result and (name in valid or name == current):
            result.append(name)
    return result[:LIKELY_COUNT]


def time_zone_choices(*, current: str = "") -> list:
    """Grouped choices for a ChoiceField: ("Most used", [...]) first, then one group per
    region, each sorted by label. Every canonical zone (and ``current``) is valid."""
    moment = timezone.now()
    first = likely_zones(current=current)
    groups: list = [(_("Most used"), [(name, zone_label(name, moment)) for name in first])]
    by_region: dict[str, list[tuple[str, str]]] = {}
    for name in _canonical():
        if name in first:
            continue
        by_region.setdefault(name.split("/", 1)[0], []).append((name, zone_label(name, moment)))
    for region, label in REGIONS.items():
        options = sorted(by_region.get(region, []), key=lambda pair: pair[1])
        if options:
            groups.append((label, options))
    return groups

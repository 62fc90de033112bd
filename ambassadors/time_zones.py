"""The time zone picker: the likely zones first, the rest grouped by region, with names
people recognise ("Amsterdam (UTC+01:00)") instead of ~600 raw IANA names.

Source: Python's ``zoneinfo`` (IANA tz database). Only the canonical "Region/City" zones are
listed: legacy aliases such as "US/Eastern" or "Etc/GMT+5" and renamed zones such as
"Europe/Kiev" (now "Europe/Kyiv") are left out. A saved deprecated name stays valid for the
person who has it, shown under the canonical zone's name ("Kyiv") and in that zone's place.
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


def canonical_zone(name: str) -> str:
    """The current name of a time zone: "Europe/Kyiv" for "Europe/Kiev", "America/New_York"
    for "US/Eastern"; any other name unchanged (unknown ones too: this does not validate)."""
    return DEPRECATED_ZONES.get(name, name)


@lru_cache(maxsize=1)
def _canonical() -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if name.split("/", 1)[0] in REGIONS and "/" in name and name not in DEPRECATED_ZONES
        )
    )


def likely_zones(*, current: str = "") -> list[str]:
    """The zones to offer first: the person's own, the site's, the ones colleagues use most
    (one query; a deprecated name counts as its canonical zone), then ``LIKELY``; at most
    ``LIKELY_COUNT``, no duplicates. ``current`` is kept as saved, even when deprecated, so
    the form still accepts it; ``time_zone_choices`` labels it with the canonical name."""
    from .models import Ambassador

    used = (
        Ambassador.objects.values_list("time_zone", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n", "time_zone")[:LIKELY_COUNT]
    )
    valid = set(_canonical()) | {"UTC"}
    ordered = [settings.TIME_ZONE, *(canonical_zone(name) for name in used), *LIKELY]
    result: list[str] = [current] if current else []
    taken = {canonical_zone(current)}
    for name in ordered:
        if name and name not in taken and name in valid:
            result.append(name)
            taken.add(name)
    return result[:LIKELY_COUNT]


def time_zone_choices(*, current: str = "") -> list:
    """Grouped choices for a ChoiceField: ("Most used", [...]) first, then one group per
    region, each sorted by label. Every canonical zone (and ``current``) is valid; each place
    is offered once (a deprecated ``current`` takes its canonical zone's place and label)."""
    moment = timezone.now()
    first = likely_zones(current=current)
    groups: list = [
        (_("Most used"), [(name, zone_label(canonical_zone(name), moment)) for name in first])
    ]
    offered = {canonical_zone(name) for name in first}
    by_region: dict[str, list[tuple[str, str]]] = {}
    for name in _canonical():
        if name in offered:
            continue
        by_region.setdefault(name.split("/", 1)[0], []).append((name, zone_label(name, moment)))
    for region, label in REGIONS.items():
        options = sorted(by_region.get(region, []), key=lambda pair: pair[1])
        if options:
            groups.append((label, options))
    return groups


# Deprecated names -> the canonical zone they are a link to: the tz database's backward links
# whose name is not in zone.tab (tzdata 2025b, taken from a system's tzdata.zi at development
# time, so nothing is read or fetched at run time). Zones that only share data with another
# one since 2022 (Europe/Amsterdam and Europe/Brussels) are not here: both are places people
# live in. Regenerate after a tzdata release that renames a zone.
DEPRECATED_ZONES: dict[str, str] = {
    "Africa/Asmera": "Africa/Nairobi",
    "Africa/Timbuktu": "Africa/Abidjan",
    "America/Argentina/ComodRivadavia": "America/Argentina/Catamarca",
    "America/Atka": "America/Adak",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Catamarca": "America/Argentina/Catamarca",
    "America/Coral_Harbour": "America/Panama",
    "America/Cordoba": "America/Argentina/Cordoba",
    "America/Ensenada": "America/Tijuana",
    "America/Fort_Wayne": "America/Indiana/Indianapolis",
    "America/Godthab": "America/Nuuk",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Jujuy": "America/Argentina/Jujuy",
    "America/Knox_IN": "America/Indiana/Knox",
    "America/Louisville": "America/Kentucky/Louisville",
    "America/Mendoza": "America/Argentina/Mendoza",
    "America/Montreal": "America/Toronto",
    "America/Nipigon": "America/Toronto",
    "America/Pangnirtung": "America/Iqaluit",
    "America/Porto_Acre": "America/Rio_Branco",
    "America/Rainy_River": "America/Winnipeg",
    "America/Rosario": "America/Argentina/Cordoba",
    "America/Santa_Isabel": "America/Tijuana",
    "America/Shiprock": "America/Denver",
    "America/Thunder_Bay": "America/Toronto",
    "America/Virgin": "America/Puerto_Rico",
    "America/Yellowknife": "America/Edmonton",
    "Antarctica/South_Pole": "Pacific/Auckland",
    "Asia/Ashkhabad": "Asia/Ashgabat",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Choibalsan": "Asia/Ulaanbaatar",
    "Asia/Chongqing": "Asia/Shanghai",
    "Asia/Chungking": "Asia/Shanghai",
    "Asia/Dacca": "Asia/Dhaka",
    "Asia/Harbin": "Asia/Shanghai",
    "Asia/Istanbul": "Europe/Istanbul",
    "Asia/Kashgar": "Asia/Urumqi",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Macao": "Asia/Macau",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Tel_Aviv": "Asia/Jerusalem",
    "Asia/Thimbu": "Asia/Thimphu",
    "Asia/Ujung_Pandang": "Asia/Makassar",
    "Asia/Ulan_Bator": "Asia/Ulaanbaatar",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Atlantic/Jan_Mayen": "Europe/Berlin",
    "Australia/ACT": "Australia/Sydney",
    "Australia/Canberra": "Australia/Sydney",
    "Australia/Currie": "Australia/Hobart",
    "Australia/LHI": "Australia/Lord_Howe",
    "Australia/NSW": "Australia/Sydney",
    "Australia/North": "Australia/Darwin",
    "Australia/Queensland": "Australia/Brisbane",
    "Australia/South": "Australia/Adelaide",
    "Australia/Tasmania": "Australia/Hobart",
    "Australia/Victoria": "Australia/Melbourne",
    "Australia/West": "Australia/Perth",
    "Australia/Yancowinna": "Australia/Broken_Hill",
    "Brazil/Acre": "America/Rio_Branco",
    "Brazil/DeNoronha": "America/Noronha",
    "Brazil/East": "America/Sao_Paulo",
    "Brazil/West": "America/Manaus",
    "Canada/Atlantic": "America/Halifax",
    "Canada/Central": "America/Winnipeg",
    "Canada/Eastern": "America/Toronto",
    "Canada/Mountain": "America/Edmonton",
    "Canada/Newfoundland": "America/St_Johns",
    "Canada/Pacific": "America/Vancouver",
    "Canada/Saskatchewan": "America/Regina",
    "Canada/Yukon": "America/Whitehorse",
    "Chile/Continental": "America/Santiago",
    "Chile/EasterIsland": "Pacific/Easter",
    "Cuba": "America/Havana",
    "Egypt": "Africa/Cairo",
    "Eire": "Europe/Dublin",
    "Etc/GMT+0": "Etc/GMT",
    "Etc/GMT-0": "Etc/GMT",
    "Etc/GMT0": "Etc/GMT",
    "Etc/Greenwich": "Etc/GMT",
    "Etc/UCT": "UTC",
    "Etc/Universal": "UTC",
    "Etc/Zulu": "UTC",
    "Europe/Belfast": "Europe/London",
    "Europe/Kiev": "Europe/Kyiv",
    "Europe/Nicosia": "Asia/Nicosia",
    "Europe/Tiraspol": "Europe/Chisinau",
    "Europe/Uzhgorod": "Europe/Kyiv",
    "Europe/Zaporozhye": "Europe/Kyiv",
    "GB": "Europe/London",
    "GB-Eire": "Europe/London",
    "GMT": "Etc/GMT",
    "GMT+0": "Etc/GMT",
    "GMT-0": "Etc/GMT",
    "GMT0": "Etc/GMT",
    "Greenwich": "Etc/GMT",
    "Hongkong": "Asia/Hong_Kong",
    "Iceland": "Africa/Abidjan",
    "Iran": "Asia/Tehran",
    "Israel": "Asia/Jerusalem",
    "Jamaica": "America/Jamaica",
    "Japan": "Asia/Tokyo",
    "Kwajalein": "Pacific/Kwajalein",
    "Libya": "Africa/Tripoli",
    "Mexico/BajaNorte": "America/Tijuana",
    "Mexico/BajaSur": "America/Mazatlan",
    "Mexico/General": "America/Mexico_City",
    "NZ": "Pacific/Auckland",
    "NZ-CHAT": "Pacific/Chatham",
    "Navajo": "America/Denver",
    "PRC": "Asia/Shanghai",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Johnston": "Pacific/Honolulu",
    "Pacific/Ponape": "Pacific/Guadalcanal",
    "Pacific/Samoa": "Pacific/Pago_Pago",
    "Pacific/Truk": "Pacific/Port_Moresby",
    "Pacific/Yap": "Pacific/Port_Moresby",
    "Poland": "Europe/Warsaw",
    "Portugal": "Europe/Lisbon",
    "ROC": "Asia/Taipei",
    "ROK": "Asia/Seoul",
    "Singapore": "Asia/Singapore",
    "Turkey": "Europe/Istanbul",
    "UCT": "UTC",
    "US/Alaska": "America/Anchorage",
    "US/Aleutian": "America/Adak",
    "US/Arizona": "America/Phoenix",
    "US/Central": "America/Chicago",
    "US/East-Indiana": "America/Indiana/Indianapolis",
    "US/Eastern": "America/New_York",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Indiana-Starke": "America/Indiana/Knox",
    "US/Michigan": "America/Detroit",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "US/Samoa": "Pacific/Pago_Pago",
    "Universal": "UTC",
    "W-SU": "Europe/Moscow",
    "Zulu": "UTC",
}

"""An ambassador's own data: export everything we hold, or delete the account.

Deletion anonymises instead of cascading: the Ambassador row stays without a user and
without personal fields, so posted links keep working and past reports stay right.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    AlertDelivery,
    Ambassador,
    AuditEvent,
    DigestDelivery,
    ItemEvent,
    Share,
    Suggestion,
    User,
)
from .reporting.sources import DAILY_CLICK_METRICS, RAW_CLICK_METRICS, click_sources


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def user_data_export(*, user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "display_name": user.display_name,
            "department": user.department.name if user.department is not None else None,
            "date_joined": _dt(user.date_joined),
            "last_login": _dt(user.last_login),
            "email_addresses": list(
                EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
            ),
        },
        "ambassador": None,
    }
    try:
        ambassador = user.ambassador
    except Ambassador.DoesNotExist:
        return data
    data["ambassador"] = {
        "opted_in_at": _dt(ambassador.opted_in_at),
        "opted_out_at": _dt(ambassador.opted_out_at),
        "guidelines_version": ambassador.guidelines_version,
        "guidelines_accepted_at": _dt(ambassador.guidelines_accepted_at),
        "department": ambassador.department.name if ambassador.department is not None else None,
        "language": ambassador.language,
        "content_languages": ambassador.content_languages,
        "topics": list(ambassador.topics.values_list("slug", flat=True)),
        "networks": ambassador.networks,
        "mastodon_instance": ambassador.mastodon_instance,
        "digest_enabled": ambassador.digest_enabled,
        "digest_weekday": ambassador.digest_weekday,
        "urgent_alerts": ambassador.urgent_alerts,
        "leaderboard_visible": ambassador.leaderboard_visible,
        "time_zone": ambassador.time_zone,
    }
    data["shares"] = [
        {
            "item": s["item__title"],
            "network": s["network"],
            "created_at": _dt(s["created_at"]),
            "confirmed_at": _dt(s["confirmed_at"]),
            "undone_at": _dt(s["undone_at"]),
            "post_url": s["post_url"],
        }
        for s in Share.objects.filter(ambassador=ambassador).values(
            "item__title", "network", "created_at", "confirmed_at", "undone_at", "post_url"
        )
    ]
    data["links"] = _links_with_clicks(ambassador)
    data["suggestions"] = [
        {
            "link": s["link"],
            "note": s["note"],
            "status": s["status"],
            "decline_reason": s["decline_reason"],
            "created_at": _dt(s["created_at"]),
        }
        for s in Suggestion.objects.filter(ambassador=ambassador).values(
            "link", "note", "status", "decline_reason", "created_at"
        )
    ]
    data["digests"] = list(
        ambassador.digest_deliveries.values("period", "status", "sent_at").order_by("period")
    )
    for row in data["digests"]:
        row["sent_at"] = _dt(row["sent_at"])
    data["clicks_note"] = (
        "Clicks are stored without IP addresses or browser details; only counts are shown."
    )
    return data


def _links_with_clicks(ambassador: Ambassador) -> list[dict[str, Any]]:
    """Human clicks per link, counted like the reports and "my impact": raw clicks plus the
    daily totals that replaced clicks older than the retention period."""
    raw, daily = click_sources(ambassador_id=ambassador.pk)
    totals: dict[int, list[int]] = {}
    for source, metrics in ((raw, RAW_CLICK_METRICS), (daily, DAILY_CLICK_METRICS)):
        rows = source.values("link_id").annotate(
            clicks=metrics["m_clicks"], unique=metrics["m_unique"]
        )
        for row in rows:
            total = totals.setdefault(row["link_id"], [0, 0])
            total[0] += row["clicks"] or 0
            total[1] += row["unique"] or 0
    return [
        {
            "code": link["code"],
            "item": link["item__title"],
            "network": link["network"],
            "clicks": totals.get(link["pk"], [0, 0])[0],
            "unique_clicks": totals.get(link["pk"], [0, 0])[1],
        }
        for link in ambassador.links.values("pk", "code", "item__title", "network")
    ]


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Remove the person; keep anonymous shares and links (see module docstring)."""
    try:
        ambassador = user.ambassador
    except Ambassador.DoesNotExist:
        ambassador = None
    if ambassador is not None:
        name = str(ambassador)
        for event in ItemEvent.objects.filter(
            item__suggestions__ambassador=ambassador, note__contains=name
        ):
            event.note = event.note.replace(name, str(_("a former ambassador")))
            event.save(update_fields=["note"])
        # SMTP refusals quote the address.
        DigestDelivery.objects.filter(ambassador=ambassador).update(error="")
        AlertDelivery.objects.filter(ambassador=ambassador).update(error="")
        ambassador.topics.clear()
        Share.objects.filter(ambassador=ambassador).update(post_url="")
        Suggestion.objects.filter(ambassador=ambassador).update(note="")
        Suggestion.objects.filter(ambassador=ambassador, status=Suggestion.Status.NEW).delete()
        Ambassador.objects.filter(pk=ambassador.pk).update(
            user=None,
            opted_out_at=ambassador.opted_out_at or timezone.now(),
            networks=[],
            mastodon_instance="",
            digest_enabled=False,
            urgent_alerts=False,
            leaderboard_visible=False,
        )
    AuditEvent.objects.forget_person(user)
    user.delete()

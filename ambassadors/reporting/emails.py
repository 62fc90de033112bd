"""Report e-mails: comms can get the key numbers of last week or last month by e-mail.

Plain text: shares, clicks, unique clicks and who took part, each next to the period
before, then the top items with links to their drill-down pages and a link to the full
report. Celery beat runs ``report_emails_send`` every hour; an e-mail goes out once the
period has ended (weekly: Monday, monthly: the 1st, from ``REPORT_EMAIL_HOUR`` in
TIME_ZONE) and at most once per person and period: a ``ReportDelivery`` row is claimed
(a unique constraint) before sending, like the weekly digests, so a repeated or
concurrent run never sends twice. A failed send is recorded, not retried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..models import ReportDelivery, ReportSubscription, User
from .activity import activity, activity_totals
from .participation import participation
from .periods import Period, report_tz

log = logging.getLogger(__name__)

TOP_ITEMS = 5
WEEKLY = ReportSubscription.Frequency.WEEKLY
MONTHLY = ReportSubscription.Frequency.MONTHLY


def report_subscription_set(*, user: User, frequency: str | None) -> ReportSubscription | None:
    """Subscribe `user` weekly or monthly, or stop (``frequency`` None or ""). Raises
    ValueError for another frequency. The caller checks that the user is comms."""
    if not frequency:
        ReportSubscription.objects.filter(user=user).delete()
        return None
    if frequency not in ReportSubscription.Frequency.values:
        raise ValueError(frequency)
    subscription, _created = ReportSubscription.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    return subscription


def last_period(*, frequency: str, today: date) -> tuple[str, Period, Period]:
    """(label, period, the period before) of the last whole week (Monday to Sunday) or
    month before `today`. Labels: "2026-W48", "2026-11"."""
    if frequency == WEEKLY:
        start = today - timedelta(days=today.weekday() + 7)
        period = Period(start, start + timedelta(days=6), step="day")
        before = Period(start - timedelta(days=7), start - timedelta(days=1), step="day")
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}", period, before
    end = today.replace(day=1) - timedelta(days=1)
    period = Period(end.replace(day=1), end)
    before_end = period.start - timedelta(days=1)
    before = Period(before_end.replace(day=1), before_end)
    return f"{period.start:%Y-%m}", period, before


@dataclass
class ReportEmail:
    label: str
    period: Period
    numbers: dict[str, int]
    before: dict[str, int]
    items: list[dict[str, Any]]  # activity rows of the top items (k0, title, slug, shares, ...)
    report_url: str


def _absolute(path: str, period: Period) -> str:
    query = urlencode(
        {"period": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}
    )
    return f"{settings.SITE_URL}{path}?{query}"


def report_email_build(*, frequency: str, today: date) -> ReportEmail:
    """The numbers of one report e-mail (the same for every subscriber of a frequency)."""
    label, period, before = last_period(frequency=frequency, today=today)

    def figures(p: Period) -> dict[str, int]:
        numbers = activity_totals(period=p)
        shared = participation(period=p)
        return {**numbers, "sharers": shared["shared"], "opted_in": shared["opted_in"]}

    items = list(activity(dimension="item", period=period, limit=TOP_ITEMS))
    for item in items:
        item["url"] = _absolute(reverse("ambassadors:report_item", args=[item["k0"]]), period)
    return ReportEmail(
        label=label,
        period=period,
        numbers=figures(period),
        before=figures(before),
        items=items,
        report_url=_absolute(reverse("ambassadors:reports"), period),
    )


def _language(user: User) -> str:
    ambassador = getattr(user, "ambassador", None)
    return getattr(ambassador, "language", None) or settings.LANGUAGE_CODE


def report_email_message(*, report: ReportEmail, user: User, frequency: str) -> EmailMessage:
    with translation.override(_language(user)):
        context = {
            "report": report,
            "frequency": frequency,
            "user": user,
            "settings_url": f"{settings.SITE_URL}{reverse('ambassadors:report_emails')}",
        }
        subject = render_to_string("email/reports/subject.txt", context).strip()
        body = render_to_string("email/reports/body.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def _due(*, now: datetime) -> list[str]:
    local = timezone.localtime(now, report_tz())
    if local.hour < settings.REPORT_EMAIL_HOUR:
        return []
    return [WEEKLY, MONTHLY]


def report_emails_send(*, now: datetime | None = None) -> int:
    """Send every report e-mail that is due and not yet claimed; returns how many went
    out. Idempotent per person and period. Only active comms members get one."""
    now = now or timezone.now()
    today = timezone.localdate(now, report_tz())
    sent = 0
    for frequency in _due(now=now):
        label, _period, _before = last_period(frequency=frequency, today=today)
        subscribers = (
            ReportSubscription.objects.filter(frequency=frequency, user__is_active=True)
            .exclude(user__report_deliveries__period=label)
            .select_related("user")
        )
        report = None
        for subscription in subscribers:
            user = subscription.user
            if not user.email or not user.has_perm("ambassadors.publish_item"):
                continue
            try:
                with transaction.atomic():
                    delivery = ReportDelivery.objects.create(user=user, period=label)
            except IntegrityError:
                continue  # another run claimed it
            report = report or report_email_build(frequency=frequency, today=today)
            try:
                report_email_message(report=report, user=user, frequency=frequency).send()
            except Exception as exc:  # noqa: BLE001 - recorded; never sent twice
                log.warning("report e-mail %s to user %s failed: %s", label, user.pk, exc)
                ReportDelivery.objects.filter(pk=delivery.pk).update(
                    status="failed", error=str(exc)[:500]
                )
                continue
            ReportDelivery.objects.filter(pk=delivery.pk).update(
                status="sent", sent_at=timezone.now()
            )
            sent += 1
    return sent

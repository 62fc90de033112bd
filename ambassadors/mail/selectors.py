"""Reads the studio's mail pages share: digest runs with their progress, deliveries that
went wrong (digests and urgent alerts), finding the person whose digest to preview, and
whether that person gets the weekly e-mail. Views call these; they change nothing."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from ..models import AlertDelivery, Ambassador, DeliveryStatus, DigestDelivery, DigestRun
from .digests.schedule import digest_recipients

# Deliveries comms should look at: refused, or the worker died before it knew.
PROBLEMS = [DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN]


def digest_runs_with_progress() -> QuerySet[DigestRun]:
    """Runs, newest first (the model's order), each with ``done``: sent + failed + unknown +
    skipped, which the progress bar sets against ``planned``."""
    return DigestRun.objects.annotate(done=F("sent") + F("failed") + F("unknown") + F("skipped"))


def digest_deliveries_with_problems(*, limit: int = 50) -> QuerySet[DigestDelivery]:
    """The latest ``limit`` failed or unknown digest deliveries, newest claim first."""
    return (
        DigestDelivery.objects.filter(status__in=PROBLEMS)
        .select_related("ambassador__user")
        .order_by("-claimed_at")[:limit]
    )


def alert_deliveries_with_problems(*, limit: int = 50) -> QuerySet[AlertDelivery]:
    """The latest ``limit`` failed or unknown urgent-alert deliveries, newest claim first."""
    return (
        AlertDelivery.objects.filter(status__in=PROBLEMS)
        .select_related("ambassador__user", "item")
        .order_by("-claimed_at")[:limit]
    )


def digest_run_problems(*, run: DigestRun, limit: int = 500) -> QuerySet[DigestDelivery]:
    """The first ``limit`` failed or unknown deliveries of one run, by ambassador."""
    return (
        run.deliveries.filter(status__in=PROBLEMS)
        .select_related("ambassador__user")
        .order_by("ambassador_id")[:limit]
    )


def digest_run_events(*, run: DigestRun) -> QuerySet:
    """The run's history (who resent to the unknown, and for how many) with the actors."""
    return run.events.select_related("actor")


def ambassadors_matching(*, query: str, limit: int = 20) -> QuerySet[Ambassador]:
    """Ambassadors with an account whose e-mail address or any name contains ``query``
    (case-insensitive), by e-mail address, at most ``limit``."""
    return (
        Ambassador.objects.filter(user__isnull=False)
        .filter(
            Q(user__email__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__display_name__icontains=query)
        )
        .select_related("user")
        .order_by("user__email")[:limit]
    )


def ambassadors_with_account() -> QuerySet[Ambassador]:
    """Ambassadors who still have an account (a preview needs a name and an address)."""
    return Ambassador.objects.select_related("user").filter(user__isnull=False)


def ambassador_gets_digests(*, ambassador: Ambassador) -> bool:
    """Whether the weekly e-mail goes to this person at all: active, wants the digest, and
    has an address that does not bounce (``digest_recipients``)."""
    return digest_recipients().filter(pk=ambassador.pk).exists()

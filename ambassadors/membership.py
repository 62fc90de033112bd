"""Joining and leaving the programme: opt-in, guidelines acceptance, opt-out."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from .models import Ambassador, Guidelines, User


def ambassador_for(user: User | AnonymousUser | None) -> Ambassador | None:
    """The user's Ambassador row (active or not), or None. Django caches the reverse
    one-to-one on the user, absence included, so this costs one query per request."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.ambassador
    except Ambassador.DoesNotExist:
        return None


def current_guidelines() -> Guidelines | None:
    return Guidelines.objects.current()


@transaction.atomic
def ambassador_opt_in(*, user: User, guidelines: Guidelines, language: str = "") -> Ambassador:
    """Accepting the guidelines makes an employee an ambassador, and re-accepting a new
    version (or rejoining after opting out) reuses the same row."""
    now = timezone.now()
    ambassador, created = Ambassador.objects.get_or_create(
        user=user,
        defaults={
            "opted_in_at": now,
            "language": language or "en",
            "department_id": user.department_id,
        },
    )
    if not created and ambassador.opted_out_at is not None:
        ambassador.opted_in_at = now
    ambassador.opted_out_at = None
    ambassador.guidelines_version = guidelines.version
    ambassador.guidelines_accepted_at = now
    if user.department_id:  # the company directory's department (SSO or SCIM)
        ambassador.department_id = user.department_id
    ambassador.save(
        update_fields=[
            "department",
            "opted_in_at",
            "opted_out_at",
            "guidelines_version",
            "guidelines_accepted_at",
        ]
    )
    return ambassador


def ambassador_opt_out(*, ambassador: Ambassador) -> Ambassador:
    """Takes effect at once: no more shares, digests or alerts. Preferences are kept so
    rejoining is one click."""
    ambassador.opted_out_at = timezone.now()
    ambassador.save(update_fields=["opted_out_at"])
    return ambassador


def ambassador_rejoin(*, ambassador: Ambassador) -> Ambassador:
    ambassador.opted_out_at = None
    ambassador.opted_in_at = timezone.now()
    ambassador.save(update_fields=["opted_out_at", "opted_in_at"])
    return ambassador

"""Names and departments that come from the organisation's directory (SSO claims, SAML
attributes, SCIM). The person's own choice wins over the directory for names unless
``IDENTITY_PROVIDER_NAMES_WIN`` is on; departments always follow the directory, because
the directory, not the person, knows who works where."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from ..models import Ambassador, Department, User
from .names import clean_name

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("first_name", "last_name", "display_name", "department")


@dataclass(frozen=True)
class DirectoryProfile:
    """What a provider told us. None means "not sent" (leave ours alone); "" means
    "sent empty" (clear it)."""

    first_name: str | None = None
    last_name: str | None = None
    display_name: str | None = None
    department: str | None = None


def _first_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else ""
    return value


def profile_from_claims(claims: dict[str, Any]) -> DirectoryProfile:
    """Pick the claims named in ``SSO_ATTRIBUTE_MAP`` (first claim present wins, for
    each of first_name, last_name, display_name, department). A value with control
    characters is dropped (logged without the value), never stored."""
    mapping: dict[str, list[str]] = settings.SSO_ATTRIBUTE_MAP
    found: dict[str, str] = {}
    for field in PROFILE_FIELDS:
        for claim in mapping.get(field, []):
            if claim not in claims:
                continue
            try:
                found[field] = clean_name(_first_value(claims[claim]))
            except ValueError:
                logger.warning("Ignored claim %s: not plain text", claim)
            break
    return DirectoryProfile(**found)


def claims_from_extra_data(extra_data: dict[str, Any] | None) -> dict[str, Any]:
    """One flat dict of claims: OpenID Connect keeps the ID token and userinfo apart
    (userinfo wins), SAML gives attribute name → list of values."""
    data = dict(extra_data or {})
    claims: dict[str, Any] = {}
    if isinstance(data.get("id_token"), dict) or isinstance(data.get("userinfo"), dict):
        claims.update(data.get("id_token") or {})
        claims.update(data.get("userinfo") or {})
        return claims
    return data


def department_for_name(name: str) -> Department | None:
    """The department called `name`, matched case-insensitively, created on first sight.
    Safe under concurrent first sightings (the unique name decides)."""
    name = " ".join(name.split())
    if not name:
        return None
    existing = Department.objects.filter(name__iexact=name).order_by("pk").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Department.objects.create(name=name)
    except IntegrityError:
        return Department.objects.filter(name__iexact=name).order_by("pk").first()


def user_profile_apply(*, user: User, profile: DirectoryProfile, save: bool = True) -> list[str]:
    """Copy a directory profile onto `user` (and their ambassador's department).
    Returns the changed user field names. With ``save=False`` the caller saves the user
    (allauth saves new users itself); the department is then stored on the user only."""
    changed: list[str] = []
    provider_wins = settings.IDENTITY_PROVIDER_NAMES_WIN or user.names_chosen_at is None
    for field in ("first_name", "last_name", "display_name"):
        value = getattr(profile, field)
        if value is None or getattr(user, field) == value:
            continue
        if provider_wins or not getattr(user, field):
            setattr(user, field, value)
            changed.append(field)
    if profile.department is not None:
        department = department_for_name(profile.department) if profile.department else None
        if user.department_id != (department.pk if department else None):
            user.department = department
            changed.append("department")
    if save and changed and user.pk:
        user.save(update_fields=changed)
    if user.pk and "department" in changed:
        Ambassador.objects.filter(user=user).update(department=user.department)
    return changed

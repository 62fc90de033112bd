"""Changing the site settings: comms leads and admins only, every change audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_record, field_changes
from .models import AuditEvent, SiteSettings, User

SETTINGS_FIELDS = (
    "review_required",
    "digests_enabled",
    "digest_send_hour",
    "disclosure_en",
    "disclosure_nl",
    "urgent_send_delay_minutes",
    "linkedin_share",
)


class SettingsRefused(Exception):
    """The user may not change the site settings; nothing was changed."""


def can_change_settings(user: User | AnonymousUser | None) -> bool:
    """Comms leads (permission ``change_sitesettings``) and superusers."""
    return bool(
        user is not None
        and user.is_active
        and (user.is_superuser or user.has_perm("ambassadors.change_sitesettings"))
    )


@transaction.atomic
def site_settings_update(*, by: User, **values: Any) -> SiteSettings:
    """Saves the given fields (names from SETTINGS_FIELDS) and records one audit event with
    each changed field's old and new value. Raises SettingsRefused for anyone but a lead or
    admin, TypeError for unknown fields. No change, no event."""
    if not can_change_settings(by):
        raise SettingsRefused(_("Only comms leads can change the settings."))
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not a setting: {', '.join(sorted(unknown))}")
    site = SiteSettings.objects.select_for_update().get(pk=SiteSettings.load().pk)
    before = {name: getattr(site, name) for name in values}
    changes = field_changes(before, values)
    if not changes:
        return site
    for name in changes:
        setattr(site, name, values[name])
    site.save(update_fields=list(changes))
    audit_record(actor=by, action=AuditEvent.Action.SETTINGS_CHANGED, obj=site, changes=changes)
    return site


def settings_history(*, limit: int = 20) -> list[AuditEvent]:
    """The latest settings changes for the settings page, newest first."""
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_CHANGED).order_by("-at", "-pk")[
            :limit
        ]
    )

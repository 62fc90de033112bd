"""The staff roles: groups and the permissions they hold.

Created by migration 0002; ``ensure_role_groups`` re-creates them after a database flush
(transactional tests) and for `seed_demo`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import Group, Permission

COMMS = "Comms"
COMMS_LEADS = "Comms leads"

# Comms change items, suggestions and settings only through the studio (its services check
# the review rules and write the audit trail); in the admin they may look, and keep their
# own jargon list. Issue 12 took add/change of items and suggestions away from both roles.
COMMS_PERMISSIONS = [
    "publish_item",
    "view_item",
    "view_suggestion",
    "view_sitesettings",
    "view_auditevent",
    "view_jargonterm",
    "add_jargonterm",
    "change_jargonterm",
    "delete_jargonterm",
    "view_digestrun",
]
ROLE_PERMISSIONS = {
    COMMS: COMMS_PERMISSIONS,
    # Leads also change the site settings (review rule, disclosure lines, e-mail hour).
    COMMS_LEADS: [*COMMS_PERMISSIONS, "publish_urgent", "change_sitesettings"],
}
# Held by these groups before issue 12; removed from existing databases by migration 0012.
REVOKED_PERMISSIONS = {
    COMMS: ["add_item", "change_item", "change_suggestion", "change_sitesettings"],
    COMMS_LEADS: ["add_item", "change_item", "change_suggestion"],
}


def ensure_role_groups(
    group_model: type[Group] | None = None, permission_model: type[Permission] | None = None
) -> dict[str, Group]:
    """Groups by name, created and given their permissions if missing, revoked ones
    removed (idempotent). Migrations pass their historical models; the default is the
    current ones."""
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    groups = {}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="ambassadors", codename__in=codenames
            )
        )
        group.permissions.remove(
            *permission_model.objects.filter(
                content_type__app_label="ambassadors",
                codename__in=REVOKED_PERMISSIONS.get(name, []),
            )
        )
        groups[name] = group
    return groups

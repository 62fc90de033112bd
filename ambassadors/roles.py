"""The staff roles: groups and the permissions they hold.

Created by migration 0002; ``ensure_role_groups`` re-creates them after a database flush
(transactional tests) and for `seed_demo`.
"""

COMMS = "Comms"
COMMS_LEADS = "Comms leads"

COMMS_PERMISSIONS = [
    "publish_item",
    "view_item",
    "add_item",
    "change_item",
    "view_suggestion",
    "change_suggestion",
    "view_sitesettings",
    "change_sitesettings",
    "view_jargonterm",
    "add_jargonterm",
    "change_jargonterm",
    "delete_jargonterm",
    "view_digestrun",
]
ROLE_PERMISSIONS = {
    COMMS: COMMS_PERMISSIONS,
    COMMS_LEADS: [*COMMS_PERMISSIONS, "publish_urgent"],
}


def ensure_role_groups(group_model=None, permission_model=None) -> dict:
    """Groups by name, created and given their permissions if missing (idempotent)."""
    if group_model is None:
        from django.contrib.auth.models import Group as group_model
        from django.contrib.auth.models import Permission as permission_model
    groups = {}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="ambassadors", codename__in=codenames
            )
        )
        groups[name] = group
    return groups

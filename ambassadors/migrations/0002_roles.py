"""The "Comms" and "Comms leads" groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
LEAD_PERMISSIONS = [*COMMS_PERMISSIONS, "publish_urgent"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make them exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Comms", COMMS_PERMISSIONS), ("Comms leads", LEAD_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="ambassadors", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Comms", "Comms leads"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ambassadors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

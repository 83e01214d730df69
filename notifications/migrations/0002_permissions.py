"""Editors and viewers may read what reminders were sent and who watches what."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["view_reminder", "view_watch", "view_notificationsettings"],
    "Viewers": ["view_reminder", "view_watch"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("notifications")
    app_config.models_module = True  # as in agreements 0003: create_permissions needs it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    for group, permissions in granted(apps):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    for group, permissions in granted(apps):
        group.permissions.remove(*permissions)


def granted(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        if group := Group.objects.filter(name=name).first():
            yield group, Permission.objects.filter(
                content_type__app_label="notifications", codename__in=codenames
            )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("agreements", "0003_permission_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

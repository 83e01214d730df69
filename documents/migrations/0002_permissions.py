"""Editors keep an agreement's documents (add, replace, delete); viewers read them,
internal ones included."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["add_document", "change_document", "delete_document", "view_document",
                "view_documentversion"],
    "Viewers": ["view_document", "view_documentversion"],
}  # fmt: skip


def grant(apps, schema_editor):
    app_config = apps.get_app_config("documents")
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
                content_type__app_label="documents", codename__in=codenames
            )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_documents"),
        ("agreements", "0003_permission_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

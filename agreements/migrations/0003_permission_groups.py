from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = {
    "partners": ["agency", "representative"],
    "agreements": ["cooperationarea", "agreement", "party", "milestone", "documentlink"],
}
# Editors keep the record of who took part: they cannot delete agencies,
# their representatives or the shared list of cooperation areas.
EDITORS_MAY_DELETE = {"agreement", "party", "milestone", "documentlink"}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_label in MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # migration state apps lack it; create_permissions needs it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(actions, models):
        codenames = [f"{action}_{model}" for model in models for action in actions]
        return Permission.objects.filter(
            content_type__app_label__in=MODELS, codename__in=codenames
        )

    all_models = [model for models in MODELS.values() for model in models]
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(
        list(perms(["add", "change", "view"], all_models))
        + list(perms(["delete"], EDITORS_MAY_DELETE))
    )
    viewers, _ = Group.objects.get_or_create(name="Viewers")
    viewers.permissions.set(perms(["view"], all_models))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_cooperation_areas"),
        ("partners", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]

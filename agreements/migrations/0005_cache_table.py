from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The home page's counts live in a database cache (settings.CACHES);
    # making its table here means every `migrate` leaves a working site.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS accords_cache")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0004_history")]
    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]

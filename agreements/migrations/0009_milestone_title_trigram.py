"""A trigram index for the admin's milestone search, PostgreSQL only (see 0007).

Built CONCURRENTLY, outside a transaction, so that on a table of a million
milestones editors keep saving while it is made.
"""

from django.db import migrations

NAME = "milestone_title_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{NAME}" ON "agreements_milestone" '
            'USING gin ((UPPER("title"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("agreements", "0008_reference_counter")]
    operations = [migrations.RunPython(create, drop)]

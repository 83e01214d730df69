"""Trigram indexes on the search documents (PostgreSQL).

Built CONCURRENTLY, outside a transaction, so that editors keep saving while they
are made on a table of a million milestones. The documents of the records already
there are written after `migrate`, by the current code (agreements/apps.py,
`build_missing_documents`), not here: a migration that ran today's models would
break once a later migration adds a column.
"""

from django.db import migrations

INDEXES = {
    "agreement_search_trgm": ("agreements_agreement", "search_document"),
    "milestone_search_trgm": ("agreements_milestone", "search_document"),
    "agency_search_trgm": ("partners_agency", "search_document"),
    "search_word_trgm": ("agreements_searchword", "word"),  # closest word to a typo
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, column) in INDEXES.items():
            # A CONCURRENTLY build that failed half-way leaves an invalid index that
            # IF NOT EXISTS would keep for ever: drop it and build again.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
                    "WHERE relname = %s AND NOT indisvalid",
                    [name],
                )
                if cursor.fetchone():
                    schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ("{column}" gin_trgm_ops)'
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("agreements", "0012_search_words"),
        ("partners", "0004_search_documents"),
    ]
    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]

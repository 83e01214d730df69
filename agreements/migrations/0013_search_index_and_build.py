"""Trigram indexes on the search documents (PostgreSQL), then the documents of the
records already there.

The indexes are built CONCURRENTLY, outside a transaction, so that editors keep
saving while they are made on a table of a million milestones; the documents are
written a batch at a time for the same reason. `manage.py rebuild_search` does
the second part again whenever the documents' recipe changes.
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
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ("{column}" gin_trgm_ops)'
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


def build_documents(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    Agency = apps.get_model("partners", "Agency")
    if not (Agreement.objects.exists() or Agency.objects.exists()):
        return  # a new database: documents are made as records are saved
    from agreements.search import refresh_all

    refresh_all()


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("agreements", "0012_search_words"),
        ("partners", "0004_search_documents"),
    ]
    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(build_documents, migrations.RunPython.noop),
    ]

"""Indexes that need each database's own SQL.

- The lists' default order, newest signed first with undated agreements last:
  PostgreSQL needs `DESC NULLS LAST` spelled out, which SQLite cannot index
  (its DESC already puts NULLs last).
- Trigram indexes for the free-text search, PostgreSQL only: Django's icontains
  is `UPPER(column::text) LIKE UPPER(%s)` there, and a GIN trigram index on that
  expression serves it. SQLite needs none at its sizes.

They are not in the models' Meta, which would tie the models to one database.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "agreement_reference_trgm": ("agreements_agreement", "reference"),
    "agreement_title_trgm": ("agreements_agreement", "title"),
    "agreement_summary_trgm": ("agreements_agreement", "summary"),
}
ORDER_INDEX = "agreement_signed_order_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{ORDER_INDEX}" '
            'ON "agreements_agreement" ("signed_on" DESC, "reference")'
        )
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{ORDER_INDEX}" '
        'ON "agreements_agreement" ("signed_on" DESC NULLS LAST, "reference")'
    )
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    for name in [ORDER_INDEX, *TRIGRAM_INDEXES]:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_list_indexes")]
    operations = [migrations.RunPython(create, drop)]

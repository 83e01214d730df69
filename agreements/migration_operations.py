"""Schema changes that stay safe on tables of a million rows under load."""

from django.db import migrations


class AddNullableForeignKey(migrations.AddField):
    """AddField for a nullable foreign key that never blocks writers on PostgreSQL.

    Django's AddField adds the constraint in a way that scans the table under a
    lock that blocks every save, and builds the index the same way. Here the column
    comes first (no rewrite for a nullable column without a default), the constraint
    is added NOT VALID and validated without blocking writes, and the index is built
    CONCURRENTLY. The migration holding it must say `atomic = False`. Other
    databases take Django's own path: their tables are not shared by live writers.
    """

    # Waiting longer than this for a table lock, behind a long export say, would
    # queue every query on the table behind the migration: better to fail and retry.
    LOCK_TIMEOUT = "5s"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        assert field.null, "only a nullable column can be added without rewriting the table"
        quote = schema_editor.quote_name
        table, column = model._meta.db_table, field.column
        column_type = field.db_parameters(connection=schema_editor.connection)["type"]
        # Every step can be run again after a failure (the migration is not atomic).
        schema_editor.execute(f"SET lock_timeout = '{self.LOCK_TIMEOUT}'")
        try:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} "
                f"ADD COLUMN IF NOT EXISTS {quote(column)} {column_type} NULL"
            )
            if field.db_constraint:
                statement = schema_editor._create_fk_sql(
                    model, field, "_fk_%(to_table)s_%(to_column)s"
                )
                name = str(statement.parts["name"]).strip('"')
                if not self.exists(
                    schema_editor, "SELECT 1 FROM pg_constraint WHERE conname = %s", name
                ):
                    schema_editor.execute(f"{statement} NOT VALID")
                schema_editor.execute(
                    f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {quote(name)}"
                )
            if field.db_index:
                index = schema_editor._create_index_name(table, [column])
                # A CREATE INDEX CONCURRENTLY that failed leaves an invalid index behind,
                # which IF NOT EXISTS would keep: drop it and build it again.
                invalid = (
                    "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
                    "WHERE relname = %s AND NOT indisvalid"
                )
                if self.exists(schema_editor, invalid, index):
                    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(index)}")
                schema_editor.execute(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(index)} "
                    f"ON {quote(table)} ({quote(column)})"
                )
        finally:
            schema_editor.execute("RESET lock_timeout")

    @staticmethod
    def exists(schema_editor, sql: str, *params) -> bool:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() is not None

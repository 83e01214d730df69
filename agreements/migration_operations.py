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

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        assert field.null, "only a nullable column can be added without rewriting the table"
        quote = schema_editor.quote_name
        table, column = model._meta.db_table, field.column
        column_type = field.db_parameters(connection=schema_editor.connection)["type"]
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} "
            f"ADD COLUMN IF NOT EXISTS {quote(column)} {column_type} NULL"
        )
        if field.db_constraint:
            statement = schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
            schema_editor.execute(f"{statement} NOT VALID")
            name = str(statement.parts["name"])
            schema_editor.execute(f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {name}")
        if field.db_index:
            index = schema_editor._create_index_name(table, [column])
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(index)} "
                f"ON {quote(table)} ({quote(column)})"
            )

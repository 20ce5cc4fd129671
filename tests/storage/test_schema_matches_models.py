"""The migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (the tables register with SQLModel.metadata)


def test_a_migrated_database_has_every_table_column_and_index_of_the_models(database):
    """Autogenerate finds nothing to add or drop: no model change lacks its migration."""
    with database.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []

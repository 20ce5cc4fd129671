"""a progress report may say which of its directive's milestones it answers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name == "sqlite":
        # A plain ADD COLUMN with its REFERENCES clause, which SQLite takes when the default is
        # NULL: a batch copy of progressreport would trip the difficulty threads' references.
        op.execute(
            "ALTER TABLE progressreport ADD COLUMN milestone_id INTEGER REFERENCES milestone (id)"
        )
        return
    op.add_column("progressreport", sa.Column("milestone_id", sa.Integer(), nullable=True))
    op.create_foreign_key(None, "progressreport", "milestone", ["milestone_id"], ["id"])


def downgrade() -> None:
    """Revert this revision; reports keep their status, no longer tied to a milestone."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("progressreport", "milestone_id")
        return
    # SQLite will not drop a column with a REFERENCES clause: the table is copied without it,
    # with foreign keys off, or dropping the old copy would trip the difficulty threads'
    # references. The pragma only takes effect outside a transaction, so the steps before this
    # one are committed first (SQLite had committed their DDL as it ran anyway).
    raw = op.get_bind().connection.dbapi_connection
    assert raw is not None
    raw.commit()
    raw.execute("PRAGMA foreign_keys = OFF")
    with op.batch_alter_table("progressreport", recreate="always") as batch:
        batch.drop_column("milestone_id")
    raw.commit()
    raw.execute("PRAGMA foreign_keys = ON")

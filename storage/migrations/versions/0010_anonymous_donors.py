"""a contribution may come from a donor who asked not to be named in public

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    # A plain ADD COLUMN, which SQLite takes too: a batch copy of the table would have to
    # drop it, which its foreign keys (a reversal points at its original) forbid.
    # The server default makes the rows already in the ledger named donors.
    op.add_column(
        "contribution",
        sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Revert this revision; anonymous donors' rows stay, under the name they were recorded
    with ('Ẩn danh' or the real name kept for the office)."""
    # ALTER TABLE … DROP COLUMN, for the same reason (SQLite 3.35 and later).
    op.drop_column("contribution", "anonymous")

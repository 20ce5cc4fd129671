"""a contribution may come from a donor who asked not to be named in public

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        # A server default: rows already in the ledger, and bulk inserts, are named donors.
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Revert this revision; anonymous donors' rows stay, under the name they were recorded
    with ('Ẩn danh' or the real name kept for the office)."""
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_column("anonymous")

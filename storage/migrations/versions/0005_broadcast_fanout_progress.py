"""broadcasts remember how far their fan-out got, so a large one goes out in the background

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fanned_out_to", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("fanned_out_at", sa.DateTime(), nullable=True))
    # Every broadcast sent before this revision was queued whole in its author's turn.
    op.execute("UPDATE broadcast SET fanned_out_at = created_at")


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_column("fanned_out_at")
        batch_op.drop_column("fanned_out_to")

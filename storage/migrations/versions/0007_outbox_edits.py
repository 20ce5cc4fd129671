"""outbox rows may change the buttons of a message already sent instead of sending a new one

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        # A server default: bulk inserts that name their columns leave this one out.
        batch_op.add_column(
            sa.Column(
                "edit_message_id",
                sqlmodel.sql.sqltypes.AutoString(length=255),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    """Revert this revision; edits still waiting go out as new messages, as when the message
    to edit is gone, except those that only take buttons away: they have nothing to send."""
    op.execute(
        "DELETE FROM outboxmessage WHERE edit_message_id <> '' AND text = '' AND status = 'pending'"
    )
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("edit_message_id")

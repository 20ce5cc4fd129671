"""indexes for directive status, fund totals and chat lookups

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_INDEXES = {
    "identity": ("ix_identity_channel_chat", ["channel", "chat_id"]),
    "assignment": ("ix_assignment_directive_status", ["directive_id", "status"]),
    "contribution": (
        "ix_contribution_totals",
        ["unit_id", "contributed_on", "amount", "reverses_id"],
    ),
}


def upgrade() -> None:
    """Apply this revision."""
    for table, (name, columns) in _INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    """Undo this revision."""
    for table, (name, _columns) in _INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)

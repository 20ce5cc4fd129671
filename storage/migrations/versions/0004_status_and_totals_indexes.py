"""indexes for directive status, fund totals and chat lookups; running fund totals

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
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
    op.create_table(
        "fundtotal",
        sa.Column("unit_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("standing", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "year"),
    )
    # The ledger already written, summed once; from here on each insert adds itself.
    postgres = op.get_bind().dialect.name == "postgresql"
    year = (
        "CAST(EXTRACT(YEAR FROM contributed_on) AS INTEGER)"
        if postgres
        else "CAST(strftime('%Y', contributed_on) AS INTEGER)"
    )
    op.execute(
        "INSERT INTO fundtotal (unit_key, year, total, standing) "
        f"SELECT COALESCE(unit_id, 0), {year}, SUM(amount), "
        "SUM(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END) "
        f"FROM contribution GROUP BY COALESCE(unit_id, 0), {year}"
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("fundtotal")
    for table, (name, _columns) in _INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)

"""directives carry tasks per kind of unit (or per named unit) and several deadlines;
broadcast.fanned_out_at becomes time-zone aware on PostgreSQL like every other moment

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-20
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "directivetask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("unit_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["directive_id"], ["directive.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_directivetask_directive_id"), "directivetask", ["directive_id"])
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("unit_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["directive_id"], ["directive.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_milestone_directive_id"), "milestone", ["directive_id"])
    if op.get_bind().dialect.name == "postgresql":
        # 0005 made it a naive timestamp; what it holds was written in UTC.
        op.alter_column(
            "broadcast",
            "fanned_out_at",
            type_=sa.DateTime(timezone=True),
            postgresql_using="fanned_out_at AT TIME ZONE 'UTC'",
        )


def downgrade() -> None:
    """Revert this revision; directives keep their single deadline and whole content."""
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "broadcast",
            "fanned_out_at",
            type_=sa.DateTime(),
            postgresql_using="fanned_out_at AT TIME ZONE 'UTC'",
        )
    op.drop_index(op.f("ix_milestone_directive_id"), table_name="milestone")
    op.drop_table("milestone")
    op.drop_index(op.f("ix_directivetask_directive_id"), table_name="directivetask")
    op.drop_table("directivetask")

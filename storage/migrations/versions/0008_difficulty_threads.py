"""difficulties get a thread of answers between the office and the unit, and a resolution

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("progressreport", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("resolved_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_progressreport_resolved_by_person", "person", ["resolved_by"], ["id"]
        )
    op.create_table(
        "difficultymessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("side", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["progressreport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_difficultymessage_assignment_id"), "difficultymessage", ["assignment_id"]
    )
    op.create_index(op.f("ix_difficultymessage_report_id"), "difficultymessage", ["report_id"])


def downgrade() -> None:
    """Revert this revision; the answers and resolutions are dropped with their columns."""
    op.drop_index(op.f("ix_difficultymessage_report_id"), table_name="difficultymessage")
    op.drop_index(op.f("ix_difficultymessage_assignment_id"), table_name="difficultymessage")
    op.drop_table("difficultymessage")
    with op.batch_alter_table("progressreport", schema=None) as batch_op:
        batch_op.drop_constraint("fk_progressreport_resolved_by_person", type_="foreignkey")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("resolved_at")

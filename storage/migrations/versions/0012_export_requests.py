"""files asked for in the chat (/xuat) wait in exportrequest until the background job builds them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "exportrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("leased_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_exportrequest_person_id"), "exportrequest", ["person_id"])
    op.create_index("ix_exportrequest_status", "exportrequest", ["status", "id"])


def downgrade() -> None:
    """Revert this revision; requests not yet built are dropped with the table."""
    op.drop_index("ix_exportrequest_status", table_name="exportrequest")
    op.drop_index(op.f("ix_exportrequest_person_id"), table_name="exportrequest")
    op.drop_table("exportrequest")

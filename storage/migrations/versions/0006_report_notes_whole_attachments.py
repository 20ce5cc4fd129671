"""progress reports keep long notes whole and every photo and file sent with them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("progressreport", schema=None) as batch_op:
        batch_op.alter_column(
            "note",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=1000),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.add_column(
            sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]")
        )
    # Reports sent before this revision carried at most one photo.
    op.execute("UPDATE progressreport SET attachments = " + _one_photo() + " WHERE photo_ref <> ''")


def _one_photo() -> str:
    """SQL building [["photo", photo_ref, ""]] from a row, on either database."""
    if op.get_bind().dialect.name == "postgresql":
        return "json_build_array(json_build_array('photo', photo_ref, ''))"
    return "json_array(json_array('photo', photo_ref, ''))"


def downgrade() -> None:
    """Revert this revision; notes longer than the old column are cut to fit."""
    op.execute("UPDATE progressreport SET note = substr(note, 1, 1000)")
    with op.batch_alter_table("progressreport", schema=None) as batch_op:
        batch_op.drop_column("attachments")
        batch_op.alter_column(
            "note",
            existing_type=sa.Text(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=1000),
            existing_nullable=False,
        )

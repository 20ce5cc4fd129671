"""people and units that change, revocable codes, room for long chat ids, pruning indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WIDE_IDS = {
    "identity": ["external_id", "chat_id"],
    "conversation": ["external_id"],
    "outboxmessage": ["chat_id"],
}


def _when(name: str) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(_when("archived_at"))
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(_when("removed_at"))
        batch_op.add_column(
            sa.Column(
                "preferred_channel",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("invitecode", schema=None) as batch_op:
        batch_op.add_column(_when("revoked_at"))
    for table, columns in _WIDE_IDS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                    type_=sqlmodel.sql.sqltypes.AutoString(length=255),
                    existing_nullable=False,
                )
            if table == "identity":
                batch_op.add_column(_when("last_seen_at"))
            if table == "outboxmessage":
                batch_op.create_index(
                    batch_op.f("ix_outboxmessage_sent_at"), ["sent_at"], unique=False
                )
    with op.batch_alter_table("inboundkey", schema=None) as batch_op:
        batch_op.alter_column(
            "key",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=120),
            type_=sqlmodel.sql.sqltypes.AutoString(length=300),
            existing_nullable=False,
        )
        batch_op.create_index(batch_op.f("ix_inboundkey_at"), ["at"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("inboundkey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inboundkey_at"))
        batch_op.alter_column(
            "key",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
            type_=sqlmodel.sql.sqltypes.AutoString(length=120),
            existing_nullable=False,
        )
    for table, columns in _WIDE_IDS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "outboxmessage":
                batch_op.drop_index(batch_op.f("ix_outboxmessage_sent_at"))
            if table == "identity":
                batch_op.drop_column("last_seen_at")
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
                    type_=sqlmodel.sql.sqltypes.AutoString(length=64),
                    existing_nullable=False,
                )
    with op.batch_alter_table("invitecode", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("preferred_channel")
        batch_op.drop_column("removed_at")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("archived_at")

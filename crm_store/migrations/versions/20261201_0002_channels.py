"""channels: message kinds, quick-reply buttons and reply links, inbound receipts, one open conversation

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:29:07.949487
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE_KIND = sa.Enum(
    "text",
    "image",
    "voice",
    "video",
    "location",
    "link",
    "event",
    name="messagekind",
    native_enum=False,
    create_constraint=True,
    length=32,
)
OPEN = sa.text("status != 'closed'")


def upgrade() -> None:
    op.create_table(
        "inbound_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("web", "wechat", name="channel", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("sender_key", sa.String(length=128), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("received_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_inbound_receipts_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_receipts")),
        sa.UniqueConstraint(
            "channel",
            "sender_key",
            "external_id",
            name=op.f("uq_inbound_receipts_channel_sender_key_external_id"),
        ),
    )
    # Before the index can hold, older duplicates of an open conversation are closed (nothing is deleted).
    op.execute(
        """
        UPDATE conversations SET status = 'closed', ended_at = last_message_at
        WHERE status != 'closed' AND EXISTS (
            SELECT 1 FROM conversations AS newer
            WHERE newer.customer_id = conversations.customer_id
              AND newer.channel = conversations.channel
              AND newer.status != 'closed'
              AND newer.id > conversations.id
        )
        """
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_conversations_open_per_channel",
            ["customer_id", "channel"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )

    # Existing messages were all text: the default fills them, then goes, so the models stay the one source.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", MESSAGE_KIND, nullable=False, server_default="text"))
        batch_op.add_column(sa.Column("reply_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("buttons", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_messages_reply_to_id"), ["reply_to_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_reply_to_id_messages"),
            "messages",
            ["reply_to_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_messages_reply_to_id_messages"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_messages_reply_to_id"))
        batch_op.drop_column("buttons")
        batch_op.drop_column("reply_to_id")
        # SQLite's batch copy keeps the CHECK constraint unless it is dropped by name with its column.
        batch_op.drop_constraint("messagekind", type_="check")
        batch_op.drop_column("kind")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("uq_conversations_open_per_channel", sqlite_where=OPEN, postgresql_where=OPEN)

    op.drop_table("inbound_receipts")

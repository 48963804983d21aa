"""Conversations on a channel and the messages in them, with NLU and sentiment results per message."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_store.base import Base, str_enum, utcnow
from crm_store.enums import (
    Channel,
    ConversationStatus,
    MessageDirection,
    MessageKind,
    MessageSender,
    SentimentLabel,
)

if TYPE_CHECKING:
    from crm_store.models.customer import Customer


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint("csat_score BETWEEN 1 AND 5", name="csat_score_range"),
        Index("ix_conversations_customer_started", "customer_id", "started_at"),
        Index("ix_conversations_status_started", "status", "started_at"),
        # The dashboard: containment counts conversations by start, CSAT by end.
        Index("ix_conversations_started", "started_at"),
        Index("ix_conversations_ended", "ended_at"),
        # One open conversation per customer and channel: two first messages racing cannot open two.
        Index(
            "uq_conversations_open_per_channel",
            "customer_id",
            "channel",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    status: Mapped[ConversationStatus] = mapped_column(
        str_enum(ConversationStatus), default=ConversationStatus.BOT
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    handed_over_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    csat_score: Mapped[int | None] = mapped_column(SmallInteger)
    csat_comment: Mapped[str | None] = mapped_column(String(1000))
    csat_at: Mapped[datetime | None]

    customer: Mapped[Customer] = relationship(back_populates="conversations")
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.id"
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # WeChat retries a message up to three times with the same MsgId: store it once.
        UniqueConstraint("conversation_id", "external_id"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        Index("ix_messages_intent", "intent"),
        # The dashboard reads customer messages by period.
        Index("ix_messages_sender_created", "sender", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[MessageDirection] = mapped_column(str_enum(MessageDirection))
    sender: Mapped[MessageSender] = mapped_column(str_enum(MessageSender))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind), default=MessageKind.TEXT)
    text: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(64))
    # The customer message a bot, staff or system message answers: a retried message gets the same answers.
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    # The bot's quick replies, [{"title": …, "payload": …}]; payloads never leave the server.
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    sentiment_label: Mapped[SentimentLabel | None] = mapped_column(str_enum(SentimentLabel))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class InboundReceipt(Base):
    """One row per message a channel delivered, keyed by the channel's own id for it.

    WeChat retries a message up to three times, a widget re-sends after a network drop: the unique key turns
    every repeat into an IntegrityError, however the repeats interleave, so each message is handled once.
    """

    __tablename__ = "inbound_receipts"
    __table_args__ = (UniqueConstraint("channel", "sender_key", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    # The customer's id on the channel (web visitor id, WeChat openid).
    sender_key: Mapped[str] = mapped_column(String(128))
    # The channel's id of the message: a widget client id, a WeChat MsgId, or openid+CreateTime for events.
    external_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once the answers are stored; a repeat arriving before then waits for them.
    answered_at: Mapped[datetime | None]

"""Escalations (complaints, handoffs, review follow-ups) with priority, SLA and their event history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_store.base import Base, TimestampMixin, str_enum, utcnow
from crm_store.enums import (
    EscalationCategory,
    EscalationEventKind,
    EscalationStatus,
    Priority,
    ResolutionReason,
    SentimentLabel,
)
from crm_store.models.tag import escalation_tags

if TYPE_CHECKING:
    from crm_store.models.conversation import Conversation
    from crm_store.models.customer import Customer
    from crm_store.models.order import Order
    from crm_store.models.staff import StaffUser
    from crm_store.models.tag import Tag


class Escalation(TimestampMixin, Base):
    __tablename__ = "escalations"
    __table_args__ = (
        # The staff queue: open work by urgency and deadline.
        Index("ix_escalations_queue", "status", "priority", "sla_due_at"),
        Index("ix_escalations_assignee_status", "assignee_id", "status"),
        Index("ix_escalations_customer", "customer_id"),
        Index("ix_escalations_conversation", "conversation_id"),
        Index("ix_escalations_created", "created_at"),  # the dashboard's case statistics by period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    category: Mapped[EscalationCategory] = mapped_column(str_enum(EscalationCategory))
    description: Mapped[str] = mapped_column(Text)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    sentiment_label: Mapped[SentimentLabel | None] = mapped_column(str_enum(SentimentLabel))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority))
    status: Mapped[EscalationStatus] = mapped_column(str_enum(EscalationStatus), default=EscalationStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    sla_due_at: Mapped[datetime]
    assigned_at: Mapped[datetime | None]
    in_progress_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    resolution_reason: Mapped[ResolutionReason | None] = mapped_column(str_enum(ResolutionReason))
    # Optimistic locking: every staff change names the version it saw and bumps it, so of two people
    # changing one case at once the second is told, not silently overwritten.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    customer: Mapped[Customer] = relationship()
    conversation: Mapped[Conversation | None] = relationship()
    order: Mapped[Order | None] = relationship()
    assignee: Mapped[StaffUser | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=escalation_tags, order_by="Tag.name")
    events: Mapped[list[EscalationEvent]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationEvent.id"
    )

    # Every UPDATE of the row checks the version it read and bumps it; a lost race is a StaleDataError.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class EscalationEvent(Base):
    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EscalationEventKind] = mapped_column(str_enum(EscalationEventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[EscalationStatus | None] = mapped_column(
        str_enum(EscalationStatus, name="from_status")
    )
    to_status: Mapped[EscalationStatus | None] = mapped_column(str_enum(EscalationStatus, name="to_status"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    escalation: Mapped[Escalation] = relationship(back_populates="events")

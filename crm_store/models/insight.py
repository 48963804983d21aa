"""What the insights jobs compute: word-of-mouth alerts and each customer's computed segments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_store.base import Base, str_enum, utcnow
from crm_store.enums import AlertKind, AlertStatus, SegmentKind


class Alert(Base):
    """A significant rise in negative mentions of one aspect, product or keyword over its own baseline."""

    __tablename__ = "alerts"
    __table_args__ = (
        # Re-running the job on the same day finds the same rise and must not store it twice.
        UniqueConstraint("kind", "key", "detected_on"),
        Index("ix_alerts_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind))
    key: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    detected_on: Mapped[date]
    window_start_at: Mapped[datetime]
    window_end_at: Mapped[datetime]
    baseline_days: Mapped[int]
    observed: Mapped[int]
    expected: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    share_now: Mapped[float | None] = mapped_column(Float)
    share_before: Mapped[float | None] = mapped_column(Float)
    # [{"review_id": 1, "text": "..."}]: a few of the window's negative texts, for the page and the webhook.
    examples: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[AlertStatus] = mapped_column(str_enum(AlertStatus), default=AlertStatus.OPEN)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    notify_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerSegment(Base):
    """One computed segment of a customer (an RFM tier or a behaviour tag), with when and why.

    Recomputation replaces these rows wholesale; tags staff put on customers live in `tags` and are never touched.
    """

    __tablename__ = "customer_segments"
    __table_args__ = (
        UniqueConstraint("customer_id", "name"),
        Index("ix_customer_segments_kind_name", "kind", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[SegmentKind] = mapped_column(str_enum(SegmentKind))
    name: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SegmentSummary(Base):
    """Each segment's size and its customers' review sentiment, counted when the segments were computed."""

    __tablename__ = "segment_summaries"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[SegmentKind] = mapped_column(str_enum(SegmentKind))
    customers: Mapped[int]
    reviews: Mapped[int]
    average_sentiment: Mapped[float | None] = mapped_column(Float)  # mean P(positive) of their reviews
    negative_share: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime]

"""Customers and the channel identities (web visitor ids, WeChat openids) that lead to them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_store.base import Base, TimestampMixin, str_enum, utcnow
from crm_store.enums import Channel, CustomerTier
from crm_store.models.tag import customer_tags

if TYPE_CHECKING:
    from crm_store.models.conversation import Conversation
    from crm_store.models.order import Order
    from crm_store.models.tag import Tag


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_phone", "phone"),
        Index("ix_customers_email", "email"),
        Index("ix_customers_tier", "tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    tier: Mapped[CustomerTier] = mapped_column(str_enum(CustomerTier), default=CustomerTier.REGULAR)
    note: Mapped[str | None] = mapped_column(String(1000))

    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="ChannelIdentity.id"
    )
    orders: Mapped[list[Order]] = relationship(back_populates="customer", order_by="Order.created_at.desc()")
    conversations: Mapped[list[Conversation]] = relationship(back_populates="customer")
    tags: Mapped[list[Tag]] = relationship(secondary=customer_tags, order_by="Tag.name")


class ChannelIdentity(Base):
    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")

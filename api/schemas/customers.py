"""Customer shapes: the list row, and the 360 view staff open during a conversation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from crm_store.enums import (
    Channel,
    ConversationStatus,
    CustomerTier,
    EscalationCategory,
    EscalationStatus,
    OrderStatus,
    Priority,
)


class _FromOrm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IdentityOut(_FromOrm):
    channel: Channel
    external_id: str
    display_name: str | None
    last_seen_at: datetime


class CustomerSummary(_FromOrm):
    id: int
    name: str | None
    phone: str | None
    email: str | None
    tier: CustomerTier
    created_at: datetime


class OrderOut(_FromOrm):
    order_no: str
    status: OrderStatus
    amount: Decimal
    items: list[dict[str, object]]
    carrier: str | None
    tracking_no: str | None
    address: str
    created_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None


class EscalationBrief(_FromOrm):
    id: int
    ticket_no: str
    category: EscalationCategory
    status: EscalationStatus
    priority: Priority
    sla_due_at: datetime
    created_at: datetime


class ConversationBrief(_FromOrm):
    id: int
    channel: Channel
    status: ConversationStatus
    started_at: datetime
    ended_at: datetime | None
    csat_score: int | None


class Customer360(CustomerSummary):
    identities: list[IdentityOut]
    tags: list[str]
    recent_orders: list[OrderOut]
    open_escalations: list[EscalationBrief]
    recent_conversations: list[ConversationBrief]
    review_count: int
    negative_review_count: int
    average_csat: float | None


class MergeIn(BaseModel):
    source_customer_id: int = Field(
        ge=1, description="The record that is merged away; everything it has moves."
    )
    reason: str = Field(min_length=1, max_length=200, description="Why staff are sure both are one person.")

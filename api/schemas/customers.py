"""Customer shapes: the list row, and the 360 view staff open during a conversation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_store.enums import (
    Channel,
    ConversationStatus,
    CustomerTier,
    EscalationCategory,
    EscalationStatus,
    OrderStatus,
    Priority,
    SegmentKind,
    SentimentLabel,
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
    address: str | None
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


class AspectOut(_FromOrm):
    aspect: str = Field(description="物流, 质量, 价格…")
    label: SentimentLabel
    score: float
    clause: str


class ReviewOut(_FromOrm):
    id: int
    source: str
    text: str
    rating: int | None
    sentiment_label: SentimentLabel | None
    sentiment_score: float | None = Field(description="P(positive), 0–1.")
    keywords: list[str] | None
    created_at: datetime
    aspects: list[AspectOut]


class CsatOut(_FromOrm):
    conversation_id: int = Field(validation_alias="id")
    channel: Channel
    score: int = Field(validation_alias="csat_score", description="1–5 stars.")
    comment: str | None = Field(validation_alias="csat_comment")
    rated_at: datetime | None = Field(validation_alias="csat_at")


class CustomerNoteOut(_FromOrm):
    id: int
    text: str
    author_label: str
    created_at: datetime


class CustomerSegmentOut(_FromOrm):
    kind: SegmentKind
    name: str = Field(description="The RFM value tier (e.g. 重要价值) or behaviour tag (e.g. 价格敏感).")
    reason: str = Field(description="Why the customer is in it, in words staff can check.")
    computed_at: datetime


class Customer360(CustomerSummary):
    masked: bool = Field(description="Whether phone, email and addresses are masked for your role.")
    identities: list[IdentityOut]
    tags: list[str]
    value_tier: CustomerSegmentOut | None = Field(
        description="The RFM tier; null until segments are computed."
    )
    behaviour_tags: list[CustomerSegmentOut]
    recent_orders: list[OrderOut]
    open_escalations: list[EscalationBrief]
    escalations: list[EscalationBrief] = Field(description="Every recent case, open or not, newest first.")
    recent_conversations: list[ConversationBrief]
    reviews: list[ReviewOut]
    csat_history: list[CsatOut]
    notes: list[CustomerNoteOut]
    review_count: int
    negative_review_count: int
    average_csat: float | None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RevealIn(_In):
    field: Literal["phone", "email", "address"]


class RevealOut(BaseModel):
    field: str
    values: list[str] = Field(description="Unmasked; addresses: one per distinct order address.")


class CustomerNoteIn(_In):
    text: str = Field(min_length=1, max_length=2000, description="Internal: the customer never sees it.")


class CustomerTagIn(_In):
    tag: str = Field(min_length=1, max_length=50)


class CustomerTagsOut(BaseModel):
    customer_id: int
    tags: list[str]


class MergeIn(BaseModel):
    source_customer_id: int = Field(
        ge=1, description="The record that is merged away; everything it has moves."
    )
    reason: str = Field(min_length=1, max_length=200, description="Why staff are sure both are one person.")

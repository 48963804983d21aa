"""Insights shapes for alerts, segments and the care list: what the jobs found and what managers act on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_store.enums import AlertKind, AlertStatus, SegmentKind


class _FromOrm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AlertOut(_FromOrm):
    id: int
    kind: AlertKind
    key: str
    label: str
    detected_on: date
    window_start_at: datetime
    window_end_at: datetime
    baseline_days: int
    observed: int = Field(description="Negative reviews in the window.")
    expected: float = Field(description="λ = (baseline count + 0.5) × window / baseline days.")
    p_value: float = Field(description="P(X ≥ observed) for X ~ Poisson(expected).")
    share_now: float | None
    share_before: float | None
    examples: list[dict[str, Any]]
    status: AlertStatus
    acknowledged_by_id: int | None
    acknowledged_at: datetime | None
    notified_at: datetime | None
    notify_error: str | None
    created_at: datetime


class AlertRunOut(BaseModel):
    new_alert_ids: list[int]
    notified: int
    failed: int


class SegmentSizeOut(_FromOrm):
    name: str
    kind: SegmentKind
    customers: int
    reviews: int
    average_sentiment: float | None = Field(description="Mean P(positive) of the segment's reviews.")
    negative_share: float | None


class SegmentMemberOut(_FromOrm):
    customer_id: int
    name: str | None
    segment: str
    reason: str
    computed_at: datetime


class SegmentRunOut(BaseModel):
    customers: int
    rows: int
    recency_days: float
    frequency: float
    monetary: float


class CareItemOut(_FromOrm):
    customer_id: int
    name: str | None
    tier: str | None
    reasons: list[str]
    last_event_at: datetime | None


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee_id: int = Field(ge=1, le=2**31 - 1)


class FollowUpOut(BaseModel):
    escalation_id: int
    ticket_no: str
    assignee_id: int | None

"""Audit log shapes: the filter admins read it with and one entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from huisheng.services.audit import AuditFilter


class AuditQuery(BaseModel):
    actor: str | None = Field(
        default=None, min_length=1, max_length=64, description="A username, or bot/system."
    )
    action: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="e.g. customer.pii_revealed; 'customer.' for all.",
    )
    entity_type: str | None = Field(default=None, min_length=1, max_length=32)
    entity_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    since: AwareDatetime | None = Field(
        default=None, description="ISO 8601 with a zone, e.g. 2026-12-01T00:00+08:00"
    )
    until: AwareDatetime | None = Field(default=None, description="Exclusive.")
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=200)

    @model_validator(mode="after")
    def _since_before_until(self) -> AuditQuery:
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError("since must be earlier than until")
        return self

    def to_filter(self) -> AuditFilter:
        return AuditFilter(
            actor=self.actor,
            action=self.action,
            entity_type=self.entity_type,
            entity_id=self.entity_id,
            since=self.since,
            until=self.until,
        )


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    actor_id: int | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: int | None
    details: dict[str, Any]
    created_at: datetime


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    total: int
    page: int
    page_size: int

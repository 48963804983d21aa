"""Who acted, and the audit log entry every write leaves behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.models import AuditEntry


@dataclass(frozen=True, slots=True)
class Actor:
    """A staff user (by id) or a named system part such as the bot or the CLI."""

    label: str
    staff_id: int | None = None

    @classmethod
    def staff(cls, staff_id: int, username: str) -> Actor:
        return cls(label=username, staff_id=staff_id)


BOT = Actor(label="bot")
SYSTEM = Actor(label="system")
CUSTOMER = Actor(label="customer")


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.staff_id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details or {},
    )
    session.add(entry)
    return entry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(
    session: Session, *, filters: AuditFilter, page: int = 1, page_size: int = 50
) -> tuple[list[AuditEntry], int]:
    """Audit entries newest first, filtered in SQL, with the total for paging."""
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor_label == filters.actor.strip().lower())
    if filters.action:
        # "customer." finds every customer action; a full name finds one.
        action = filters.action.strip()
        query = query.where(
            AuditEntry.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else AuditEntry.action == action
        )
    if filters.entity_type:
        query = query.where(AuditEntry.entity_type == filters.entity_type.strip())
    if filters.entity_id is not None:
        query = query.where(AuditEntry.entity_id == filters.entity_id)
    if filters.since is not None:
        query = query.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.created_at < filters.until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = session.scalars(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset((max(1, page) - 1) * page_size)
        .limit(page_size)
    )
    return list(entries), total


def actions(session: Session) -> list[str]:
    """Every action name the log holds, for the filter's choices."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))

"""Who acted, and the audit log entry every write leaves behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

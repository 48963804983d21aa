"""Escalations: opening with priority and SLA, assigning, the status machine and its event history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import (
    CustomerTier,
    EscalationCategory,
    EscalationEventKind,
    EscalationStatus,
    Priority,
    SentimentLabel,
)
from crm_store.models import Escalation, EscalationEvent, Order, StaffUser
from huisheng.errors import InvalidInputError, NotFoundError
from huisheng.services import audit
from huisheng.services.audit import SYSTEM, Actor
from huisheng.services.customers import get_customer
from huisheng.services.validation import clean_phone, clean_text, optional_text

S = EscalationStatus

# new → assigned → in_progress → resolved → closed; a resolved case may be reopened, and a new or
# assigned case may be closed straight away (duplicate, spam) with a resolution saying why.
TRANSITIONS: Mapping[EscalationStatus, frozenset[EscalationStatus]] = {
    S.NEW: frozenset({S.ASSIGNED, S.CLOSED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
}
OPEN_STATUSES = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS})
_TIMESTAMP_FIELD = {
    S.ASSIGNED: "assigned_at",
    S.IN_PROGRESS: "in_progress_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
}
DEFAULT_SLA_HOURS: Mapping[str, float] = {"urgent": 2, "high": 8, "normal": 24, "low": 72}
_LADDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
_BASE_PRIORITY = {
    EscalationCategory.COMPLAINT: Priority.NORMAL,
    EscalationCategory.HANDOFF: Priority.NORMAL,
    EscalationCategory.REFUND: Priority.HIGH,
    EscalationCategory.LOGISTICS: Priority.NORMAL,
    EscalationCategory.REVIEW_FOLLOW_UP: Priority.LOW,
    EscalationCategory.OTHER: Priority.LOW,
}
# Positive-probability below which a text counts as strongly negative.
STRONGLY_NEGATIVE_BELOW = 0.1
MAX_DESCRIPTION_LENGTH = 4000


def derive_priority(
    *,
    category: EscalationCategory,
    sentiment_label: SentimentLabel | None,
    sentiment_score: float | None,
    tier: CustomerTier,
) -> Priority:
    """Category sets the base; anger and valuable customers each raise it one step."""
    level = _LADDER.index(_BASE_PRIORITY[category])
    if sentiment_label is SentimentLabel.NEGATIVE:
        level += 1
        if sentiment_score is not None and sentiment_score < STRONGLY_NEGATIVE_BELOW:
            level += 1
    if tier in (CustomerTier.GOLD, CustomerTier.VIP):
        level += 1
    return _LADDER[min(level, len(_LADDER) - 1)]


def sla_due(created_at: datetime, priority: Priority, sla_hours: Mapping[str, float]) -> datetime:
    return created_at + timedelta(hours=sla_hours[priority.value])


def get_escalation(session: Session, *, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFoundError(f"escalation {escalation_id} does not exist")
    return escalation


def get_by_ticket(session: Session, *, ticket_no: str) -> Escalation:
    escalation = session.scalar(select(Escalation).where(Escalation.ticket_no == ticket_no.strip()))
    if escalation is None:
        raise NotFoundError(f"ticket {ticket_no} does not exist")
    return escalation


def open_for_conversation(session: Session, *, conversation_id: int) -> Escalation | None:
    return session.scalar(
        select(Escalation)
        .where(Escalation.conversation_id == conversation_id, Escalation.status.in_(OPEN_STATUSES))
        .order_by(Escalation.id.desc())
        .limit(1)
    )


def open_escalation(
    session: Session,
    *,
    customer_id: int,
    category: EscalationCategory | str,
    description: str,
    conversation_id: int | None = None,
    order_no: str | None = None,
    review_id: int | None = None,
    contact_phone: str | None = None,
    sentiment_label: SentimentLabel | None = None,
    sentiment_score: float | None = None,
    priority: Priority | None = None,
    sla_hours: Mapping[str, float] = DEFAULT_SLA_HOURS,
    actor: Actor = SYSTEM,
) -> Escalation:
    """Opens a case with a ticket number, a priority and an SLA deadline, and logs who opened it."""
    try:
        category = EscalationCategory(category)
    except ValueError:
        raise InvalidInputError(f"unknown escalation category '{category}'") from None
    text = clean_text(description, field="description", max_length=MAX_DESCRIPTION_LENGTH)
    phone = clean_phone(contact_phone)
    customer = get_customer(session, customer_id=customer_id)
    order_id = None
    if order_no:
        order = session.scalar(
            select(Order).where(Order.order_no == order_no.strip(), Order.customer_id == customer.id)
        )
        if order is None:
            raise NotFoundError(f"no order {order_no} for this customer")
        order_id = order.id
    if priority is None:
        priority = derive_priority(
            category=category,
            sentiment_label=sentiment_label,
            sentiment_score=sentiment_score,
            tier=customer.tier,
        )
    now = utcnow()
    escalation = Escalation(
        # A placeholder until the id exists: the ticket number is derived from it.
        ticket_no=f"pending-{uuid.uuid4().hex[:20]}",
        customer_id=customer.id,
        conversation_id=conversation_id,
        order_id=order_id,
        review_id=review_id,
        category=category,
        description=text,
        contact_phone=phone,
        sentiment_label=sentiment_label,
        sentiment_score=sentiment_score,
        priority=priority,
        status=S.NEW,
        sla_due_at=sla_due(now, priority, sla_hours),
        created_at=now,
    )
    session.add(escalation)
    session.flush()
    escalation.ticket_no = f"HS{now:%y%m%d}{escalation.id:06d}"
    _event(session, escalation, EscalationEventKind.CREATED, actor, to_status=S.NEW)
    audit.record(
        session,
        actor=actor,
        action="escalation.opened",
        entity_type="escalation",
        entity_id=escalation.id,
        details={"category": category.value, "priority": priority.value},
    )
    return escalation


def assign(session: Session, *, escalation_id: int, assignee_id: int, actor: Actor) -> Escalation:
    """Gives the case to a staff member; reassigning keeps the status, a new case becomes assigned."""
    escalation = get_escalation(session, escalation_id=escalation_id)
    assignee = session.get(StaffUser, assignee_id)
    if assignee is None or not assignee.is_active:
        raise NotFoundError(f"staff user {assignee_id} does not exist or is inactive")
    if escalation.status not in OPEN_STATUSES:
        raise InvalidInputError(
            f"escalation {escalation.ticket_no} is {escalation.status.value}; only open cases can be assigned",
            code="illegal_transition",
        )
    escalation.assignee_id = assignee.id
    _event(session, escalation, EscalationEventKind.ASSIGNED, actor, note=f"assigned to {assignee.username}")
    if escalation.status is S.NEW:
        _move(session, escalation, S.ASSIGNED, actor)
    audit.record(
        session,
        actor=actor,
        action="escalation.assigned",
        entity_type="escalation",
        entity_id=escalation.id,
        details={"assignee_id": assignee.id},
    )
    return escalation


def transition(
    session: Session,
    *,
    escalation_id: int,
    to_status: EscalationStatus | str,
    actor: Actor,
    note: str | None = None,
    resolution: str | None = None,
) -> Escalation:
    """Moves the case along the status machine; any other move is an `illegal_transition` error."""
    escalation = get_escalation(session, escalation_id=escalation_id)
    try:
        target = EscalationStatus(to_status)
    except ValueError:
        raise InvalidInputError(f"unknown escalation status '{to_status}'") from None
    if target not in TRANSITIONS[escalation.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[escalation.status])) or "none"
        raise InvalidInputError(
            f"escalation {escalation.ticket_no} cannot go from {escalation.status.value} to {target.value} "
            f"(allowed: {allowed})",
            code="illegal_transition",
        )
    if target is S.ASSIGNED and escalation.assignee_id is None:
        raise InvalidInputError("assign the escalation to someone instead", code="illegal_transition")
    resolution_text = optional_text(resolution, field="resolution", max_length=MAX_DESCRIPTION_LENGTH)
    if target is S.RESOLVED or (target is S.CLOSED and escalation.status is not S.RESOLVED):
        if not resolution_text:
            raise InvalidInputError(f"moving to {target.value} needs a resolution saying what was done")
        escalation.resolution = resolution_text
    _move(session, escalation, target, actor, note=optional_text(note, field="note", max_length=2000))
    audit.record(
        session,
        actor=actor,
        action=f"escalation.{target.value}",
        entity_type="escalation",
        entity_id=escalation.id,
    )
    return escalation


def resolve(session: Session, *, escalation_id: int, resolution: str, actor: Actor) -> Escalation:
    return transition(
        session, escalation_id=escalation_id, to_status=S.RESOLVED, actor=actor, resolution=resolution
    )


def add_note(
    session: Session, *, escalation_id: int, note: str, actor: Actor, joined: bool = False
) -> EscalationEvent:
    escalation = get_escalation(session, escalation_id=escalation_id)
    kind = EscalationEventKind.JOINED if joined else EscalationEventKind.NOTE
    return _event(session, escalation, kind, actor, note=clean_text(note, field="note", max_length=2000))


def _move(
    session: Session, escalation: Escalation, target: EscalationStatus, actor: Actor, note: str | None = None
) -> None:
    previous = escalation.status
    escalation.status = target
    now = utcnow()
    setattr(escalation, _TIMESTAMP_FIELD[target], now)
    if previous is S.RESOLVED and target is S.IN_PROGRESS:
        escalation.resolved_at = None
    _event(
        session,
        escalation,
        EscalationEventKind.STATUS_CHANGED,
        actor,
        from_status=previous,
        to_status=target,
        note=note,
    )


def _event(
    session: Session,
    escalation: Escalation,
    kind: EscalationEventKind,
    actor: Actor,
    *,
    from_status: EscalationStatus | None = None,
    to_status: EscalationStatus | None = None,
    note: str | None = None,
) -> EscalationEvent:
    event = EscalationEvent(
        kind=kind,
        actor_id=actor.staff_id,
        actor_label=actor.label,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    escalation.events.append(event)
    session.flush()
    return event


def queue(
    session: Session,
    *,
    statuses: frozenset[EscalationStatus] = OPEN_STATUSES,
    assignee_id: int | None = None,
    limit: int = 100,
) -> list[Escalation]:
    """Open work, most urgent first, then by SLA deadline."""
    urgency = {p: i for i, p in enumerate(reversed(_LADDER))}
    order_by_priority = case(urgency, value=Escalation.priority)
    query = select(Escalation).where(Escalation.status.in_(statuses))
    if assignee_id is not None:
        query = query.where(Escalation.assignee_id == assignee_id)
    return list(session.scalars(query.order_by(order_by_priority, Escalation.sla_due_at).limit(limit)))

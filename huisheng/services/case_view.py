"""One case as staff see it: the whole conversation with each message's mood and intent, the customer's
orders and earlier contacts, the case's history and what may happen to it next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationStatus,
    MessageKind,
    MessageSender,
    SentimentLabel,
)
from crm_store.models import Conversation, Escalation, EscalationEvent, Message, Order, StaffUser
from huisheng.services import audit, escalations, transcript
from huisheng.services.audit import Actor
from huisheng.services.case_work import can_manage
from huisheng.services.escalations import OPEN_STATUSES, TRANSITIONS
from huisheng.services.masking import masked, sees_pii

MAX_THREAD = 500


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    id: int
    sender: MessageSender
    kind: MessageKind
    text: str
    created_at: datetime
    staff_name: str | None
    intent: str | None
    intent_confidence: float | None
    sentiment_label: SentimentLabel | None
    # P(positive), 0–1, as the sentiment model gives it.
    sentiment_score: float | None
    buttons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EarlierContact:
    conversation_id: int
    channel: Channel
    status: ConversationStatus
    started_at: datetime
    csat_score: int | None
    first_text: str | None


@dataclass(slots=True)
class CaseView:
    escalation: Escalation
    customer_name: str | None
    customer_phone: str | None
    contact_phone: str | None
    masked: bool
    conversation: Conversation | None
    messages: list[ThreadMessage]
    orders: list[Order]
    order_addresses: dict[str, str | None]
    earlier_contacts: list[EarlierContact]
    other_cases: list[Escalation]
    events: list[EscalationEvent]
    next_statuses: list[EscalationStatus]
    can_change: bool
    can_assign: bool
    can_reply: bool


def thread(session: Session, conversation_id: int, *, after_id: int = 0) -> list[ThreadMessage]:
    """The conversation's messages after `after_id`, oldest first, with NLU and sentiment per message."""
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after_id)
            .order_by(Message.id.desc())
            .limit(MAX_THREAD)
        )
    )[::-1]
    names = transcript.staff_display_names(session, [m.staff_id for m in messages if m.staff_id])
    return [
        ThreadMessage(
            id=m.id,
            sender=m.sender,
            kind=m.kind,
            text=m.text,
            created_at=m.created_at,
            staff_name=names.get(m.staff_id) if m.staff_id else None,
            intent=m.intent,
            intent_confidence=m.intent_confidence,
            sentiment_label=m.sentiment_label,
            sentiment_score=m.sentiment_score,
            buttons=[str(b.get("title", "")) for b in m.buttons or []],
        )
        for m in messages
    ]


def case_thread(
    session: Session, *, escalation_id: int, viewer: StaffUser, after_id: int = 0
) -> list[ThreadMessage]:
    """The case's conversation since `after_id` (what a page polls for). Reading it from the start is
    reading the whole conversation and is audited; the polls that follow are not, or the log would fill."""
    case = escalations.get_escalation(session, escalation_id=escalation_id)
    if case.conversation_id is None:
        return []
    if after_id <= 0:
        audit.record(
            session,
            actor=Actor.staff(viewer.id, viewer.username),
            action="escalation.thread_viewed",
            entity_type="escalation",
            entity_id=case.id,
        )
    return thread(session, case.conversation_id, after_id=after_id)


def case_view(session: Session, *, escalation_id: int, viewer: StaffUser) -> CaseView:
    """The case page's content; opening it is a view of personal data and goes in the audit log."""
    case = escalations.get_escalation(session, escalation_id=escalation_id)
    customer = case.customer
    unmasked = sees_pii(viewer)
    conversation = case.conversation
    orders = list(
        session.scalars(
            select(Order).where(Order.customer_id == customer.id).order_by(Order.created_at.desc()).limit(10)
        )
    )
    earlier = session.scalars(
        select(Conversation)
        .where(Conversation.customer_id == customer.id, Conversation.id != (case.conversation_id or 0))
        .order_by(Conversation.started_at.desc())
        .limit(10)
    ).all()
    others = list(
        session.scalars(
            select(Escalation)
            .where(Escalation.customer_id == customer.id, Escalation.id != case.id)
            .order_by(Escalation.created_at.desc())
            .limit(10)
        )
    )
    audit.record(
        session,
        actor=Actor.staff(viewer.id, viewer.username),
        action="escalation.viewed",
        entity_type="escalation",
        entity_id=case.id,
        details={"customer_id": customer.id, "masked": not unmasked},
    )
    mine_or_free = case.assignee_id in (None, viewer.id)
    return CaseView(
        escalation=case,
        customer_name=customer.name,
        customer_phone=customer.phone if unmasked else masked(customer.phone, "phone"),
        contact_phone=case.contact_phone if unmasked else masked(case.contact_phone, "phone"),
        masked=not unmasked,
        conversation=conversation,
        messages=thread(session, conversation.id) if conversation is not None else [],
        orders=orders,
        order_addresses={o.order_no: o.address if unmasked else masked(o.address, "address") for o in orders},
        earlier_contacts=[_contact(session, c) for c in earlier],
        other_cases=others,
        events=list(case.events),
        next_statuses=sorted(TRANSITIONS[case.status], key=list(EscalationStatus).index),
        can_change=can_manage(viewer) or mine_or_free,
        can_assign=can_manage(viewer) and case.status in OPEN_STATUSES,
        can_reply=(
            conversation is not None
            and conversation.status is not ConversationStatus.CLOSED
            and (can_manage(viewer) or mine_or_free)
        ),
    )


def _contact(session: Session, conversation: Conversation) -> EarlierContact:
    first = session.scalar(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.sender == MessageSender.CUSTOMER)
        .order_by(Message.id)
        .limit(1)
    )
    return EarlierContact(
        conversation_id=conversation.id,
        channel=conversation.channel,
        status=conversation.status,
        started_at=conversation.started_at,
        csat_score=conversation.csat_score,
        first_text=first,
    )

"""The proactive care list (主动关怀): who should hear from the shop before they leave, and why; one
follow-up case per customer takes them off it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import EscalationCategory, MessageSender, SegmentKind, SentimentLabel
from crm_store.models import Conversation, Customer, CustomerSegment, Escalation, Message, Review
from huisheng.errors import ConflictError
from huisheng.services import escalations
from huisheng.services.audit import Actor
from huisheng.services.escalations import OPEN_STATUSES
from huisheng.settings import CareSettings

FOLLOW_UP = EscalationCategory.REVIEW_FOLLOW_UP
COMPLAINTS = (
    EscalationCategory.COMPLAINT,
    EscalationCategory.REFUND,
    EscalationCategory.LOGISTICS,
    EscalationCategory.HANDOFF,
)
NEG = SentimentLabel.NEGATIVE
LOW_CSAT = 2


@dataclass(slots=True)
class CareItem:
    customer_id: int
    name: str | None = None
    tier: str | None = None
    reasons: list[str] = field(default_factory=list)
    last_event_at: datetime | None = None

    def add(self, reason: str, at: datetime | None) -> None:
        self.reasons.append(reason)
        if at is not None and (self.last_event_at is None or at > self.last_event_at):
            self.last_event_at = at


def care_list(
    session: Session, *, settings: CareSettings, now: datetime | None = None, limit: int = 200
) -> list[CareItem]:
    """Everyone who needs care and is not being followed up, the valuable and the latest first."""
    now = now or utcnow()
    recent = now - timedelta(days=settings.recent_days)
    items: dict[int, CareItem] = {}

    def item(customer_id: int) -> CareItem:
        return items.setdefault(customer_id, CareItem(customer_id))

    for customer_id, count, last_at in session.execute(
        select(Review.customer_id, func.count(Review.id), func.max(Review.created_at))
        .where(
            Review.customer_id.is_not(None),
            Review.created_at >= recent,
            or_(Review.sentiment_label == NEG, Review.rating <= 2),
        )
        .group_by(Review.customer_id)
    ):
        if customer_id is not None:
            item(customer_id).add(f"近 {settings.recent_days} 天留下差评 {count} 条", last_at)

    for customer_id, score, label, last_at in _last_conversations(session, since=recent):
        if score is not None and score <= LOW_CSAT:
            item(customer_id).add(f"最近一次对话客户评分 {score} 分", last_at)
        elif label == NEG:
            item(customer_id).add("最近一次对话结束时客户情绪负面", last_at)

    tiers = _valuable(session)
    for customer_id, ticket, opened_at in session.execute(
        select(Escalation.customer_id, Escalation.ticket_no, Escalation.created_at).where(
            Escalation.status.in_(OPEN_STATUSES),
            Escalation.category.in_(COMPLAINTS),
            Escalation.customer_id.in_(tiers.keys()),
        )
    ):
        item(customer_id).add(f"{tiers[customer_id]}客户有未结投诉 {ticket}", opened_at)
    for customer_id, bad_at in _silent_since_bad(
        session, tiers, since=now - timedelta(days=settings.no_contact_days)
    ):
        item(customer_id).add(f"{tiers[customer_id]}客户 {bad_at:%m-%d} 体验不佳后未再联系", bad_at)

    for handled in _handled(session, items.keys(), since=now - timedelta(days=settings.handled_days)):
        items.pop(handled, None)
    names = {
        cid: name
        for cid, name in session.execute(
            select(Customer.id, Customer.name).where(Customer.id.in_(items.keys()))
        )
    }
    all_tiers = _tiers(session, items.keys())
    for care in items.values():
        care.name = names.get(care.customer_id)
        care.tier = all_tiers.get(care.customer_id)
    ordered = sorted(
        items.values(),
        key=lambda c: (c.customer_id not in tiers, -(c.last_event_at or now).timestamp(), c.customer_id),
    )
    return ordered[:limit]


def _last_conversations(
    session: Session, *, since: datetime
) -> list[tuple[int, int | None, object, datetime]]:
    """Each customer's latest conversation since `since`: its CSAT and its last customer message's mood."""
    latest = (
        select(Conversation.customer_id, func.max(Conversation.id).label("conversation_id"))
        .where(Conversation.last_message_at >= since)
        .group_by(Conversation.customer_id)
        .subquery()
    )
    last_message = (
        select(Message.conversation_id, func.max(Message.id).label("message_id"))
        .where(Message.sender == MessageSender.CUSTOMER)
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Conversation.customer_id,
            Conversation.csat_score,
            Message.sentiment_label,
            Conversation.last_message_at,
        )
        .join(latest, latest.c.conversation_id == Conversation.id)
        .outerjoin(last_message, last_message.c.conversation_id == Conversation.id)
        .outerjoin(Message, Message.id == last_message.c.message_id)
    ).all()
    return [(int(c), s, label, at) for c, s, label, at in rows]


def _valuable(session: Session) -> dict[int, str]:
    """Customers in an 重要… RFM tier, with the tier."""
    rows = session.execute(
        select(CustomerSegment.customer_id, CustomerSegment.name).where(
            CustomerSegment.kind == SegmentKind.RFM, CustomerSegment.name.like("重要%")
        )
    )
    return {int(a): str(b) for a, b in rows}


def _tiers(session: Session, customer_ids: object) -> dict[int, str]:
    rows = session.execute(
        select(CustomerSegment.customer_id, CustomerSegment.name).where(
            CustomerSegment.kind == SegmentKind.RFM,
            CustomerSegment.customer_id.in_(list(customer_ids)),  # type: ignore[call-overload]
        )
    )
    return {int(a): str(b) for a, b in rows}


def _silent_since_bad(
    session: Session, tiers: Mapping[int, str], *, since: datetime
) -> list[tuple[int, datetime]]:
    """Valuable customers whose latest bad review or low rating came after their last message."""
    if not tiers:
        return []
    bad: dict[int, datetime] = {}
    for reviewer_id, reviewed_at in session.execute(
        select(Review.customer_id, func.max(Review.created_at))
        .where(
            Review.customer_id.in_(tiers.keys()), Review.created_at >= since, Review.sentiment_label == NEG
        )
        .group_by(Review.customer_id)
    ):
        if reviewer_id is not None:
            bad[reviewer_id] = reviewed_at
    for customer_id, at in session.execute(
        select(Conversation.customer_id, func.max(Conversation.csat_at))
        .where(
            Conversation.customer_id.in_(tiers.keys()),
            Conversation.csat_at >= since,
            Conversation.csat_score <= LOW_CSAT,
        )
        .group_by(Conversation.customer_id)
    ):
        if at is not None:
            bad[customer_id] = max(at, bad.get(customer_id, at))
    last_contact = {
        cid: at
        for cid, at in session.execute(
            select(Conversation.customer_id, func.max(Conversation.last_message_at))
            .where(Conversation.customer_id.in_(bad.keys()))
            .group_by(Conversation.customer_id)
        )
    }
    return [
        (customer_id, at)
        for customer_id, at in sorted(bad.items())
        if last_contact.get(customer_id) is None or last_contact[customer_id] < at
    ]


def _handled(session: Session, customer_ids: object, *, since: datetime) -> set[int]:
    """Customers with an open follow-up, or one resolved or closed since `since`."""
    rows = session.scalars(
        select(Escalation.customer_id).where(
            Escalation.category == FOLLOW_UP,
            Escalation.customer_id.in_(list(customer_ids)),  # type: ignore[call-overload]
            or_(
                Escalation.status.in_(OPEN_STATUSES),
                Escalation.resolved_at >= since,
                Escalation.closed_at >= since,
            ),
        )
    )
    return set(rows)


def open_follow_up(
    session: Session,
    *,
    customer_id: int,
    assignee_id: int,
    actor: Actor,
    settings: CareSettings,
    sla_hours: Mapping[str, float],
    now: datetime | None = None,
) -> Escalation:
    """Opens a follow-up case saying why the customer needs care, assigned to `assignee_id`."""
    listed = {care.customer_id: care for care in care_list(session, settings=settings, now=now, limit=10_000)}
    care = listed.get(customer_id)
    if care is None:
        raise ConflictError("该客户已有回访在处理，或不在关怀名单上", code="not_on_care_list")
    escalation = escalations.open_escalation(
        session,
        customer_id=customer_id,
        category=FOLLOW_UP,
        description="主动关怀：" + "；".join(care.reasons),
        sla_hours=sla_hours,
        actor=actor,
    )
    escalations.assign(session, escalation_id=escalation.id, assignee_id=assignee_id, actor=actor)
    return escalation

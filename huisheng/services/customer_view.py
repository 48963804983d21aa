"""The customer 360 view: identities, orders, conversations, reviews, cases, CSAT, notes — masked per viewer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from crm_store.enums import SegmentKind, SentimentLabel
from crm_store.models import Conversation, Escalation, Order, Review, StaffUser
from huisheng.services import audit, customer_notes
from huisheng.services.audit import Actor
from huisheng.services.customers import get_customer, search_customers
from huisheng.services.escalations import OPEN_STATUSES
from huisheng.services.masking import masked, sees_pii
from huisheng.services.segments.service import segments_of


def customer_360(
    session: Session, *, customer_id: int, viewer: StaffUser, recent: int = 10
) -> dict[str, Any]:
    """Everything staff know about one customer; the view itself is written to the audit log."""
    customer = get_customer(session, customer_id=customer_id)
    unmasked = sees_pii(viewer)

    def pii(value: str | None, field: Any) -> str | None:
        return value if unmasked else masked(value, field)

    orders = session.scalars(
        select(Order).where(Order.customer_id == customer.id).order_by(Order.created_at.desc()).limit(recent)
    ).all()
    conversations = session.scalars(
        select(Conversation)
        .where(Conversation.customer_id == customer.id)
        .order_by(Conversation.started_at.desc())
        .limit(recent)
    ).all()
    cases = session.scalars(
        select(Escalation)
        .where(Escalation.customer_id == customer.id)
        .order_by(Escalation.created_at.desc())
        .limit(recent * 2)
    ).all()
    reviews = session.scalars(
        select(Review)
        .where(Review.customer_id == customer.id)
        .options(selectinload(Review.aspects))
        .order_by(Review.created_at.desc())
        .limit(recent)
    ).all()
    review_count, negative_count = session.execute(
        select(
            func.count(Review.id),
            func.coalesce(func.sum(case((Review.sentiment_label == SentimentLabel.NEGATIVE, 1), else_=0)), 0),
        ).where(Review.customer_id == customer.id)
    ).one()
    rated = session.scalars(
        select(Conversation)
        .where(Conversation.customer_id == customer.id, Conversation.csat_score.is_not(None))
        .order_by(Conversation.csat_at.desc())
        .limit(recent)
    ).all()
    average_csat = session.scalar(
        select(func.avg(Conversation.csat_score)).where(Conversation.customer_id == customer.id)
    )
    segments = segments_of(session, customer_id=customer.id)
    audit.record(
        session,
        actor=Actor.staff(viewer.id, viewer.username),
        action="customer.viewed",
        entity_type="customer",
        entity_id=customer.id,
        details={"masked": not unmasked},
    )
    return {
        "id": customer.id,
        "name": customer.name,
        "phone": pii(customer.phone, "phone"),
        "email": pii(customer.email, "email"),
        "masked": not unmasked,
        "tier": customer.tier,
        "created_at": customer.created_at,
        "identities": customer.identities,
        "tags": [tag.name for tag in customer.tags],
        # Computed by `huisheng compute-segments`; staff's own tags stay in "tags".
        "value_tier": next((s for s in segments if s.kind is SegmentKind.RFM), None),
        "behaviour_tags": [s for s in segments if s.kind is SegmentKind.BEHAVIOUR],
        "recent_orders": [_order(order, unmasked) for order in orders],
        "open_escalations": [c for c in cases if c.status in OPEN_STATUSES],
        "escalations": cases,
        "recent_conversations": conversations,
        "reviews": reviews,
        "csat_history": rated,
        "notes": customer_notes.list_notes(session, customer_id=customer.id),
        "review_count": int(review_count),
        "negative_review_count": int(negative_count),
        "average_csat": round(float(average_csat), 2) if average_csat is not None else None,
    }


def find_customers(
    session: Session, *, query: str, viewer: StaffUser, limit: int = 20
) -> list[dict[str, Any]]:
    """The look-up box: customers whose name, phone or email contains `query`, masked for the viewer; who
    looked for what is kept, as for every search of personal data."""
    found = search_customers(session, query=query, limit=limit)
    unmasked = sees_pii(viewer)
    audit.record(
        session,
        actor=Actor.staff(viewer.id, viewer.username),
        action="customer.searched",
        entity_type="customer",
        entity_id=None,
        details={"query": query.strip(), "customers": len(found)},
    )
    return [
        {
            "id": c.id,
            "name": c.name,
            "phone": c.phone if unmasked else masked(c.phone, "phone"),
            "email": c.email if unmasked else masked(c.email, "email"),
            "tier": c.tier,
            "created_at": c.created_at,
        }
        for c in found
    ]


def _order(order: Order, unmasked: bool) -> dict[str, Any]:
    return {
        "order_no": order.order_no,
        "status": order.status,
        "amount": order.amount,
        "items": order.items,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no,
        "address": order.address if unmasked else masked(order.address, "address"),
        "created_at": order.created_at,
        "shipped_at": order.shipped_at,
        "delivered_at": order.delivered_at,
    }

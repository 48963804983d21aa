"""The customer 360 view: one customer with orders, conversations, open cases and review mood."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from crm_store.models import Conversation, Escalation, Order, Review
from huisheng.services.customers import get_customer
from huisheng.services.escalations import OPEN_STATUSES


def customer_360(session: Session, *, customer_id: int, recent: int = 10) -> dict[str, Any]:
    customer = get_customer(session, customer_id=customer_id)
    orders = session.scalars(
        select(Order).where(Order.customer_id == customer.id).order_by(Order.created_at.desc()).limit(recent)
    ).all()
    conversations = session.scalars(
        select(Conversation)
        .where(Conversation.customer_id == customer.id)
        .order_by(Conversation.started_at.desc())
        .limit(recent)
    ).all()
    open_cases = session.scalars(
        select(Escalation)
        .where(Escalation.customer_id == customer.id, Escalation.status.in_(OPEN_STATUSES))
        .order_by(Escalation.sla_due_at)
    ).all()
    review_count, negative_count = session.execute(
        select(
            func.count(Review.id),
            func.coalesce(func.sum(case((Review.sentiment_label == SentimentLabel.NEGATIVE, 1), else_=0)), 0),
        ).where(Review.customer_id == customer.id)
    ).one()
    average_csat = session.scalar(
        select(func.avg(Conversation.csat_score)).where(Conversation.customer_id == customer.id)
    )
    return {
        "id": customer.id,
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "tier": customer.tier,
        "created_at": customer.created_at,
        "identities": customer.identities,
        "tags": [tag.name for tag in customer.tags],
        "recent_orders": orders,
        "open_escalations": open_cases,
        "recent_conversations": conversations,
        "review_count": int(review_count),
        "negative_review_count": int(negative_count),
        "average_csat": round(float(average_csat), 2) if average_csat is not None else None,
    }

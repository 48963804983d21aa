"""Small builders for test data, going through the same services the product uses."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import (
    Channel,
    CustomerTier,
    EscalationCategory,
    MessageDirection,
    MessageSender,
    OrderStatus,
    Priority,
    SentimentLabel,
    StaffRole,
)
from crm_store.models import Customer, Escalation, Order, StaffUser
from huisheng.services import conversations, customers, escalations, staff
from huisheng.services.staff_auth import LoginPolicy

_numbers = itertools.count(1)


def make_customer(
    session: Session,
    *,
    channel: Channel = Channel.WEB,
    external_id: str | None = None,
    tier: CustomerTier = CustomerTier.REGULAR,
    name: str | None = "张三",
) -> Customer:
    customer = customers.get_or_create_by_identity(
        session, channel=channel, external_id=external_id or f"visitor-{next(_numbers)}", display_name=name
    )
    customer.tier = tier
    session.flush()
    return customer


def make_order(
    session: Session,
    *,
    customer: Customer,
    status: OrderStatus = OrderStatus.PAID,
    order_no: str | None = None,
) -> Order:
    created = utcnow() - timedelta(days=3)
    shipped = status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
    order = Order(
        order_no=order_no or f"2024{next(_numbers):08d}",
        customer_id=customer.id,
        status=status,
        items=[{"sku": "SKU-1", "name": "蓝牙耳机", "qty": 1, "price": "199.00"}],
        amount=Decimal("199.00"),
        address="上海市浦东新区世纪大道100号",
        carrier="顺丰速运" if shipped else None,
        tracking_no="SF1234567890" if shipped else None,
        created_at=created,
        paid_at=created if status is not OrderStatus.PENDING_PAYMENT else None,
        shipped_at=created + timedelta(days=1) if shipped else None,
    )
    session.add(order)
    session.flush()
    return order


# Loose enough for tests that log in many times, strict enough for the ones that test throttling.
LOGIN_POLICY = LoginPolicy(window=timedelta(minutes=15), max_failures=5, max_failures_per_ip=30)
PASSWORD = "test-password-2026"


def make_staff(
    session: Session,
    *,
    role: StaffRole = StaffRole.AGENT,
    username: str | None = None,
    password: str | None = None,
    display_name: str = "小王",
) -> StaffUser:
    return staff.create_staff(
        session,
        username=username or f"agent{next(_numbers)}",
        display_name=display_name,
        role=role,
        password=password,
    )


def row_counts(session: Session) -> dict[str, int]:
    """Rows per table, to show a failed call left the store as it was."""
    from sqlalchemy import func, select

    from crm_store.base import Base

    session.flush()
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in Base.metadata.tables.items()
    }


def make_case(
    session: Session,
    *,
    customer: Customer | None = None,
    category: EscalationCategory = EscalationCategory.COMPLAINT,
    priority: Priority | None = None,
    description: str = "收到的耳机是坏的",
    channel: Channel | None = None,
) -> Escalation:
    """An open case; with `channel`, on the customer's open conversation there."""
    customer = customer or make_customer(session, channel=channel or Channel.WEB)
    conversation_id = None
    if channel is not None:
        conversation_id = conversations.current_conversation(
            session, customer_id=customer.id, channel=channel
        ).id
    return escalations.open_escalation(
        session,
        customer_id=customer.id,
        category=category,
        description=description,
        conversation_id=conversation_id,
        priority=priority,
    )


def make_handoff(
    session: Session, *, customer: Customer | None = None, text: str = "东西是坏的，太差了，我要投诉"
) -> Escalation:
    """A web customer's message, scored negative, and the handover to staff that it led to."""
    customer = customer or make_customer(session)
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    conversations.record_message(
        session,
        conversation_id=conversation.id,
        direction=MessageDirection.INBOUND,
        sender=MessageSender.CUSTOMER,
        text=text,
        intent="complain",
        intent_confidence=0.93,
        sentiment_label=SentimentLabel.NEGATIVE,
        sentiment_score=0.04,
    )
    return conversations.hand_over(session, conversation_id=conversation.id, reason="customer asked")

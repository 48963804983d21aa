"""Staff search: a customer by name, phone, email, WeChat nickname or order number, or a word of a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_store.enums import MessageSender
from crm_store.models import ChannelIdentity, Conversation, Customer, Message, Order, StaffUser
from huisheng.services import audit
from huisheng.services.audit import Actor
from huisheng.services.like import like_pattern, prefix_pattern
from huisheng.services.masking import masked, sees_pii
from huisheng.services.validation import clean_text

MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class CustomerHit:
    customer_id: int
    name: str | None
    phone: str | None
    tier: str
    # What matched, in words: 姓名, 手机号, 邮箱, 微信昵称, 订单号 2024…
    matched: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MessageHit:
    message_id: int
    conversation_id: int
    customer_id: int
    customer_name: str | None
    sender: MessageSender
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    customers: list[CustomerHit]
    messages: list[MessageHit]


def search(session: Session, *, query: str, viewer: StaffUser, limit: int = 20) -> SearchResults:
    needle = clean_text(query, field="q", max_length=MAX_QUERY)
    limit = max(1, min(limit, 100))
    pattern = like_pattern(needle)
    matched: dict[int, list[str]] = {}

    def found(ids: list[int], label: str) -> None:
        for customer_id in ids:
            labels = matched.setdefault(customer_id, [])
            if label not in labels:
                labels.append(label)

    for column, label in ((Customer.name, "姓名"), (Customer.phone, "手机号"), (Customer.email, "邮箱")):
        found(
            list(session.scalars(select(Customer.id).where(column.like(pattern, escape="\\")).limit(limit))),
            label,
        )
    found(
        list(
            session.scalars(
                select(ChannelIdentity.customer_id)
                .where(ChannelIdentity.display_name.like(pattern, escape="\\"))
                .limit(limit)
            )
        ),
        "昵称",
    )
    for customer_id, order_no in session.execute(
        select(Order.customer_id, Order.order_no)
        .where(or_(Order.order_no.like(prefix_pattern(needle), escape="\\"), Order.tracking_no == needle))
        .limit(limit)
    ):
        found([customer_id], f"订单号 {order_no}")
    unmasked = sees_pii(viewer)
    people = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(list(matched)[:limit])))
    }
    customers = [
        CustomerHit(
            customer_id=c.id,
            name=c.name,
            phone=c.phone if unmasked else masked(c.phone, "phone"),
            tier=c.tier.value,
            matched=matched[c.id],
        )
        for c in sorted(people.values(), key=lambda c: c.id)
    ]
    rows = session.execute(
        select(Message, Conversation.customer_id, Customer.name)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(Message.text.like(pattern, escape="\\"))
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    messages = [
        MessageHit(m.id, m.conversation_id, customer_id, name, m.sender, m.text, m.created_at)
        for m, customer_id, name in rows
    ]
    # Searching by phone or name is looking up personal data: who looked for what is kept.
    audit.record(
        session,
        actor=Actor.staff(viewer.id, viewer.username),
        action="customer.searched",
        entity_type="customer",
        entity_id=None,
        details={"query": needle, "customers": len(customers), "messages": len(messages)},
    )
    return SearchResults(needle, customers, messages)

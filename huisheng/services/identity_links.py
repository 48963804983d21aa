"""One customer across channels: linking a web visitor or WeChat openid to a known customer, and merging two.

A link is made only on proof, never on a guess: an order number together with the phone number of the
customer it belongs to, or a staff member's confirmation. A phone number alone proves nothing (anyone can
type one), so it never links by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import Channel, ConversationStatus
from crm_store.models import (
    ChannelIdentity,
    Conversation,
    Customer,
    Escalation,
    Order,
    Review,
    customer_tags,
)
from huisheng.errors import InvalidInputError
from huisheng.services import audit
from huisheng.services.audit import Actor
from huisheng.services.customers import find_by_identity, get_customer
from huisheng.services.validation import clean_phone, clean_text


@dataclass(frozen=True, slots=True)
class LinkResult:
    linked: bool
    customer_id: int
    reason: str


def _digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())[-11:]


def link_by_order(
    session: Session, *, channel: Channel, external_id: str, order_no: str, phone: str, actor: Actor
) -> LinkResult:
    """Links the channel identity to the owner of `order_no` when `phone` is that owner's phone."""
    order_no = clean_text(order_no, field="order_no", max_length=32)
    given = _digits(clean_phone(phone))
    current = find_by_identity(session, channel=channel, external_id=external_id)
    if current is None:
        raise InvalidInputError("this visitor has not written to us yet; there is nothing to link")
    order = session.scalar(select(Order).where(Order.order_no == order_no))
    owner = session.get(Customer, order.customer_id) if order is not None else None
    if owner is None or not owner.phone or _digits(owner.phone) != given:
        # The same answer whether the order is unknown or the phone differs: nothing to probe with.
        audit.record(
            session,
            actor=actor,
            action="customer.link_refused",
            entity_type="customer",
            entity_id=current.id,
            details={"channel": channel.value, "reason": "order and phone do not match"},
        )
        return LinkResult(False, current.id, "order and phone do not match")
    if owner.id == current.id:
        return LinkResult(True, owner.id, "already linked")
    merge_customers(session, source_id=current.id, target_id=owner.id, actor=actor, reason="order + phone")
    return LinkResult(True, owner.id, "order + phone")


def merge_customers(
    session: Session, *, source_id: int, target_id: int, actor: Actor, reason: str
) -> Customer:
    """Moves everything of `source` to `target` (identities, conversations, orders, reviews, escalations,
    tags) and removes the then-empty source. Contact details the target lacks are taken from the source."""
    if source_id == target_id:
        raise InvalidInputError("a customer cannot be merged into itself")
    source = get_customer(session, customer_id=source_id)
    target = get_customer(session, customer_id=target_id)
    reason = clean_text(reason, field="reason", max_length=200)
    _close_clashing_open_conversations(session, source.id, target.id)
    for model in (ChannelIdentity, Conversation, Order, Escalation, Review):
        session.execute(update(model).where(model.customer_id == source.id).values(customer_id=target.id))
    target_tags = select(customer_tags.c.tag_id).where(customer_tags.c.customer_id == target.id)
    moving = session.scalars(
        select(customer_tags.c.tag_id).where(
            customer_tags.c.customer_id == source.id, customer_tags.c.tag_id.not_in(target_tags)
        )
    ).all()
    if moving:
        session.execute(insert(customer_tags), [{"customer_id": target.id, "tag_id": t} for t in moving])
    session.execute(delete(customer_tags).where(customer_tags.c.customer_id == source.id))
    for name in ("name", "phone", "email"):
        if getattr(target, name) is None and getattr(source, name) is not None:
            setattr(target, name, getattr(source, name))
    session.flush()
    session.expire_all()  # bulk updates bypassed the identity map
    session.delete(session.get(Customer, source_id))
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="customer.merged",
        entity_type="customer",
        entity_id=target_id,
        details={"merged_customer_id": source_id, "reason": reason},
    )
    return get_customer(session, customer_id=target_id)


def _close_clashing_open_conversations(session: Session, source_id: int, target_id: int) -> None:
    """One open conversation per customer and channel: of two, the source's one is closed (kept, not lost)."""
    target_open = set(
        session.scalars(
            select(Conversation.channel).where(
                Conversation.customer_id == target_id, Conversation.status != ConversationStatus.CLOSED
            )
        )
    )
    if target_open:
        session.execute(
            update(Conversation)
            .where(
                Conversation.customer_id == source_id,
                Conversation.status != ConversationStatus.CLOSED,
                Conversation.channel.in_(target_open),
            )
            .values(status=ConversationStatus.CLOSED, ended_at=utcnow())
        )

"""Tags on customers and escalations, created on first use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.models import Customer, Escalation, Tag
from huisheng.services import audit
from huisheng.services.audit import SYSTEM, Actor
from huisheng.services.customers import get_customer
from huisheng.services.escalations import get_escalation
from huisheng.services.validation import clean_text


def get_or_create_tag(session: Session, *, name: str) -> Tag:
    label = clean_text(name, field="tag", max_length=50)
    tag = session.scalar(select(Tag).where(Tag.name == label))
    if tag is None:
        tag = Tag(name=label)
        session.add(tag)
        session.flush()
    return tag


def tag_customer(session: Session, *, customer_id: int, tag: str, actor: Actor = SYSTEM) -> Customer:
    """Adds the tag once; tagging twice is harmless."""
    customer = get_customer(session, customer_id=customer_id)
    label = get_or_create_tag(session, name=tag)
    if label not in customer.tags:
        customer.tags.append(label)
        audit.record(
            session,
            actor=actor,
            action="customer.tagged",
            entity_type="customer",
            entity_id=customer.id,
            details={"tag": label.name},
        )
    return customer


def untag_customer(session: Session, *, customer_id: int, tag: str, actor: Actor = SYSTEM) -> Customer:
    customer = get_customer(session, customer_id=customer_id)
    customer.tags = [t for t in customer.tags if t.name != tag.strip()]
    audit.record(
        session,
        actor=actor,
        action="customer.untagged",
        entity_type="customer",
        entity_id=customer.id,
        details={"tag": tag.strip()},
    )
    return customer


def tag_escalation(session: Session, *, escalation_id: int, tag: str, actor: Actor = SYSTEM) -> Escalation:
    escalation = get_escalation(session, escalation_id=escalation_id)
    label = get_or_create_tag(session, name=tag)
    if label not in escalation.tags:
        escalation.tags.append(label)
        audit.record(
            session,
            actor=actor,
            action="escalation.tagged",
            entity_type="escalation",
            entity_id=escalation.id,
            details={"tag": label.name},
        )
    return escalation

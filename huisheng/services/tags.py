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


def _attach(
    session: Session, tags: list[Tag], *, name: str, entity_type: str, entity_id: int, actor: Actor
) -> None:
    """Adds the tag once (tagging twice is harmless) and audits the change."""
    label = get_or_create_tag(session, name=name)
    if label not in tags:
        tags.append(label)
        audit.record(
            session,
            actor=actor,
            action=f"{entity_type}.tagged",
            entity_type=entity_type,
            entity_id=entity_id,
            details={"tag": label.name},
        )


def tag_customer(session: Session, *, customer_id: int, tag: str, actor: Actor = SYSTEM) -> Customer:
    customer = get_customer(session, customer_id=customer_id)
    _attach(session, customer.tags, name=tag, entity_type="customer", entity_id=customer.id, actor=actor)
    return customer


def _detach(
    session: Session, tags: list[Tag], *, name: str, entity_type: str, entity_id: int, actor: Actor
) -> None:
    """Removes the tag if it is there (removing one twice is harmless) and audits the change."""
    label = name.strip()
    found = [t for t in tags if t.name == label]
    for tag in found:
        tags.remove(tag)
    if found:
        audit.record(
            session,
            actor=actor,
            action=f"{entity_type}.untagged",
            entity_type=entity_type,
            entity_id=entity_id,
            details={"tag": label},
        )


def untag_customer(session: Session, *, customer_id: int, tag: str, actor: Actor = SYSTEM) -> Customer:
    customer = get_customer(session, customer_id=customer_id)
    _detach(session, customer.tags, name=tag, entity_type="customer", entity_id=customer.id, actor=actor)
    return customer


def tag_escalation(session: Session, *, escalation_id: int, tag: str, actor: Actor = SYSTEM) -> Escalation:
    escalation = get_escalation(session, escalation_id=escalation_id)
    _attach(
        session, escalation.tags, name=tag, entity_type="escalation", entity_id=escalation.id, actor=actor
    )
    return escalation


def untag_escalation(session: Session, *, escalation_id: int, tag: str, actor: Actor = SYSTEM) -> Escalation:
    escalation = get_escalation(session, escalation_id=escalation_id)
    _detach(
        session, escalation.tags, name=tag, entity_type="escalation", entity_id=escalation.id, actor=actor
    )
    return escalation

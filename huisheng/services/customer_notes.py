"""Internal notes on a customer, newest first; staff only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.models import CustomerNote
from huisheng.services import audit
from huisheng.services.audit import Actor
from huisheng.services.customers import get_customer
from huisheng.services.validation import clean_text

MAX_NOTE_LENGTH = 2000


def add_note(session: Session, *, customer_id: int, text: str, actor: Actor) -> CustomerNote:
    customer = get_customer(session, customer_id=customer_id)
    note = CustomerNote(
        customer_id=customer.id,
        author_id=actor.staff_id,
        author_label=actor.label,
        text=clean_text(text, field="note", max_length=MAX_NOTE_LENGTH),
    )
    session.add(note)
    session.flush()
    audit.record(session, actor=actor, action="customer.noted", entity_type="customer", entity_id=customer.id)
    return note


def list_notes(session: Session, *, customer_id: int, limit: int = 50) -> list[CustomerNote]:
    return list(
        session.scalars(
            select(CustomerNote)
            .where(CustomerNote.customer_id == customer_id)
            .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc())
            .limit(limit)
        )
    )

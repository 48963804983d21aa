"""Customer satisfaction: the 1–5 rating and optional comment given when a conversation ends."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.models import Conversation
from huisheng.services import audit
from huisheng.services.audit import CUSTOMER
from huisheng.services.conversations import get_conversation
from huisheng.services.validation import in_range, optional_text


def record_csat(
    session: Session, *, conversation_id: int, score: int, comment: str | None = None
) -> Conversation:
    """Stores the rating; rating again replaces the earlier one (customers change their minds)."""
    value = in_range(score, field="score", low=1, high=5)
    text = optional_text(comment, field="comment", max_length=1000)
    conversation = get_conversation(session, conversation_id=conversation_id)
    conversation.csat_score = value
    conversation.csat_comment = text
    conversation.csat_at = utcnow()
    audit.record(
        session,
        actor=CUSTOMER,
        action="conversation.rated",
        entity_type="conversation",
        entity_id=conversation.id,
        details={"score": value},
    )
    return conversation


def average_csat(session: Session) -> tuple[float | None, int]:
    """The mean rating and how many conversations were rated."""
    mean, count = session.execute(
        select(func.avg(Conversation.csat_score), func.count(Conversation.csat_score))
    ).one()
    return (float(mean) if mean is not None else None, int(count))

"""Conversations and their messages: the current one per channel, recorded turns, handover, closing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    MessageDirection,
    MessageKind,
    MessageSender,
    SentimentLabel,
)
from crm_store.models import Conversation, Escalation, Message, StaffUser
from huisheng.errors import InvalidInputError, NotFoundError
from huisheng.labels import HANDOFF_REASON_LABELS
from huisheng.services import escalations
from huisheng.services.audit import BOT, Actor
from huisheng.services.customers import get_customer
from huisheng.services.validation import clean_text

MAX_MESSAGE_LENGTH = 4000
OPEN_STATUSES = (ConversationStatus.BOT, ConversationStatus.WAITING_FOR_STAFF, ConversationStatus.WITH_STAFF)


def get_conversation(session: Session, *, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFoundError(f"conversation {conversation_id} does not exist")
    return conversation


def current_conversation(session: Session, *, customer_id: int, channel: Channel | str) -> Conversation:
    """The customer's open conversation on this channel, or a new one with the bot."""
    customer = get_customer(session, customer_id=customer_id)
    channel = Channel(channel)
    conversation = session.scalar(
        select(Conversation)
        .where(
            Conversation.customer_id == customer.id,
            Conversation.channel == channel,
            Conversation.status.in_(OPEN_STATUSES),
        )
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    if conversation is None:
        conversation = Conversation(customer_id=customer.id, channel=channel, status=ConversationStatus.BOT)
        try:
            with session.begin_nested():
                session.add(conversation)
        except IntegrityError:
            # Another process opened it a moment ago (one open conversation per channel is a unique index).
            return current_conversation(session, customer_id=customer_id, channel=channel)
    return conversation


def record_message(
    session: Session,
    *,
    conversation_id: int,
    direction: MessageDirection,
    sender: MessageSender,
    text: str,
    staff_id: int | None = None,
    external_id: str | None = None,
    intent: str | None = None,
    intent_confidence: float | None = None,
    sentiment_label: SentimentLabel | None = None,
    sentiment_score: float | None = None,
    at: datetime | None = None,
    kind: MessageKind = MessageKind.TEXT,
    reply_to_id: int | None = None,
    buttons: list[dict[str, Any]] | None = None,
) -> Message:
    """Stores one message of a conversation; the text is checked before anything is written."""
    body = clean_text(text, field="text", max_length=MAX_MESSAGE_LENGTH)
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status is ConversationStatus.CLOSED:
        raise InvalidInputError(f"conversation {conversation_id} is closed; start a new one")
    for name, value in (("intent_confidence", intent_confidence), ("sentiment_score", sentiment_score)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise InvalidInputError(f"{name} must be between 0 and 1, not {value}")
    message = Message(
        conversation_id=conversation.id,
        direction=direction,
        sender=sender,
        staff_id=staff_id,
        kind=kind,
        text=body,
        external_id=external_id,
        reply_to_id=reply_to_id,
        buttons=_button_records(buttons),
        intent=intent,
        intent_confidence=intent_confidence,
        sentiment_label=sentiment_label,
        sentiment_score=sentiment_score,
        created_at=at or utcnow(),
    )
    session.add(message)
    conversation.last_message_at = message.created_at
    session.flush()
    return message


def _button_records(buttons: list[dict[str, Any]] | None) -> list[dict[str, str]] | None:
    """Quick replies as stored: a title and a payload each, whatever else the bot's answer carried."""
    if not buttons:
        return None
    return [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons]


def find_message(session: Session, *, conversation_id: int, external_id: str) -> Message | None:
    return session.scalar(
        select(Message).where(Message.conversation_id == conversation_id, Message.external_id == external_id)
    )


def recent_messages(session: Session, *, conversation_id: int, limit: int = 20) -> list[Message]:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


def hand_over(
    session: Session,
    *,
    conversation_id: int,
    reason: str,
    actor: Actor = BOT,
    sla_hours: Mapping[str, float] = escalations.DEFAULT_SLA_HOURS,
) -> Escalation:
    """Moves the conversation to the staff queue and opens (or joins) its handoff escalation.

    Calling it again while the conversation waits returns the same escalation: customers repeat themselves.
    """
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status is ConversationStatus.CLOSED:
        raise InvalidInputError(f"conversation {conversation_id} is closed")
    open_one = escalations.open_for_conversation(session, conversation_id=conversation.id)
    if conversation.status is ConversationStatus.BOT:
        conversation.status = ConversationStatus.WAITING_FOR_STAFF
        conversation.handed_over_at = utcnow()
    if open_one is not None:
        escalations.add_note(
            session,
            escalation_id=open_one.id,
            note=f"customer asked for a person again: {reason}",
            actor=actor,
            joined=True,
        )
        return open_one
    last_inbound = session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.direction == MessageDirection.INBOUND)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return escalations.open_escalation(
        session,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        category=EscalationCategory.HANDOFF,
        description=f"转人工（{HANDOFF_REASON_LABELS.get(reason, reason)}）"
        + (f"：{last_inbound.text}" if last_inbound else ""),
        sentiment_label=last_inbound.sentiment_label if last_inbound else None,
        sentiment_score=last_inbound.sentiment_score if last_inbound else None,
        actor=actor,
        sla_hours=sla_hours,
    )


def take_over(session: Session, *, conversation_id: int, staff_id: int, actor: Actor) -> Conversation:
    """A staff member picks up a conversation; the bot stays silent from now on and the case is theirs."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status is ConversationStatus.CLOSED:
        raise InvalidInputError(f"conversation {conversation_id} is closed")
    open_case = escalations.open_for_conversation(session, conversation_id=conversation.id)
    if open_case is not None and open_case.assignee_id != staff_id:
        # Also checks that the staff member exists and is active.
        escalations.assign(session, escalation_id=open_case.id, assignee_id=staff_id, actor=actor)
    elif open_case is None and session.get(StaffUser, staff_id) is None:
        raise NotFoundError(f"staff user {staff_id} does not exist")
    conversation.status = ConversationStatus.WITH_STAFF
    conversation.assignee_id = staff_id
    return conversation


def return_to_bot(session: Session, *, conversation_id: int) -> Conversation:
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status is ConversationStatus.CLOSED:
        raise InvalidInputError(f"conversation {conversation_id} is closed")
    conversation.status = ConversationStatus.BOT
    conversation.assignee_id = None
    return conversation


def close_conversation(session: Session, *, conversation_id: int) -> Conversation:
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status is not ConversationStatus.CLOSED:
        conversation.status = ConversationStatus.CLOSED
        conversation.ended_at = utcnow()
    return conversation

"""What a customer's channel shows of their conversations: one view per message, history, the agent's name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from crm_store.enums import Channel, ConversationStatus, MessageKind, MessageSender
from crm_store.models import Conversation, Message, StaffUser
from huisheng.services.customers import find_by_identity

# The satisfaction question's buttons carry this intent; channels draw them as stars or numbered scores.
RATING_PAYLOAD = "/rate_service"


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message as the customer sees it: button titles but never their payloads, the agent's display name."""

    id: int
    conversation_id: int
    sender: MessageSender
    text: str
    kind: MessageKind = MessageKind.TEXT
    buttons: list[str] = field(default_factory=list)
    presentation: str | None = None
    staff_name: str | None = None
    client_id: str | None = None
    created_at: datetime | None = None

    def to_event(self) -> dict[str, Any]:
        """The JSON shape of docs/widget_api.md's `Msg`, for the live channel and the API alike."""
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "sender": self.sender.value,
            "kind": self.kind.value,
            "text": self.text,
            "buttons": [{"title": title} for title in self.buttons],
            "presentation": self.presentation,
            "staff_name": self.staff_name,
            "client_id": self.client_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


def presentation_of(buttons: list[dict[str, Any]] | None) -> str | None:
    if not buttons:
        return None
    if all(str(b.get("payload", "")).startswith(RATING_PAYLOAD) for b in buttons):
        return "rating"
    return "buttons"


def view_of(message: Message, *, staff_names: Mapping[int, str] | None = None) -> MessageView:
    staff_name = None
    if message.staff_id is not None:
        if staff_names is None:
            session = object_session(message)
            staff_names = staff_display_names(session, [message.staff_id]) if session else {}
        staff_name = staff_names.get(message.staff_id)
    customer_side = message.sender is MessageSender.CUSTOMER
    return MessageView(
        id=message.id,
        conversation_id=message.conversation_id,
        sender=message.sender,
        text=message.text,
        kind=message.kind,
        buttons=[str(b.get("title", "")) for b in message.buttons or []],
        presentation=presentation_of(message.buttons),
        staff_name=staff_name,
        client_id=message.external_id if customer_side else None,
        created_at=message.created_at,
    )


def staff_display_names(session: Session, staff_ids: list[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(staff_ids)))
    return {row.id: row.display_name for row in rows}


def views_of(session: Session, messages: list[Message]) -> list[MessageView]:
    names = staff_display_names(session, sorted({m.staff_id for m in messages if m.staff_id is not None}))
    return [view_of(m, staff_names=names) for m in messages]


def history(
    session: Session, *, customer_id: int, channel: Channel, after_id: int = 0, limit: int = 50
) -> list[MessageView]:
    """The customer's latest messages on this channel, oldest first, across their conversations."""
    limit = max(1, min(limit, 200))
    rows = list(
        session.scalars(
            select(Message)
            .join(Conversation)
            .where(
                Conversation.customer_id == customer_id,
                Conversation.channel == channel,
                Message.id > after_id,
            )
            .order_by(Message.id.desc())
            .limit(limit)
        )
    )
    rows.reverse()
    return views_of(session, rows)


def replies_to(session: Session, *, message_id: int) -> list[MessageView]:
    rows = list(
        session.scalars(select(Message).where(Message.reply_to_id == message_id).order_by(Message.id))
    )
    return views_of(session, rows)


def latest_conversation(session: Session, *, customer_id: int, channel: Channel) -> Conversation | None:
    return session.scalar(
        select(Conversation)
        .where(Conversation.customer_id == customer_id, Conversation.channel == channel)
        .order_by(Conversation.id.desc())
        .limit(1)
    )


def agent_name(session: Session, conversation: Conversation) -> str | None:
    """The display name of the person who owns the conversation, once a person has joined."""
    if conversation.status is not ConversationStatus.WITH_STAFF or conversation.assignee_id is None:
        return None
    return staff_display_names(session, [conversation.assignee_id]).get(conversation.assignee_id)


@dataclass(frozen=True, slots=True)
class ChannelState:
    """Where a customer's conversation on a channel stands, and the messages asked for."""

    status: ConversationStatus | None
    agent_name: str | None
    messages: list[MessageView]


def for_identity(
    session: Session, *, channel: Channel, external_id: str, after_id: int = 0, limit: int = 50
) -> ChannelState:
    """What the widget shows a visitor: their latest conversation's state and their messages after `after_id`
    (none with `limit` 0). An identity that has not written yet has no customer record, and an empty state."""
    customer = find_by_identity(session, channel=channel, external_id=external_id)
    if customer is None:
        return ChannelState(None, None, [])
    conversation = latest_conversation(session, customer_id=customer.id, channel=channel)
    if conversation is None:
        return ChannelState(None, None, [])
    views = (
        history(session, customer_id=customer.id, channel=channel, after_id=after_id, limit=limit)
        if limit
        else []
    )
    return ChannelState(conversation.status, agent_name(session, conversation), views)

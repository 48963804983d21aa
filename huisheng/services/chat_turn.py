"""What one customer turn is made of: sender ids as Rasa knows them, and what the channel shows afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm_store.enums import Channel, ConversationStatus
from huisheng.errors import InvalidInputError
from huisheng.services.transcript import MessageView


def sender_id(channel: Channel, external_id: str) -> str:
    return f"{channel.value}:{external_id}"


def parse_sender_id(value: str) -> tuple[Channel, str]:
    channel_name, sep, external_id = value.partition(":")
    if not sep or not external_id:
        raise InvalidInputError(f"sender id '{value}' is not of the form '<channel>:<id>'")
    try:
        return Channel(channel_name), external_id
    except ValueError:
        raise InvalidInputError(f"sender id '{value}' names an unknown channel") from None


def as_customer_text(text: str) -> str:
    """What Rasa is sent for typed text: a leading '/' would make Rasa run it as an intent command."""
    return "／" + text[1:] if text.startswith("/") else text


@dataclass(slots=True)
class ChatTurn:
    """What the channel shows the customer after one message."""

    conversation_id: int
    customer_id: int
    status: ConversationStatus
    message: MessageView | None = None
    replies: list[MessageView] = field(default_factory=list)
    duplicate: bool = False
    agent_name: str | None = None

    @property
    def reply_texts(self) -> list[str]:
        return [reply.text for reply in self.replies]

"""Bot messages nobody asked for just now (Rasa's trigger_intent, reminders): stored, then delivered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy.orm import Session

from crm_store.enums import ConversationStatus, MessageDirection, MessageSender
from huisheng.channels.delivery import Delivery
from huisheng.errors import InvalidInputError
from huisheng.services import conversations, customers, transcript
from huisheng.services.chat_turn import parse_sender_id
from huisheng.services.transcript import MessageView
from huisheng.services.validation import clean_text

logger = logging.getLogger(__name__)


def push_bot_message(
    session_scope: Callable[[], AbstractContextManager[Session]],
    delivery: Delivery,
    *,
    sender: str,
    text: str,
    buttons: list[dict[str, Any]],
) -> MessageView | None:
    """Stores the message in the customer's open conversation and pushes it on their channel.

    Dropped while a person owns the conversation, as the bot must be silent then.
    """
    channel, external_id = parse_sender_id(sender)
    body = clean_text(text, field="text", max_length=conversations.MAX_MESSAGE_LENGTH)
    with session_scope() as session:
        customer = customers.find_by_identity(session, channel=channel, external_id=external_id)
        if customer is None:
            raise InvalidInputError(f"no customer has the identity {sender}")
        conversation = conversations.current_conversation(session, customer_id=customer.id, channel=channel)
        if conversation.status is not ConversationStatus.BOT:
            logger.info("dropped a pushed bot message: staff own conversation %d", conversation.id)
            return None
        message = conversations.record_message(
            session,
            conversation_id=conversation.id,
            direction=MessageDirection.OUTBOUND,
            sender=MessageSender.BOT,
            text=body,
            buttons=buttons,
        )
        view = transcript.view_of(message)
    delivery.push(channel=channel, external_ids=[external_id], views=[view])
    return view

"""Who the action is talking to: the customer and conversation behind a Rasa sender id."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from crm_store.enums import Channel
from huisheng.errors import InvalidInputError
from huisheng.services import chat, conversations, customers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerRef:
    customer_id: int
    channel: Channel


def resolve_customer(session: Session, *, sender_id: str) -> CustomerRef:
    """The customer behind "<channel>:<external id>"; a bare id (rasa shell, tests) counts as a web visitor."""
    try:
        channel, external_id = chat.parse_sender_id(sender_id)
    except InvalidInputError:
        logger.warning("sender id without a channel prefix; treating it as a web visitor")
        channel, external_id = Channel.WEB, sender_id
    customer = customers.get_or_create_by_identity(session, channel=channel, external_id=external_id)
    return CustomerRef(customer_id=customer.id, channel=channel)


def current_conversation_id(session: Session, ref: CustomerRef) -> int:
    return conversations.current_conversation(session, customer_id=ref.customer_id, channel=ref.channel).id


def report_unavailable(dispatcher: CollectingDispatcher, action: str) -> None:
    """Tells the customer we could not reach the store; the traceback goes to the log, not the chat."""
    logger.exception("action %s failed while calling the service layer", action)
    dispatcher.utter_message(response="utter_service_unavailable")

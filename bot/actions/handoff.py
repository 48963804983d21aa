"""Handing the conversation to a person: queue it for staff, tell the customer, and fall silent."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.context import current_conversation_id, resolve_customer
from bot.actions.runtime import get_runtime
from huisheng.errors import HuishengError
from huisheng.services import conversations

logger = logging.getLogger(__name__)

REASON_ASKED = "customer asked for a person"
REASON_NOT_UNDERSTOOD = "bot did not understand twice in a row"


def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: str, response: str
) -> list[EventType]:
    """Moves the conversation to waiting_for_staff and pauses the bot until staff give it back."""
    runtime = get_runtime()
    try:
        with runtime.session() as session:
            ref = resolve_customer(session, sender_id=tracker.sender_id)
            escalation = conversations.hand_over(
                session,
                conversation_id=current_conversation_id(session, ref),
                reason=reason,
                sla_hours=runtime.settings.escalation.sla_hours,
            )
            ticket_no = escalation.ticket_no
    except (HuishengError, SQLAlchemyError):
        # Without a queue entry nobody would pick the conversation up, so the bot must not go silent.
        logger.exception("handoff failed")
        dispatcher.utter_message(response="utter_handoff_failed")
        return [SlotSet("human_offered", False)]
    dispatcher.utter_message(response=response, ticket_no=ticket_no)
    # Paused: Rasa ignores further messages until the relay sends ConversationResumed when staff let go.
    return [SlotSet("human_offered", False), SlotSet("fallback_count", 0.0), ConversationPaused()]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return hand_over(dispatcher, tracker, reason=REASON_ASKED, response="utter_handoff")


class ActionDeclineHuman(Action):
    """The customer turned down the offered person: carry on with the bot."""

    def name(self) -> str:
        return "action_decline_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("human_offered", False)]

"""Misunderstandings: ask to rephrase the first, hand over on the second in a row, and end the turn either way."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.handoff import REASON_NOT_UNDERSTOOD, hand_over

FALLBACKS_BEFORE_HANDOFF = 2
ACTION_NAME = "action_fallback"
# Where a run of misunderstandings ends: a new session, a restart, or a person taking the chat and giving it back.
_CHAIN_BREAKS = frozenset({"session_started", "restart", "pause", "resume"})


def misunderstood_in_a_row(events: list[dict[str, Any]]) -> int:
    """The customer messages in a row, the latest included, that this action has to answer.

    Counted from the conversation's events, so an NLU fallback (nothing understood) and a core fallback (an intent
    understood with no next step) count alike. The latest message is the one being answered now.
    """
    count = 0
    answered_by_fallback = True  # the latest message: being answered by this action right now
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if not answered_by_fallback:
                break
            count += 1
            answered_by_fallback = False
        elif kind == "action" and event.get("name") == ACTION_NAME:
            answered_by_fallback = True
        elif kind in _CHAIN_BREAKS:
            break
    return max(count, 1)


class ActionFallback(Action):
    """Asks the customer to rephrase; after the second failure in a row a person takes over."""

    def name(self) -> str:
        return ACTION_NAME

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        count = misunderstood_in_a_row(tracker.events)
        if count >= FALLBACKS_BEFORE_HANDOFF:
            return hand_over(
                dispatcher, tracker, reason=REASON_NOT_UNDERSTOOD, response="utter_handoff_not_understood"
            )
        dispatcher.utter_message(response="utter_default")
        # A core fallback (no rule or story knows what follows the message) would otherwise be predicted again
        # right after this action, up to Rasa's ten predictions a turn: ten identical "抱歉，我没太明白".
        return [SlotSet("fallback_count", float(count)), FollowupAction("action_listen")]

"""Misunderstandings: count those in a row, rephrase-request the first, hand over on the second."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.handoff import REASON_NOT_UNDERSTOOD, hand_over
from bot.actions.orders import latest_intent

FALLBACKS_BEFORE_HANDOFF = 2


class ActionCountFallbacks(Action):
    """Slot-mapping action run after every user message: +1 on nlu_fallback, back to 0 on anything else."""

    def name(self) -> str:
        return "action_count_fallbacks"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # Inside a form free text (an address, a comment) is often nlu_fallback yet understood by the form.
        if tracker.active_loop_name or latest_intent(tracker) != "nlu_fallback":
            return [SlotSet("fallback_count", 0.0)]
        previous = float(tracker.get_slot("fallback_count") or 0)
        return [SlotSet("fallback_count", previous + 1)]


class ActionFallback(Action):
    """Asks the customer to rephrase; after the second failure in a row a person takes over."""

    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # A core fallback (intent understood, no next step known) arrives with a count of 0: it still counts once.
        count = max(float(tracker.get_slot("fallback_count") or 0), 1.0)
        if count >= FALLBACKS_BEFORE_HANDOFF:
            return hand_over(
                dispatcher, tracker, reason=REASON_NOT_UNDERSTOOD, response="utter_handoff_not_understood"
            )
        dispatcher.utter_message(response="utter_default")
        return [SlotSet("fallback_count", count)]

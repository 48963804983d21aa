"""The satisfaction survey at goodbye: a 1-5 score and an optional comment, stored on the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.context import current_conversation_id, report_unavailable, resolve_customer
from bot.actions.orders import latest_intent
from bot.actions.runtime import get_runtime
from bot.actions.slot_parsers import is_acknowledgement, is_decline, normalise_spaces, parse_rating
from huisheng.errors import HuishengError
from huisheng.services import csat

# Slot values for "the customer skipped this question".
SKIPPED = "skipped"
NO_COMMENT = "none"
SKIP_INTENTS = frozenset({"deny", "goodbye", "thank"})
CSAT_SLOTS = ("csat_score", "csat_comment")


class ValidateCsatForm(FormValidationAction):
    def name(self) -> str:
        return "validate_csat_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Someone who would not rate will not want to write a comment either.
        if tracker.get_slot("csat_score") == SKIPPED:
            return ["csat_score"]
        return domain_slots

    def extract_csat_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        # Buttons and a volunteered "给五星" arrive as a rating entity; typed replies are parsed here.
        entity = next(tracker.get_latest_entity_values("rating"), None)
        score = parse_rating(str(entity)) if entity is not None else parse_rating(text)
        requested = tracker.get_slot("requested_slot")
        if requested is None:
            return {"csat_score": str(score)} if score else {}
        if requested != "csat_score":
            return {}
        if score:
            return {"csat_score": str(score)}
        if is_decline(text) or latest_intent(tracker) in SKIP_INTENTS:
            return {"csat_score": SKIPPED}
        if latest_intent(tracker) == "request_human":
            return {}
        if is_acknowledgement(text):
            return {"csat_score": None}  # 好的: the rating question again, not "that is not a score"
        dispatcher.utter_message(response="utter_invalid_rating")
        return {"csat_score": None}

    def extract_csat_comment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "csat_comment":
            return {}
        text = normalise_spaces(tracker.latest_message.get("text") or "")
        if not text or is_decline(text) or latest_intent(tracker) in SKIP_INTENTS:
            return {"csat_comment": NO_COMMENT}
        return {"csat_comment": text}


class ActionRecordCsat(Action):
    """Stores the rating on the current conversation and says goodbye."""

    def name(self) -> str:
        return "action_record_csat"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        score = tracker.get_slot("csat_score")
        comment = tracker.get_slot("csat_comment")
        reset: list[EventType] = [SlotSet(slot, None) for slot in CSAT_SLOTS]
        if score in (None, SKIPPED):
            dispatcher.utter_message(response="utter_goodbye")
            return reset
        try:
            with get_runtime().session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                csat.record_csat(
                    session,
                    conversation_id=current_conversation_id(session, ref),
                    score=int(score),
                    comment=None if comment in (None, NO_COMMENT) else comment,
                )
        except (HuishengError, SQLAlchemyError, ValueError):
            report_unavailable(dispatcher, self.name())
            return reset
        dispatcher.utter_message(response="utter_csat_thanks")
        dispatcher.utter_message(response="utter_goodbye")
        return reset

"""Linking this chat to the customer's account: an order not found here is verified by its phone number.

A web visitor or WeChat follower is a stranger until proven otherwise. The order number and the phone number
registered with it, together, are the proof; then this chat joins that customer's history (one customer
across channels). Nothing is revealed on failure: an unknown order and a wrong phone read the same.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.context import report_unavailable
from bot.actions.orders import TOPIC_CHANGES, latest_intent, order_status_response
from bot.actions.runtime import get_runtime
from bot.actions.slot_parsers import is_acknowledgement, is_decline, parse_phone
from huisheng.errors import HuishengError
from huisheng.services import chat, identity_links, orders
from huisheng.services.audit import BOT

SKIPPED = "skipped"
LINK_SLOTS = ("link_order_no", "link_phone")


class ValidateLinkAccountForm(FormValidationAction):
    def name(self) -> str:
        return "validate_link_account_form"

    def extract_link_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "link_phone":
            return {}
        text = tracker.latest_message.get("text") or ""
        phone = parse_phone(text)
        if phone:
            return {"link_phone": phone}
        if is_decline(text) or latest_intent(tracker) in ("deny", "thank", "goodbye"):
            return {"link_phone": SKIPPED}
        if latest_intent(tracker) in TOPIC_CHANGES:
            return {}
        if is_acknowledgement(text):
            return {"link_phone": None}
        dispatcher.utter_message(response="utter_invalid_phone")
        return {"link_phone": None}


class ActionLinkAccount(Action):
    """Links the chat to the order's customer when the phone matches, then answers the original question."""

    def name(self) -> str:
        return "action_link_account"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in LINK_SLOTS]
        order_no, phone = tracker.get_slot("link_order_no"), tracker.get_slot("link_phone")
        if not order_no or phone in (None, SKIPPED):
            dispatcher.utter_message(response="utter_anything_else")
            return reset
        try:
            channel, external_id = chat.parse_sender_id(tracker.sender_id)
            with get_runtime().session() as session:
                result = identity_links.link_by_order(
                    session,
                    channel=channel,
                    external_id=external_id,
                    order_no=order_no,
                    phone=phone,
                    actor=BOT,
                )
                reply = None
                if result.linked:
                    order = orders.get_order_for_customer(
                        session, customer_id=result.customer_id, order_no=order_no
                    )
                    reply = order_status_response(order)
        except (HuishengError, SQLAlchemyError):
            report_unavailable(dispatcher, self.name())
            return reset
        if reply is None:
            dispatcher.utter_message(response="utter_account_link_failed", order_no=order_no)
            return reset
        dispatcher.utter_message(response="utter_account_linked", order_no=order_no)
        dispatcher.utter_message(**reply)
        return reset

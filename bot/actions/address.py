"""Change of delivery address: allowed before shipping; afterwards explain and offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.context import report_unavailable, resolve_customer
from bot.actions.orders import STATUS_LABELS, extract_order_no_reply, latest_intent
from bot.actions.runtime import get_policy, get_runtime
from bot.actions.slot_parsers import is_acknowledgement, normalise_spaces
from crm_store.enums import OrderStatus
from huisheng.errors import ConflictError, HuishengError, NotFoundError
from huisheng.services import orders

MIN_ADDRESS_CHARS = 6
# Replies to "what is the new address?" that are clearly something else.
NOT_AN_ADDRESS = frozenset({"request_human", "goodbye", "deny", "greet", "thank", "bot_challenge"})


class ValidateAddressForm(FormValidationAction):
    """Checks the order first, so a shipped order is refused before the customer types a whole address."""

    def name(self) -> str:
        return "validate_address_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("address_changeable") is False:
            return ["order_no"]
        return domain_slots

    def extract_order_no(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return extract_order_no_reply(dispatcher, tracker)

    def validate_order_no(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if slot_value is None:  # the reply was not a number, and the customer was already told so
            return {"order_no": None, "address_changeable": None}
        try:
            with get_runtime().session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                order = orders.get_order_for_customer(
                    session, customer_id=ref.customer_id, order_no=str(slot_value)
                )
                changeable = OrderStatus(order.status) in orders.ADDRESS_CHANGEABLE
        except NotFoundError:
            dispatcher.utter_message(response="utter_order_not_found", order_no=slot_value)
            return {"order_no": None, "address_changeable": None}
        except (HuishengError, SQLAlchemyError):
            report_unavailable(dispatcher, self.name())
            return {"order_no": None, "address_changeable": None}
        return {"order_no": slot_value, "address_changeable": changeable}

    def extract_new_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "new_address":
            return {}
        if latest_intent(tracker) in NOT_AN_ADDRESS:
            return {}
        text = normalise_spaces(tracker.latest_message.get("text") or "")
        if is_acknowledgement(text):
            return {"new_address": None}  # 好的: asked again, not told the address is incomplete
        if len(text) < MIN_ADDRESS_CHARS:
            dispatcher.utter_message(response="utter_invalid_address")
            return {"new_address": None}
        return {"new_address": text}


class ActionChangeAddress(Action):
    """Applies the new address, or explains (from shop_policy.yml) why it is too late and offers a person."""

    def name(self) -> str:
        return "action_change_address"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        order_no = tracker.get_slot("order_no")
        address = tracker.get_slot("new_address")
        reset = [SlotSet("new_address", None), SlotSet("address_changeable", None)]
        if not order_no:
            dispatcher.utter_message(response="utter_ask_order_no")
            return reset
        try:
            with get_runtime().session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                if address:
                    orders.change_address(
                        session, customer_id=ref.customer_id, order_no=order_no, address=address
                    )
                    dispatcher.utter_message(
                        response="utter_address_changed", order_no=order_no, address=address
                    )
                    return reset
                # No address was asked for: validation found the order already on its way.
                order = orders.get_order_for_customer(session, customer_id=ref.customer_id, order_no=order_no)
                status_label = STATUS_LABELS[OrderStatus(order.status)]
        except ConflictError:
            # Shipped between the check and the change: same answer as when it had shipped before.
            status_label = STATUS_LABELS[OrderStatus.SHIPPED]
        except NotFoundError:
            dispatcher.utter_message(response="utter_order_not_found", order_no=order_no)
            return [*reset, SlotSet("order_no", None)]
        except (HuishengError, SQLAlchemyError):
            report_unavailable(dispatcher, self.name())
            return reset
        dispatcher.utter_message(
            response="utter_address_change_blocked",
            order_no=order_no,
            status_label=status_label,
            policy=get_policy().answer("address_change"),
        )
        return [*reset, SlotSet("human_offered", True)]

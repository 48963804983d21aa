"""Answers about shop rules, quoted from shop_policy.yml, and the refund state of a named order."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.context import report_unavailable, resolve_customer
from bot.actions.orders import STATUS_LABELS, latest_intent
from bot.actions.runtime import get_policy, get_runtime
from bot.actions.slot_parsers import find_order_no
from crm_store.enums import OrderStatus
from huisheng.errors import HuishengError, NotFoundError
from huisheng.services import orders

# Which policy topic answers which intent; the topics are the keys of shop_policy.yml.
TOPIC_BY_INTENT: dict[str, str] = {
    "shipping_info": "shipping",
    "return_policy": "returns",
    "refund_status": "refund",
    "invoice": "invoice",
    "payment_issue": "payment",
    "product_info": "products",
    "change_address": "address_change",
}
REFUND_RESPONSES: dict[OrderStatus, str] = {
    OrderStatus.REFUND_REQUESTED: "utter_refund_in_progress",
    OrderStatus.REFUNDED: "utter_refund_done",
}


class ActionAnswerPolicy(Action):
    """Quotes the shop's own answer for the topic of the question."""

    def name(self) -> str:
        return "action_answer_policy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        topic = TOPIC_BY_INTENT.get(latest_intent(tracker) or "")
        if topic is None:
            dispatcher.utter_message(response="utter_default")
            return []
        try:
            answer = get_policy().answer(topic)
        except (HuishengError, OSError, KeyError):
            report_unavailable(dispatcher, self.name())
            return []
        dispatcher.utter_message(text=answer)
        return []


class ActionRefundStatus(Action):
    """With an order number: that order's refund state; without: the refund policy and a hint."""

    def name(self) -> str:
        return "action_refund_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # Only a number given in this very message: an order remembered from earlier may be a different one.
        order_no = find_order_no(tracker.latest_message.get("text") or "")
        try:
            if order_no is None:
                dispatcher.utter_message(text=get_policy().answer("refund"))
                dispatcher.utter_message(response="utter_refund_ask_order_no")
                return []
            with get_runtime().session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                order = orders.get_order_for_customer(session, customer_id=ref.customer_id, order_no=order_no)
                status = OrderStatus(order.status)
        except NotFoundError:
            dispatcher.utter_message(response="utter_order_not_found", order_no=order_no)
            return []
        except (HuishengError, SQLAlchemyError, OSError, KeyError):
            report_unavailable(dispatcher, self.name())
            return []
        response = REFUND_RESPONSES.get(status, "utter_refund_none")
        dispatcher.utter_message(
            response=response,
            order_no=order_no,
            status_label=STATUS_LABELS[status],
            policy=get_policy().answer("refund"),
        )
        return [SlotSet("order_no", order_no)]

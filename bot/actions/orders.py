"""Order look-ups: ask for the order number, then show the status of the customer's own order."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.context import report_unavailable, resolve_customer
from bot.actions.runtime import get_runtime
from bot.actions.slot_parsers import find_order_no, is_acknowledgement, is_decline
from crm_store.enums import OrderStatus
from huisheng.errors import HuishengError, NotFoundError
from huisheng.services import orders

# Words the customer sees for each stored status.
STATUS_LABELS: dict[OrderStatus, str] = {
    OrderStatus.PENDING_PAYMENT: "待付款",
    OrderStatus.PAID: "已付款、待发货",
    OrderStatus.SHIPPED: "已发货",
    OrderStatus.DELIVERED: "已送达",
    OrderStatus.COMPLETED: "已完成",
    OrderStatus.CANCELLED: "已取消",
    OrderStatus.REFUND_REQUESTED: "退款处理中",
    OrderStatus.REFUNDED: "已退款",
}
RECENT_ORDERS_SHOWN = 3
# Intents that mean the customer moved on; the form then rejects so rules can answer them instead.
TOPIC_CHANGES = frozenset(
    {
        "request_human",
        "complain",
        "shipping_info",
        "return_policy",
        "refund_status",
        "invoice",
        "payment_issue",
        "product_info",
        "bot_challenge",
        "goodbye",
        "change_address",
        "rate_service",
    }
)


def latest_intent(tracker: Tracker) -> str | None:
    name = (tracker.latest_message.get("intent") or {}).get("name")
    return str(name) if name else None


def extract_order_no_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, slot: str = "order_no"
) -> dict[str, Any]:
    """Reads an order number from the reply to "which order?", shared by every form that asks for one."""
    text = tracker.latest_message.get("text") or ""
    number = find_order_no(text)
    if number:
        return {slot: number}
    if tracker.get_slot("requested_slot") != slot or latest_intent(tracker) in TOPIC_CHANGES:
        return {}
    if is_decline(text) or latest_intent(tracker) == "deny":
        return {}  # 不用了 / 没有: the rules drop the form (data/rules/acknowledgements.yml)
    if is_acknowledgement(text):
        return {slot: None}  # 好的 / 嗯: not a wrong number, the question is simply asked again
    dispatcher.utter_message(response="utter_invalid_order_no")
    return {slot: None}


def items_text(items: list[dict[str, Any]]) -> str:
    return "、".join(f"{item.get('name', '商品')}×{item.get('qty', 1)}" for item in items) or "—"


def order_status_response(order: Any) -> dict[str, Any]:
    """The response name and template variables describing one order."""
    status = OrderStatus(order.status)
    return {
        "response": f"utter_order_{status.value}",
        "order_no": order.order_no,
        "status_label": STATUS_LABELS[status],
        "items": items_text(order.items or []),
        "carrier": order.carrier or "快递",
        "tracking_no": order.tracking_no or "暂无",
        "shipped_on": f"{order.shipped_at:%m月%d日}" if order.shipped_at else "近日",
        "delivered_on": f"{order.delivered_at:%m月%d日}" if order.delivered_at else "近日",
    }


class ActionAskOrderNo(Action):
    """Asks for the order number and offers the customer's recent orders as one-tap buttons."""

    def name(self) -> str:
        return "action_ask_order_no"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            with get_runtime().session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                recent = orders.list_orders(session, customer_id=ref.customer_id, limit=RECENT_ORDERS_SHOWN)
                listed = [(order.order_no, STATUS_LABELS[OrderStatus(order.status)]) for order in recent]
        except (HuishengError, SQLAlchemyError):
            report_unavailable(dispatcher, self.name())
            listed = []
        if not listed:
            dispatcher.utter_message(response="utter_ask_order_no")
            return []
        intent = "change_address" if tracker.active_loop_name == "address_form" else "order_status"
        dispatcher.utter_message(
            response="utter_ask_order_no_recent",
            recent_orders="\n".join(f"{number}（{label}）" for number, label in listed),
            buttons=[
                {"title": f"{number} {label}", "payload": f'/{intent}{{"order_no":"{number}"}}'}
                for number, label in listed
            ],
        )
        return []


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    def extract_order_no(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return extract_order_no_reply(dispatcher, tracker)


class ActionOrderStatus(Action):
    """Shows the status of an order, but only if it belongs to the customer asking."""

    def name(self) -> str:
        return "action_order_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        order_no = tracker.get_slot("order_no")
        if not order_no:
            dispatcher.utter_message(response="utter_ask_order_no")
            return []
        try:
            with get_runtime().session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                order = orders.get_order_for_customer(session, customer_id=ref.customer_id, order_no=order_no)
                reply = order_status_response(order)
        except NotFoundError:
            # Someone else's order reads exactly like a mistyped one: nothing about it is revealed. The
            # customer may have ordered under another account: the phone on the order can prove it
            # (bot/actions/account_link.py).
            dispatcher.utter_message(response="utter_order_not_found", order_no=order_no)
            return [
                SlotSet("order_no", None),
                SlotSet("link_order_no", order_no),
                FollowupAction("link_account_form"),
            ]
        except (HuishengError, SQLAlchemyError):
            report_unavailable(dispatcher, self.name())
            return []
        dispatcher.utter_message(**reply)
        return []

"""The complaint form: what happened, the order and a phone number, then an escalation with a ticket."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.context import current_conversation_id, report_unavailable, resolve_customer
from bot.actions.orders import TOPIC_CHANGES, latest_intent
from bot.actions.runtime import get_runtime
from bot.actions.slot_parsers import (
    find_order_no,
    is_acknowledgement,
    is_decline,
    normalise_spaces,
    parse_phone,
    withdraws_complaint,
)
from crm_store.enums import EscalationCategory, Priority, SentimentLabel
from huisheng.errors import HuishengError, NotFoundError
from huisheng.services import escalations, orders
from huisheng.services.audit import CUSTOMER

logger = logging.getLogger(__name__)

# Slot value for "the customer said there is none", so the form does not ask again.
NOT_GIVEN = "none"
MIN_COMPLAINT_CHARS = 4
# "我要投诉" alone says nothing about what happened; anything beyond it is the complaint itself.
_COMPLAINT_OPENERS = re.compile(
    r"(我要|我想|我得|要)?(投诉|投訴|举报|舉報|申诉|申訴)(你们|你們|一下)?[，,。!！]*"
)
MIN_DETAIL_CHARS = 6
PRIORITY_LABELS: dict[Priority, str] = {
    Priority.LOW: "低",
    Priority.NORMAL: "普通",
    Priority.HIGH: "高",
    Priority.URGENT: "紧急",
}
# Customers read deadlines in China time; the store keeps UTC.
CHINA_TIME = timezone(timedelta(hours=8))
COMPLAINT_SLOTS = ("complaint_text", "complaint_order_no", "contact_phone")


def describes_what_happened(text: str) -> bool:
    return len(_COMPLAINT_OPENERS.sub("", text)) >= MIN_DETAIL_CHARS


def local_deadline(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(CHINA_TIME):%m月%d日 %H:%M}"


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    def extract_complaint_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = normalise_spaces(tracker.latest_message.get("text") or "")
        requested = tracker.get_slot("requested_slot")
        if requested is None:
            # Activation: "快递把我的包裹弄丢了，我要投诉" already says what happened; don't ask again.
            if tracker.get_slot("complaint_text") is None and describes_what_happened(text):
                return {"complaint_text": text}
            return {}
        if requested != "complaint_text":
            return {}
        if latest_intent(tracker) in {"request_human", "goodbye"} or is_decline(text):
            return {}
        # 算了不投诉了 withdraws the complaint: left unfilled, the form is rejected and the rule for deny drops
        # it. A deny that goes on to say what happened is still the complaint.
        if latest_intent(tracker) == "deny" and not describes_what_happened(text):
            return {}
        if is_acknowledgement(text):
            return {"complaint_text": None}  # 好的: asked again, not told it is too short
        if len(text) < MIN_COMPLAINT_CHARS:
            dispatcher.utter_message(response="utter_complaint_too_short")
            return {"complaint_text": None}
        return {"complaint_text": text}

    def extract_complaint_order_no(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        number = find_order_no(text)
        if tracker.get_slot("requested_slot") != "complaint_order_no":
            # An order number inside the complaint itself answers the question before it is asked.
            if number and tracker.get_slot("complaint_order_no") is None:
                return {"complaint_order_no": number}
            return {}
        if number:
            return {"complaint_order_no": number}
        # 算了不投诉了 here withdraws the whole complaint, as when asked what happened: left unfilled, the
        # form is rejected and the deny rule drops it. A plain 算了 only skips the number.
        if latest_intent(tracker) == "deny" and withdraws_complaint(text):
            return {}
        if is_decline(text) or latest_intent(tracker) == "deny":
            return {"complaint_order_no": NOT_GIVEN}
        if latest_intent(tracker) in TOPIC_CHANGES:
            return {}
        if is_acknowledgement(text):
            return {"complaint_order_no": None}
        dispatcher.utter_message(response="utter_invalid_order_no")
        return {"complaint_order_no": None}

    def validate_complaint_order_no(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if slot_value is None:  # not a number, and the customer was already told so
            return {"complaint_order_no": None}
        if slot_value == NOT_GIVEN:
            return {"complaint_order_no": NOT_GIVEN}
        try:
            with get_runtime().session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                orders.get_order_for_customer(session, customer_id=ref.customer_id, order_no=str(slot_value))
        except NotFoundError:
            dispatcher.utter_message(response="utter_order_not_found", order_no=slot_value)
            return {"complaint_order_no": None}
        except (HuishengError, SQLAlchemyError):
            report_unavailable(dispatcher, self.name())
            return {"complaint_order_no": None}
        return {"complaint_order_no": slot_value}

    def extract_contact_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "contact_phone":
            return {}
        text = tracker.latest_message.get("text") or ""
        phone = parse_phone(text)
        if phone:
            return {"contact_phone": phone}
        if latest_intent(tracker) == "deny" and withdraws_complaint(text):
            return {}
        if is_decline(text) or latest_intent(tracker) == "deny":
            return {"contact_phone": NOT_GIVEN}
        if latest_intent(tracker) in TOPIC_CHANGES:
            return {}
        if is_acknowledgement(text):
            return {"contact_phone": None}
        dispatcher.utter_message(response="utter_invalid_phone")
        return {"contact_phone": None}


class ActionSubmitComplaint(Action):
    """Opens a complaint escalation whose priority reflects how upset the customer sounds."""

    def name(self) -> str:
        return "action_submit_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]
        text = tracker.get_slot("complaint_text")
        if not text:
            dispatcher.utter_message(response="utter_ask_complaint_text")
            return reset
        order_no = tracker.get_slot("complaint_order_no")
        phone = tracker.get_slot("contact_phone")
        label, score = self._sentiment(text)
        runtime = get_runtime()
        try:
            with runtime.session() as session:
                ref = resolve_customer(session, sender_id=tracker.sender_id)
                escalation = escalations.open_escalation(
                    session,
                    customer_id=ref.customer_id,
                    category=EscalationCategory.COMPLAINT,
                    description=text,
                    conversation_id=current_conversation_id(session, ref),
                    order_no=None if order_no in (None, NOT_GIVEN) else order_no,
                    contact_phone=None if phone in (None, NOT_GIVEN) else phone,
                    sentiment_label=label,
                    sentiment_score=score,
                    sla_hours=runtime.settings.escalation.sla_hours,
                    actor=CUSTOMER,
                )
                reply = {
                    "ticket_no": escalation.ticket_no,
                    "priority_label": PRIORITY_LABELS[Priority(escalation.priority)],
                    "sla_due": local_deadline(escalation.sla_due_at),
                }
        except (HuishengError, SQLAlchemyError):
            report_unavailable(dispatcher, self.name())
            return reset
        dispatcher.utter_message(response="utter_complaint_opened", **reply)
        return reset

    @staticmethod
    def _sentiment(text: str) -> tuple[SentimentLabel | None, float | None]:
        """The complaint's sentiment, or none: a missing model must not stop the complaint being filed."""
        try:
            label, score = get_runtime().analyzer.sentiment(text)
            return SentimentLabel(label), float(score)
        except Exception:  # the model can fail in many ways (files, torch); priority then uses the category
            logger.warning("sentiment unavailable for a complaint; priority falls back to its category")
            return None, None

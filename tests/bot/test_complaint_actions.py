"""The complaint form and the escalation it opens: sentiment, priority, SLA and ticket number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.actions.complaints import NOT_GIVEN, ActionSubmitComplaint, ValidateComplaintForm
from crm_store.enums import EscalationCategory, OrderStatus, Priority, SentimentLabel
from crm_store.models import Escalation
from huisheng.runtime import Runtime
from tests.bot.conftest import make_tracker, run_action
from tests.factories import make_customer, make_order

RESET = [SlotSet("complaint_text", None), SlotSet("complaint_order_no", None), SlotSet("contact_phone", None)]


def test_complaint_opens_an_urgent_escalation_for_an_angry_customer(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="angry")
    make_order(session, customer=customer, status=OrderStatus.DELIVERED, order_no="202411050012")
    tracker = make_tracker(
        "web:angry",
        slots={
            "complaint_text": "杯子收到就是碎的，客服三天不回复",
            "complaint_order_no": "202411050012",
            "contact_phone": "13812345678",
        },
    )

    result = run_action(ActionSubmitComplaint(), tracker, domain)

    assert result.events == RESET
    assert result.responses == ["utter_complaint_opened"]
    escalation = session.scalars(select(Escalation).where(Escalation.customer_id == customer.id)).one()
    assert escalation.category is EscalationCategory.COMPLAINT
    assert escalation.sentiment_label is SentimentLabel.NEGATIVE
    # Complaint base "normal", one step for negative, one more for strongly negative (score 0.05).
    assert escalation.priority is Priority.URGENT
    assert escalation.sla_due_at - escalation.created_at == timedelta(hours=2)
    assert escalation.contact_phone == "13812345678"
    assert escalation.conversation_id is not None
    message = result.messages[0]
    assert message["ticket_no"] == escalation.ticket_no
    assert message["priority_label"] == "紧急"


def test_complaint_without_order_or_phone_is_still_filed(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="calm")
    tracker = make_tracker(
        "web:calm",
        slots={
            "complaint_text": "快递员态度不好",
            "complaint_order_no": NOT_GIVEN,
            "contact_phone": NOT_GIVEN,
        },
    )

    result = run_action(ActionSubmitComplaint(), tracker, domain)

    assert result.responses == ["utter_complaint_opened"]
    escalation = session.scalars(select(Escalation).where(Escalation.customer_id == customer.id)).one()
    assert escalation.order_id is None
    assert escalation.contact_phone is None


def test_a_detailed_first_message_is_taken_as_the_complaint(domain: dict[str, Any]) -> None:
    text = "快递把我的包裹弄丢了，我要投诉"
    tracker = make_tracker("web:v", text=text, intent="complain")

    result = run_action(ValidateComplaintForm(), tracker, domain)

    assert result.events == [SlotSet("complaint_text", text)]


def test_a_bare_i_want_to_complain_asks_what_happened(domain: dict[str, Any]) -> None:
    tracker = make_tracker("web:v", text="我要投诉", intent="complain")

    result = run_action(ValidateComplaintForm(), tracker, domain)

    assert result.events == []


def test_invalid_phone_is_asked_again(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="12345",
        intent="nlu_fallback",
        slots={"requested_slot": "contact_phone", "complaint_text": "坏了", "complaint_order_no": NOT_GIVEN},
        active_loop="complaint_form",
    )

    result = run_action(ValidateComplaintForm(), tracker, domain)

    assert result.events == [SlotSet("contact_phone", None)]
    assert result.responses == ["utter_invalid_phone"]


def test_withdrawing_while_asked_what_happened_leaves_the_form_to_the_deny_rule(
    domain: dict[str, Any],
) -> None:
    tracker = make_tracker(
        "web:v",
        text="算了不投诉了",
        intent="deny",
        slots={"requested_slot": "complaint_text"},
        active_loop="complaint_form",
    )

    result = run_action(ValidateComplaintForm(), tracker, domain)

    assert result.events == []  # nothing filled: Rasa rejects the form and the rule drops it
    assert result.messages == []


@pytest.mark.parametrize("requested", ["complaint_order_no", "contact_phone"])
@pytest.mark.parametrize(
    ("text", "withdrawn"),
    [("算了不投诉了", True), ("算了", False)],  # the complaint taken back / only this question skipped
)
def test_at_a_later_question_a_withdrawal_drops_the_form_and_a_skip_is_none_given(
    domain: dict[str, Any], requested: str, text: str, withdrawn: bool
) -> None:
    tracker = make_tracker(
        "web:v",
        text=text,
        intent="deny",
        slots={"requested_slot": requested, "complaint_text": "杯子收到就是碎的"},
        active_loop="complaint_form",
    )

    result = run_action(ValidateComplaintForm(), tracker, domain)

    # Nothing filled: Rasa rejects the form and the deny rule drops it.
    assert result.events == ([] if withdrawn else [SlotSet(requested, NOT_GIVEN)])
    assert result.messages == []


def test_a_deny_that_says_what_happened_is_still_the_complaint(domain: dict[str, Any]) -> None:
    text = "不要了，杯子收到就是碎的，客服也不回"
    tracker = make_tracker(
        "web:v",
        text=text,
        intent="deny",
        slots={"requested_slot": "complaint_text"},
        active_loop="complaint_form",
    )

    result = run_action(ValidateComplaintForm(), tracker, domain)

    assert SlotSet("complaint_text", text) in result.events


def test_phone_can_be_declined(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="不用了",
        intent="deny",
        slots={"requested_slot": "contact_phone", "complaint_text": "坏了", "complaint_order_no": NOT_GIVEN},
        active_loop="complaint_form",
    )

    result = run_action(ValidateComplaintForm(), tracker, domain)

    assert result.events == [SlotSet("contact_phone", NOT_GIVEN)]
    assert result.messages == []


def test_complaint_about_someone_elses_order_asks_again(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    owner = make_customer(session, external_id="owner-c")
    make_order(session, customer=owner, order_no="202411050077")
    make_customer(session, external_id="other-c")
    tracker = make_tracker(
        "web:other-c",
        text="202411050077",
        intent="order_status",
        slots={"requested_slot": "complaint_order_no", "complaint_text": "发错货了"},
        active_loop="complaint_form",
    )

    result = run_action(ValidateComplaintForm(), tracker, domain)

    assert SlotSet("complaint_order_no", None) in result.events
    assert result.responses == ["utter_order_not_found"]

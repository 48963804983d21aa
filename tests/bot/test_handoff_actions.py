"""Handoff to a person: on request or after two misunderstandings in a row, then the bot stays silent."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import ConversationPaused, SlotSet
from sqlalchemy.orm import Session

from bot.actions.fallback import ActionCountFallbacks, ActionFallback
from bot.actions.handoff import ActionDeclineHuman, ActionHandoff
from crm_store.enums import Channel, ConversationStatus, EscalationCategory
from huisheng.runtime import Runtime
from huisheng.services import conversations, escalations
from tests.bot.conftest import make_tracker, run_action
from tests.factories import make_customer

PAUSED = [SlotSet("human_offered", False), SlotSet("fallback_count", 0.0), ConversationPaused()]


def test_handoff_queues_the_conversation_and_pauses_the_bot(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="needs-person")
    tracker = make_tracker("web:needs-person", text="转人工", intent="request_human")

    result = run_action(ActionHandoff(), tracker, domain)

    assert result.events == PAUSED
    assert result.responses == ["utter_handoff"]
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    assert conversation.status is ConversationStatus.WAITING_FOR_STAFF
    escalation = escalations.open_for_conversation(session, conversation_id=conversation.id)
    assert escalation is not None
    assert escalation.category is EscalationCategory.HANDOFF
    assert result.messages[0]["ticket_no"] == escalation.ticket_no


def test_asking_twice_joins_the_same_escalation(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    make_customer(session, external_id="impatient")
    tracker = make_tracker("web:impatient", text="人工！", intent="request_human")

    first = run_action(ActionHandoff(), tracker, domain)
    second = run_action(ActionHandoff(), tracker, domain)

    assert first.messages[0]["ticket_no"] == second.messages[0]["ticket_no"]


def test_fallback_count_rises_on_misunderstanding_and_resets_on_understanding(domain: dict[str, Any]) -> None:
    misunderstood = make_tracker(
        "web:v", text="阿巴阿巴", intent="nlu_fallback", slots={"fallback_count": 1.0}
    )
    understood = make_tracker("web:v", text="查订单", intent="order_status", slots={"fallback_count": 1.0})

    assert run_action(ActionCountFallbacks(), misunderstood, domain).events == [
        SlotSet("fallback_count", 2.0)
    ]
    assert run_action(ActionCountFallbacks(), understood, domain).events == [SlotSet("fallback_count", 0.0)]


def test_first_misunderstanding_asks_to_rephrase(domain: dict[str, Any]) -> None:
    tracker = make_tracker("web:v", text="阿巴阿巴", intent="nlu_fallback", slots={"fallback_count": 1.0})

    result = run_action(ActionFallback(), tracker, domain)

    assert result.events == [SlotSet("fallback_count", 1.0)]
    assert result.responses == ["utter_default"]


def test_second_misunderstanding_in_a_row_hands_over(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="confused")
    tracker = make_tracker(
        "web:confused", text="阿巴阿巴", intent="nlu_fallback", slots={"fallback_count": 2.0}
    )

    result = run_action(ActionFallback(), tracker, domain)

    assert result.events == PAUSED
    assert result.responses == ["utter_handoff_not_understood"]
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    assert conversation.status is ConversationStatus.WAITING_FOR_STAFF


def test_declining_the_offered_person_carries_on(domain: dict[str, Any]) -> None:
    tracker = make_tracker("web:v", text="不用了", intent="deny", slots={"human_offered": True})

    result = run_action(ActionDeclineHuman(), tracker, domain)

    assert result.events == [SlotSet("human_offered", False)]
    assert result.responses == ["utter_anything_else"]

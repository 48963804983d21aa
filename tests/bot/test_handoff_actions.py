"""Handoff to a person: on request or after two misunderstandings in a row, then the bot stays silent."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from sqlalchemy.orm import Session

from bot.actions.fallback import ActionFallback, misunderstood_in_a_row
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


def _turn(text: str, *answers: str) -> list[dict[str, Any]]:
    """One customer message and the actions that answered it."""
    return [
        {"event": "user", "text": text},
        *({"event": "action", "name": name} for name in answers),
        {"event": "action", "name": "action_listen"},
    ]


CURRENT = [{"event": "user", "text": "阿巴阿巴"}]


def test_misunderstandings_are_counted_in_a_row_from_the_events() -> None:
    assert misunderstood_in_a_row(CURRENT) == 1
    assert misunderstood_in_a_row(_turn("嗯嗯", "action_fallback") + CURRENT) == 2
    # An answered message in between starts the count again.
    assert (
        misunderstood_in_a_row(_turn("?", "action_fallback") + _turn("查订单", "order_form") + CURRENT) == 1
    )


def test_a_handoff_and_its_return_start_the_count_again() -> None:
    events = [*_turn("?", "action_fallback"), {"event": "pause"}, {"event": "resume"}, *CURRENT]
    assert misunderstood_in_a_row(events) == 1


def test_first_misunderstanding_asks_to_rephrase_and_ends_the_turn(domain: dict[str, Any]) -> None:
    tracker = make_tracker("web:v", text="阿巴阿巴", intent="nlu_fallback", events=CURRENT)

    result = run_action(ActionFallback(), tracker, domain)

    # Without the follow-up a core fallback is predicted again at once: ten "抱歉，我没太明白" in one turn.
    assert result.events == [SlotSet("fallback_count", 1.0), FollowupAction("action_listen")]
    assert result.responses == ["utter_default"]


def test_a_core_fallback_counts_like_an_nlu_fallback(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    make_customer(session, external_id="puzzled")
    events = [*_turn("好的", "action_fallback"), {"event": "user", "text": "好的"}]
    tracker = make_tracker("web:puzzled", text="好的", intent="affirm", events=events)

    result = run_action(ActionFallback(), tracker, domain)

    assert result.events == PAUSED
    assert result.responses == ["utter_handoff_not_understood"]


def test_second_misunderstanding_in_a_row_hands_over(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="confused")
    events = _turn("阿巴", "action_fallback") + CURRENT
    tracker = make_tracker("web:confused", text="阿巴阿巴", intent="nlu_fallback", events=events)

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

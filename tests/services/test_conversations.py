"""Conversation turns, handover to staff, closing and CSAT."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    MessageDirection,
    MessageSender,
    SentimentLabel,
)
from huisheng.errors import InvalidInputError
from huisheng.services import conversations, csat
from tests.factories import make_customer, row_counts


def _conversation_id(session: Session) -> int:
    customer = make_customer(session)
    return conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB).id


def test_the_open_conversation_is_reused_until_it_is_closed(session: Session) -> None:
    customer = make_customer(session)
    first = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    assert (
        conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB).id
        == first.id
    )
    conversations.close_conversation(session, conversation_id=first.id)
    assert (
        conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB).id
        != first.id
    )


def test_a_recorded_turn_keeps_intent_and_sentiment(session: Session) -> None:
    conversation_id = _conversation_id(session)
    message = conversations.record_message(
        session,
        conversation_id=conversation_id,
        direction=MessageDirection.INBOUND,
        sender=MessageSender.CUSTOMER,
        text="我的订单到哪了",
        intent="order_status",
        intent_confidence=0.97,
        sentiment_label=SentimentLabel.NEUTRAL,
        sentiment_score=0.5,
    )
    assert (message.intent, message.sentiment_label) == ("order_status", SentimentLabel.NEUTRAL)


@pytest.mark.parametrize("text", ["", "   ", "好" * 4001])
def test_empty_or_over_long_messages_are_refused_and_nothing_is_stored(session: Session, text: str) -> None:
    conversation_id = _conversation_id(session)
    before = row_counts(session)
    with pytest.raises(InvalidInputError):
        conversations.record_message(
            session,
            conversation_id=conversation_id,
            direction=MessageDirection.INBOUND,
            sender=MessageSender.CUSTOMER,
            text=text,
        )
    assert row_counts(session) == before


def test_handover_moves_the_conversation_to_waiting_and_opens_a_handoff_case(session: Session) -> None:
    conversation_id = _conversation_id(session)
    escalation = conversations.hand_over(session, conversation_id=conversation_id, reason="customer asked")
    conversation = conversations.get_conversation(session, conversation_id=conversation_id)
    assert conversation.status is ConversationStatus.WAITING_FOR_STAFF
    assert conversation.handed_over_at is not None
    assert escalation.category is EscalationCategory.HANDOFF
    assert escalation.conversation_id == conversation_id


def test_asking_for_a_person_twice_joins_the_same_case(session: Session) -> None:
    conversation_id = _conversation_id(session)
    first = conversations.hand_over(session, conversation_id=conversation_id, reason="asked")
    second = conversations.hand_over(session, conversation_id=conversation_id, reason="asked again")
    assert second.id == first.id
    assert first.events[-1].note is not None and "again" in first.events[-1].note


def test_csat_is_stored_with_its_comment(session: Session) -> None:
    conversation_id = _conversation_id(session)
    conversation = csat.record_csat(session, conversation_id=conversation_id, score=4, comment="回复挺快")
    assert (conversation.csat_score, conversation.csat_comment) == (4, "回复挺快")
    assert conversation.csat_at is not None


@pytest.mark.parametrize("score", [0, 6, -1, True])
def test_csat_outside_one_to_five_is_refused(session: Session, score: int) -> None:
    conversation_id = _conversation_id(session)
    with pytest.raises(InvalidInputError, match="from 1 to 5"):
        csat.record_csat(session, conversation_id=conversation_id, score=score)
    assert conversations.get_conversation(session, conversation_id=conversation_id).csat_score is None


def test_a_closed_conversation_takes_no_more_messages(session: Session) -> None:
    conversation_id = _conversation_id(session)
    conversations.close_conversation(session, conversation_id=conversation_id)
    with pytest.raises(InvalidInputError, match="is closed"):
        conversations.record_message(
            session,
            conversation_id=conversation_id,
            direction=MessageDirection.INBOUND,
            sender=MessageSender.CUSTOMER,
            text="还在吗",
        )


def test_staff_taking_over_owns_the_conversation_and_its_handoff_case(session: Session) -> None:
    from huisheng.services.audit import Actor
    from tests.factories import make_staff

    conversation_id = _conversation_id(session)
    case = conversations.hand_over(session, conversation_id=conversation_id, reason="asked")
    agent = make_staff(session)
    conversation = conversations.take_over(
        session,
        conversation_id=conversation_id,
        staff_id=agent.id,
        actor=Actor.staff(agent.id, agent.username),
    )
    assert conversation.status is ConversationStatus.WITH_STAFF and conversation.assignee_id == agent.id
    assert case.assignee_id == agent.id and case.status.value == "assigned"


def test_an_unknown_staff_member_cannot_take_over(session: Session) -> None:
    from huisheng.errors import NotFoundError
    from huisheng.services.audit import Actor

    conversation_id = _conversation_id(session)
    with pytest.raises(NotFoundError, match="staff user 4242"):
        conversations.take_over(session, conversation_id=conversation_id, staff_id=4242, actor=Actor("x"))
    assert (
        conversations.get_conversation(session, conversation_id=conversation_id).status
        is ConversationStatus.BOT
    )


def test_taking_over_a_case_already_yours_does_not_assign_it_again(session: Session) -> None:
    from crm_store.enums import EscalationEventKind
    from huisheng.services import escalations
    from huisheng.services.audit import Actor
    from tests.factories import make_staff

    conversation_id = _conversation_id(session)
    case = conversations.hand_over(session, conversation_id=conversation_id, reason="asked")
    agent = make_staff(session)
    actor = Actor.staff(agent.id, agent.username)
    escalations.assign(session, escalation_id=case.id, assignee_id=agent.id, actor=actor)
    conversations.take_over(session, conversation_id=conversation_id, staff_id=agent.id, actor=actor)
    assigned = [e for e in case.events if e.kind is EscalationEventKind.ASSIGNED]
    assert len(assigned) == 1

"""The proactive care list: who is on it and why, the follow-up that takes them off it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    EscalationStatus,
    MessageDirection,
    MessageSender,
    SegmentKind,
    SentimentLabel,
)
from crm_store.models import Customer, CustomerSegment, Message, Review
from huisheng.errors import ConflictError
from huisheng.services import care, conversations
from huisheng.services.audit import Actor
from huisheng.services.escalations import DEFAULT_SLA_HOURS
from huisheng.settings import CareSettings
from tests.factories import make_case, make_customer, make_staff

NOW = utcnow().replace(microsecond=0)
SETTINGS = CareSettings()


def negative_review(session: Session, customer: Customer, *, days_ago: float) -> None:
    session.add(
        Review(
            source="test",
            text="太差了",
            customer_id=customer.id,
            sentiment_label=SentimentLabel.NEGATIVE,
            sentiment_score=0.05,
            created_at=NOW - timedelta(days=days_ago),
        )
    )
    session.flush()


def chat(
    session: Session,
    customer: Customer,
    *,
    days_ago: float,
    mood: SentimentLabel = SentimentLabel.NEUTRAL,
    csat: int | None = None,
) -> None:
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    at = NOW - timedelta(days=days_ago)
    session.add(
        Message(
            conversation_id=conversation.id,
            direction=MessageDirection.INBOUND,
            sender=MessageSender.CUSTOMER,
            text="嗯",
            sentiment_label=mood,
            created_at=at,
        )
    )
    conversation.last_message_at = at
    conversation.ended_at = at
    conversation.csat_score = csat
    conversation.csat_at = at if csat else None
    session.flush()
    # The next chat is a new conversation, as after the customer leaves.
    conversation.status = ConversationStatus.CLOSED
    session.flush()


def valuable(session: Session, customer: Customer, tier: str = "重要价值") -> None:
    session.add(CustomerSegment(customer_id=customer.id, kind=SegmentKind.RFM, name=tier, reason="test"))
    session.flush()


def listed(session: Session) -> dict[int, list[str]]:
    return {item.customer_id: item.reasons for item in care.care_list(session, settings=SETTINGS, now=NOW)}


def test_a_recent_negative_reviewer_is_listed_and_an_old_one_is_not(session: Session) -> None:
    recent, old = make_customer(session), make_customer(session)
    negative_review(session, recent, days_ago=2)
    negative_review(session, recent, days_ago=3)
    negative_review(session, old, days_ago=30)
    assert listed(session) == {recent.id: ["近 14 天留下差评 2 条"]}


def test_a_last_conversation_rated_low_or_ending_angry_is_listed(session: Session) -> None:
    rated, angry, recovered = make_customer(session), make_customer(session), make_customer(session)
    chat(session, rated, days_ago=1, csat=1)
    chat(session, angry, days_ago=1, mood=SentimentLabel.NEGATIVE)
    chat(session, recovered, days_ago=3, mood=SentimentLabel.NEGATIVE)
    chat(session, recovered, days_ago=1, mood=SentimentLabel.POSITIVE, csat=5)
    assert listed(session) == {
        rated.id: ["最近一次对话客户评分 1 分"],
        angry.id: ["最近一次对话结束时客户情绪负面"],
    }


def test_a_valuable_customer_with_an_open_complaint_is_listed_and_an_ordinary_one_is_not(
    session: Session,
) -> None:
    vip, ordinary = make_customer(session), make_customer(session)
    valuable(session, vip)
    valuable(session, ordinary, "一般发展")
    case = make_case(session, customer=vip, category=EscalationCategory.COMPLAINT)
    make_case(session, customer=ordinary, category=EscalationCategory.COMPLAINT)
    assert listed(session) == {vip.id: [f"重要价值客户有未结投诉 {case.ticket_no}"]}


def test_a_valuable_customer_silent_since_a_bad_experience_is_listed_until_they_get_in_touch(
    session: Session,
) -> None:
    vip = make_customer(session)
    valuable(session, vip, "重要保持")
    negative_review(session, vip, days_ago=40)
    bad_day = (NOW - timedelta(days=40)).strftime("%m-%d")
    assert listed(session) == {vip.id: [f"重要保持客户 {bad_day} 体验不佳后未再联系"]}
    chat(session, vip, days_ago=20, mood=SentimentLabel.POSITIVE)
    assert listed(session) == {}


def test_a_follow_up_is_opened_assigned_with_the_reasons_and_takes_the_customer_off(session: Session) -> None:
    customer = make_customer(session)
    negative_review(session, customer, days_ago=1)
    supervisor = make_staff(session, username="care-sup")
    agent = make_staff(session, username="care-agent")
    escalation = care.open_follow_up(
        session,
        customer_id=customer.id,
        assignee_id=agent.id,
        actor=Actor.staff(supervisor.id, supervisor.username),
        settings=SETTINGS,
        sla_hours=DEFAULT_SLA_HOURS,
        now=NOW,
    )
    assert (escalation.category, escalation.status, escalation.assignee_id) == (
        EscalationCategory.REVIEW_FOLLOW_UP,
        EscalationStatus.ASSIGNED,
        agent.id,
    )
    assert escalation.description == "主动关怀：近 14 天留下差评 1 条"
    assert customer.id not in listed(session)
    with pytest.raises(ConflictError):
        care.open_follow_up(
            session,
            customer_id=customer.id,
            assignee_id=agent.id,
            actor=Actor.staff(supervisor.id, supervisor.username),
            settings=SETTINGS,
            sla_hours=DEFAULT_SLA_HOURS,
            now=NOW,
        )


def test_a_follow_up_resolved_long_ago_no_longer_counts(session: Session) -> None:
    customer = make_customer(session)
    negative_review(session, customer, days_ago=1)
    case = make_case(session, customer=customer, category=EscalationCategory.REVIEW_FOLLOW_UP)
    assert customer.id not in listed(session)
    case.status = EscalationStatus.CLOSED
    case.closed_at = NOW - timedelta(days=SETTINGS.handled_days + 1)
    session.flush()
    assert customer.id in listed(session)


def test_valuable_customers_come_first(session: Session) -> None:
    ordinary, vip = make_customer(session), make_customer(session)
    negative_review(session, ordinary, days_ago=1)
    negative_review(session, vip, days_ago=5)
    valuable(session, vip)
    items = care.care_list(session, settings=SETTINGS, now=NOW)
    assert [(i.customer_id, i.tier) for i in items] == [(vip.id, "重要价值"), (ordinary.id, None)]

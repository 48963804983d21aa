"""Bot containment: of the conversations started in the period and closed, the share the bot finished
without a person (never handed over, no staff message); the fallback rate of customer messages (intent
nlu_fallback, or the NLU's confidence under the bot's fallback threshold); the top intents."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session

from crm_store.enums import ConversationStatus, MessageSender
from crm_store.models import Conversation, Message
from huisheng.services.insights.filters import DashboardFilter, share
from huisheng.services.insights.scopes import conversation_channel, in_period, message_conditions

FALLBACK_INTENT = "nlu_fallback"
# bot/config.yml's FallbackClassifier threshold: below it the bot answers as if it did not understand.
LOW_CONFIDENCE = 0.6
TOP_INTENTS = 10


@dataclass(frozen=True, slots=True)
class IntentCount:
    intent: str
    count: int
    share: float | None


@dataclass(frozen=True, slots=True)
class Containment:
    started: int
    closed: int
    bot_only: int
    containment_rate: float | None
    customer_messages: int
    fallbacks: int
    fallback_rate: float | None
    top_intents: list[IntentCount]


def containment(
    session: Session, *, filter: DashboardFilter, low_confidence: float = LOW_CONFIDENCE
) -> Containment:
    f = filter
    staff_spoke = exists(
        select(Message.id).where(
            Message.conversation_id == Conversation.id, Message.sender == MessageSender.STAFF
        )
    )
    closed = Conversation.status == ConversationStatus.CLOSED
    bot_only = closed & Conversation.handed_over_at.is_(None) & ~staff_spoke
    started, closed_count, contained = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((closed, 1), else_=0)), 0),
            func.coalesce(func.sum(case((bot_only, 1), else_=0)), 0),
        ).where(in_period(Conversation.started_at, f.since, f.until), *conversation_channel(f))
    ).one()
    fallback = or_(Message.intent == FALLBACK_INTENT, Message.intent_confidence < low_confidence)
    messages, fallbacks = session.execute(
        select(func.count(), func.coalesce(func.sum(case((fallback, 1), else_=0)), 0))
        .select_from(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*message_conditions(f, since=f.since, until=f.until))
    ).one()
    count = func.count().label("n")
    intents = session.execute(
        select(Message.intent, count)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*message_conditions(f, since=f.since, until=f.until), Message.intent.is_not(None))
        .group_by(Message.intent)
        .order_by(count.desc(), Message.intent)
        .limit(TOP_INTENTS)
    )
    return Containment(
        started=int(started),
        closed=int(closed_count),
        bot_only=int(contained),
        containment_rate=share(int(contained), int(closed_count)),
        customer_messages=int(messages),
        fallbacks=int(fallbacks),
        fallback_rate=share(int(fallbacks), int(messages)),
        top_intents=[IntentCount(str(i), int(n), share(int(n), int(messages))) for i, n in intents],
    )

"""A known store for the dashboard tests: reviews, aspects, keywords, chats, cases and CSAT spread over two
periods, two channels and three categories, kept as plain Python rows so the expected figures are computed
here, independently of the SQL under test."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    MessageDirection,
    MessageSender,
    Priority,
    SentimentLabel,
)
from crm_store.models import Conversation, Customer, Escalation, Message, Review, ReviewAspect

TODAY = date(2026, 6, 30)
# The default 30-day window ends today: 06-01 … 06-30 (China dates); the previous one is 05-02 … 05-31.
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
START = datetime(2026, 4, 25, tzinfo=UTC)
SPAN_HOURS = 24 * 72  # runs past the window's end, so rows outside both periods exist too
CATEGORIES = ("零食", "服装", "家电", None)
ASPECTS = ("物流", "质量", "价格", "服务")
KEYWORDS = ("太慢", "破损", "难吃", "客服", "质量差", "漏气")
LABELS = (SentimentLabel.POSITIVE, SentimentLabel.NEUTRAL, SentimentLabel.NEGATIVE, None)
INTENTS = ("greet", "shipping_info", "complain", "nlu_fallback", None)


@dataclass
class ReviewRow:
    id: int
    created_at: datetime
    category: str | None
    label: SentimentLabel | None
    keywords: list[str]
    text: str
    aspects: list[tuple[str, SentimentLabel]]


@dataclass
class MessageRow:
    created_at: datetime
    sender: MessageSender
    label: SentimentLabel | None = None
    intent: str | None = None
    confidence: float | None = None
    rating_question: bool = False


@dataclass
class ConversationRow:
    id: int
    channel: Channel
    started_at: datetime
    closed: bool
    ended_at: datetime | None
    handed_over_at: datetime | None
    csat: int | None
    customer_name: str
    messages: list[MessageRow] = field(default_factory=list)


@dataclass
class CaseRow:
    category: EscalationCategory
    created_at: datetime
    sla_due_at: datetime
    resolved_at: datetime | None
    conversation: ConversationRow | None


@dataclass
class Store:
    reviews: list[ReviewRow]
    conversations: list[ConversationRow]
    cases: list[CaseRow]


def _moment(rng: random.Random) -> datetime:
    # Whole seconds: SQLite's julianday keeps milliseconds at best.
    return START + timedelta(seconds=rng.randrange(SPAN_HOURS * 3600))


def build_store(session: Session, *, seed: int = 11) -> Store:
    rng = random.Random(seed)
    store = Store([], [], [])
    for index in range(160):
        label = rng.choice(LABELS)
        review = Review(
            source="test",
            external_id=f"ins-{index}",
            text=f"评价{index}",
            category=rng.choice(CATEGORIES),
            sentiment_label=label,
            sentiment_score=0.5 if label else None,
            keywords=rng.sample(KEYWORDS, rng.randrange(0, 4)),
            created_at=(written := _moment(rng)),
            analyzed_at=written if label else None,
        )
        aspects = [(a, rng.choice(LABELS[:3])) for a in rng.sample(ASPECTS, rng.randrange(0, 3))]
        review.aspects = [ReviewAspect(aspect=a, label=lab, score=0.5, clause=a) for a, lab in aspects]
        session.add(review)
        session.flush()
        store.reviews.append(
            ReviewRow(
                review.id,
                review.created_at,
                review.category,
                label,
                list(review.keywords or []),
                review.text,
                aspects,
            )
        )
    for index in range(60):
        store.conversations.append(_conversation(session, rng, index))
    for index, conversation in enumerate(c for c in store.conversations if c.handed_over_at):
        created = conversation.handed_over_at
        assert created is not None
        category = rng.choice((EscalationCategory.HANDOFF, EscalationCategory.COMPLAINT))
        store.cases.append(_case(session, rng, index, category, created, conversation))
    for index in range(30):
        category = rng.choice((EscalationCategory.COMPLAINT, EscalationCategory.LOGISTICS))
        store.cases.append(_case(session, rng, 100 + index, category, _moment(rng), None))
    session.flush()
    return store


def _conversation(session: Session, rng: random.Random, index: int) -> ConversationRow:
    customer = Customer(name=f"客户{index}")
    session.add(customer)
    session.flush()
    started = _moment(rng)
    closed = rng.random() < 0.8
    handed = started + timedelta(minutes=rng.randrange(1, 30)) if rng.random() < 0.45 else None
    row = ConversationRow(
        id=0,
        channel=rng.choice((Channel.WEB, Channel.WECHAT)),
        started_at=started,
        closed=closed,
        ended_at=started + timedelta(hours=rng.randrange(1, 40)) if closed else None,
        handed_over_at=handed,
        csat=rng.randrange(1, 6) if closed and rng.random() < 0.55 else None,
        customer_name=customer.name or "",
    )
    at = started
    for _ in range(rng.randrange(1, 6)):
        at += timedelta(minutes=rng.randrange(1, 20))
        confidence = round(rng.uniform(0.3, 1.0), 2)
        row.messages.append(
            MessageRow(at, MessageSender.CUSTOMER, rng.choice(LABELS), rng.choice(INTENTS), confidence)
        )
        row.messages.append(MessageRow(at + timedelta(seconds=2), MessageSender.BOT, SentimentLabel.NEGATIVE))
    if handed is not None:
        # A staff note before the handover does not count as the first reply.
        if rng.random() < 0.3:
            row.messages.append(MessageRow(handed - timedelta(minutes=1), MessageSender.STAFF))
        for _ in range(rng.randrange(0, 3)):
            row.messages.append(
                MessageRow(handed + timedelta(seconds=rng.randrange(30, 7200)), MessageSender.STAFF)
            )
    if closed and (row.csat is not None or rng.random() < 0.5):
        row.messages.append(MessageRow(at + timedelta(minutes=1), MessageSender.BOT, rating_question=True))
    conversation = Conversation(
        customer_id=customer.id,
        channel=row.channel,
        status=ConversationStatus.CLOSED if closed else ConversationStatus.BOT,
        started_at=started,
        last_message_at=at,
        handed_over_at=handed,
        ended_at=row.ended_at,
        csat_score=row.csat,
        csat_comment="评" if row.csat else None,
        csat_at=row.ended_at if row.csat else None,
    )
    session.add(conversation)
    session.flush()
    row.id = conversation.id
    for m in row.messages:
        session.add(
            Message(
                conversation_id=conversation.id,
                direction=MessageDirection.INBOUND
                if m.sender is MessageSender.CUSTOMER
                else MessageDirection.OUTBOUND,
                sender=m.sender,
                text="…",
                intent=m.intent,
                intent_confidence=m.confidence,
                sentiment_label=m.label,
                buttons=[{"title": "5分", "payload": '/rate_service{"rating":"5"}'}]
                if m.rating_question
                else None,
                created_at=m.created_at,
            )
        )
    return row


def _case(
    session: Session,
    rng: random.Random,
    index: int,
    category: EscalationCategory,
    created: datetime,
    conversation: ConversationRow | None,
) -> CaseRow:
    due = created + timedelta(hours=rng.choice((2, 8, 24)))
    resolved = created + timedelta(seconds=rng.randrange(600, 3 * 86400)) if rng.random() < 0.6 else None
    session.add(
        Escalation(
            ticket_no=f"INS{index:04d}",
            customer_id=session.get(Conversation, conversation.id).customer_id  # type: ignore[union-attr]
            if conversation
            else _any_customer(session),
            conversation_id=conversation.id if conversation else None,
            category=category,
            description="…",
            priority=Priority.NORMAL,
            sla_due_at=due,
            resolved_at=resolved,
            created_at=created,
        )
    )
    return CaseRow(category, created, due, resolved, conversation)


def _any_customer(session: Session) -> int:
    customer = Customer(name="投诉人")
    session.add(customer)
    session.flush()
    return customer.id

"""CSAT of conversations closed in the period: average, the 1–5 distribution, response rate (rated out of
the closed conversations that were asked: a rating question was sent, or a rating came anyway) and the
lowest-rated conversations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, ConversationStatus
from crm_store.models import Conversation, Customer, Message
from huisheng.services.insights.filters import DashboardFilter, share
from huisheng.services.insights.scopes import conversation_channel, in_period
from huisheng.services.transcript import RATING_PAYLOAD

LOWEST = 10


@dataclass(frozen=True, slots=True)
class RatedConversation:
    conversation_id: int
    customer_name: str | None
    channel: Channel
    score: int
    comment: str | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class CsatSummary:
    closed: int
    asked: int
    rated: int
    response_rate: float | None
    average: float | None
    distribution: dict[int, int]  # score 1..5 -> conversations
    lowest: list[RatedConversation]


def _closed_in(f: DashboardFilter) -> list[ColumnElement[bool]]:
    return [
        Conversation.status == ConversationStatus.CLOSED,
        in_period(Conversation.ended_at, f.since, f.until),
        *conversation_channel(f),
    ]


def csat_summary(session: Session, *, filter: DashboardFilter, lowest: int = LOWEST) -> CsatSummary:
    f = filter
    rating_asked = exists(
        select(Message.id).where(
            Message.conversation_id == Conversation.id,
            # Most messages have no buttons: skip them before reading the JSON as text.
            Message.buttons.is_not(None),
            cast(Message.buttons, String).like(f"%{RATING_PAYLOAD}%"),
        )
    )
    asked = or_(Conversation.csat_score.is_not(None), rating_asked)
    closed, asked_count, rated, average = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((asked, 1), else_=0)), 0),
            func.count(Conversation.csat_score),
            func.avg(Conversation.csat_score),
        ).where(*_closed_in(f))
    ).one()
    distribution = {score: 0 for score in range(1, 6)}
    for score, count in session.execute(
        select(Conversation.csat_score, func.count())
        .where(*_closed_in(f), Conversation.csat_score.is_not(None))
        .group_by(Conversation.csat_score)
    ):
        distribution[int(score or 0)] = int(count)
    worst = session.execute(
        select(
            Conversation.id,
            Customer.name,
            Conversation.channel,
            Conversation.csat_score,
            Conversation.csat_comment,
            Conversation.ended_at,
        )
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(*_closed_in(f), Conversation.csat_score.is_not(None))
        .order_by(Conversation.csat_score, Conversation.ended_at.desc(), Conversation.id.desc())
        .limit(lowest)
    )
    return CsatSummary(
        closed=int(closed),
        asked=int(asked_count),
        rated=int(rated),
        response_rate=share(int(rated), int(asked_count)),
        average=None if average is None else round(float(average), 2),
        distribution=distribution,
        lowest=[
            RatedConversation(cid, name, channel, int(score or 0), comment, ended)
            for cid, name, channel, score, comment, ended in worst
        ],
    )

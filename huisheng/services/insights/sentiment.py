"""Sentiment over time: how many reviews and customer chat messages were positive, neutral or negative in
each China day or week of the period, bucketed in SQL (reviews from their daily rollup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from crm_store.models import Conversation, Message, ReviewDaily
from huisheng.services.insights import rollup
from huisheng.services.insights.filters import DashboardFilter, china_bucket, day_bucket, share
from huisheng.services.insights.scopes import message_conditions, rollup_conditions


@dataclass(frozen=True, slots=True)
class SentimentBucket:
    bucket: str  # the China date the day or week starts on
    source: str  # "reviews" or "messages"
    positive: int
    neutral: int
    negative: int
    total: int
    positive_share: float | None
    neutral_share: float | None
    negative_share: float | None

    @classmethod
    def of(cls, bucket: str, source: str, positive: int, neutral: int, negative: int) -> SentimentBucket:
        total = positive + neutral + negative
        return cls(
            bucket,
            source,
            positive,
            neutral,
            negative,
            total,
            share(positive, total),
            share(neutral, total),
            share(negative, total),
        )


def _label_counts(label: Any, weight: Any) -> list[Any]:
    """Rows (weight 1) or rolled-up counts (weight: the count column) per label."""
    return [
        func.coalesce(func.sum(case((label == value, weight), else_=0)), 0)
        for value in (SentimentLabel.POSITIVE, SentimentLabel.NEUTRAL, SentimentLabel.NEGATIVE)
    ]


def sentiment_over_time(session: Session, *, filter: DashboardFilter) -> list[SentimentBucket]:
    """Per bucket and source, the analysed rows by label; buckets with nothing analysed are absent."""
    f = filter
    buckets: list[SentimentBucket] = []
    rollup.refresh(session)
    review_bucket = day_bucket(session, ReviewDaily.day, f.granularity).label("bucket")
    reviews = (
        select(review_bucket, *_label_counts(ReviewDaily.label, ReviewDaily.reviews))
        .where(*rollup_conditions(ReviewDaily, f, first=f.first_day, last=f.last_day))
        .group_by(review_bucket)
        .order_by(review_bucket)
    )
    message_bucket = china_bucket(session, Message.created_at, f.granularity).label("bucket")
    messages = (
        select(message_bucket, *_label_counts(Message.sentiment_label, 1))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*message_conditions(f, since=f.since, until=f.until), Message.sentiment_label.is_not(None))
        .group_by(message_bucket)
        .order_by(message_bucket)
    )
    statements: list[tuple[str, Any]] = [("reviews", reviews), ("messages", messages)]
    for source, statement in statements:
        for bucket, positive, neutral, negative in session.execute(statement):
            buckets.append(
                SentimentBucket.of(str(bucket), source, int(positive), int(neutral), int(negative))
            )
    return buckets

"""Negative share by channel (customer chat messages), by product category (reviews) and by aspect (the
aspect's own label in review_aspects), each against the previous period of equal length, in one SQL pass."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from crm_store.models import Conversation, Message, Review, ReviewAspect
from huisheng.services.insights.filters import DashboardFilter, aspect_names, share
from huisheng.services.insights.scopes import message_conditions, review_conditions


@dataclass(frozen=True, slots=True)
class NegativeShare:
    key: str | None
    total: int
    negative: int
    share: float | None
    previous_total: int
    previous_negative: int
    previous_share: float | None
    # Percentage points: this period's share minus the previous one's (None when either has no rows).
    change: float | None

    @classmethod
    def of(
        cls, key: str | None, total: int, negative: int, prev_total: int, prev_negative: int
    ) -> NegativeShare:
        now, before = share(negative, total), share(prev_negative, prev_total)
        change = round((now - before) * 100, 2) if now is not None and before is not None else None
        return cls(key, total, negative, now, prev_total, prev_negative, before, change)


def _period_sums(created_at: Any, label: Any, f: DashboardFilter) -> list[ColumnElement[int]]:
    """Rows and negatives in this period, then in the previous one."""
    current = created_at >= f.since
    negative = label == SentimentLabel.NEGATIVE

    def total(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return [total(current), total(current & negative), total(~current), total(~current & negative)]


def _rows(session: Session, statement: Any) -> list[NegativeShare]:
    return [
        NegativeShare.of(None if key is None else str(key), int(t), int(n), int(pt), int(pn))
        for key, t, n, pt, pn in session.execute(statement)
    ]


def by_channel(session: Session, *, filter: DashboardFilter) -> list[NegativeShare]:
    f, before = filter, filter.previous()
    statement = (
        select(Conversation.channel, *_period_sums(Message.created_at, Message.sentiment_label, f))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            *message_conditions(f, since=before.since, until=f.until), Message.sentiment_label.is_not(None)
        )
        .group_by(Conversation.channel)
        .order_by(Conversation.channel)
    )
    return _rows(session, statement)


def by_category(session: Session, *, filter: DashboardFilter) -> list[NegativeShare]:
    f, before = filter, filter.previous()
    statement = (
        select(Review.category, *_period_sums(Review.created_at, Review.sentiment_label, f))
        .where(*review_conditions(f, since=before.since, until=f.until), Review.sentiment_label.is_not(None))
        .group_by(Review.category)
        .order_by(Review.category)
    )
    return _rows(session, statement)


def by_aspect(session: Session, *, filter: DashboardFilter) -> list[NegativeShare]:
    """Every known aspect (zeros where none was mentioned), the filter's aspect alone when it has one."""
    f, before = filter, filter.previous()
    conditions = review_conditions(f, since=before.since, until=f.until)
    if f.aspect:
        conditions.append(ReviewAspect.aspect == f.aspect)
    statement = (
        select(ReviewAspect.aspect, *_period_sums(Review.created_at, ReviewAspect.label, f))
        .join(Review, Review.id == ReviewAspect.review_id)
        .where(*conditions)
        .group_by(ReviewAspect.aspect)
    )
    found = {row.key: row for row in _rows(session, statement)}
    names: Iterable[str] = [f.aspect] if f.aspect else aspect_names()
    extra = sorted(k for k in found if k is not None and k not in names)
    return [found.get(name) or NegativeShare.of(name, 0, 0, 0, 0) for name in [*names, *extra]]

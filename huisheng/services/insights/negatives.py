"""Negative share by channel (customer chat messages), by product category (reviews) and by aspect (the
aspect's own label in review_aspects), each against the previous period of equal length, in one SQL pass;
reviews from their daily rollups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from crm_store.models import Conversation, Message, ReviewAspectDaily, ReviewDaily
from huisheng.services.insights import rollup
from huisheng.services.insights.filters import DashboardFilter, aspect_names, share
from huisheng.services.insights.scopes import message_conditions, rollup_conditions


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


def _period_sums(current: ColumnElement[bool], label: Any, weight: Any = 1) -> list[ColumnElement[int]]:
    """Rows (or rolled-up counts, `weight`) and negatives in this period, then in the previous one."""
    negative = label == SentimentLabel.NEGATIVE

    def total(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, weight), else_=0)), 0)

    return [total(current), total(current & negative), total(~current), total(~current & negative)]


def _rows(session: Session, statement: Any) -> list[NegativeShare]:
    # The rollups keep reviews without a category under '': the dashboard shows them as None (未分类).
    return [
        NegativeShare.of(str(key) if key else None, int(t), int(n), int(pt), int(pn))
        for key, t, n, pt, pn in session.execute(statement)
    ]


def by_channel(session: Session, *, filter: DashboardFilter) -> list[NegativeShare]:
    f, before = filter, filter.previous()
    statement = (
        select(Conversation.channel, *_period_sums(Message.created_at >= f.since, Message.sentiment_label))
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
    rollup.refresh(session)
    current = ReviewDaily.day >= f.first_day
    statement = (
        select(ReviewDaily.category, *_period_sums(current, ReviewDaily.label, ReviewDaily.reviews))
        .where(*rollup_conditions(ReviewDaily, f, first=before.first_day, last=f.last_day))
        .group_by(ReviewDaily.category)
        .order_by(ReviewDaily.category)
    )
    return _rows(session, statement)


def by_aspect(session: Session, *, filter: DashboardFilter) -> list[NegativeShare]:
    """Every known aspect (zeros where none was mentioned), the filter's aspect alone when it has one."""
    f, before = filter, filter.previous()
    rollup.refresh(session)
    current = ReviewAspectDaily.day >= f.first_day
    statement = (
        select(
            ReviewAspectDaily.aspect,
            *_period_sums(current, ReviewAspectDaily.label, ReviewAspectDaily.mentions),
        )
        .where(*rollup_conditions(ReviewAspectDaily, f, first=before.first_day, last=f.last_day))
        .group_by(ReviewAspectDaily.aspect)
    )
    found = {row.key: row for row in _rows(session, statement)}
    names: Iterable[str] = [f.aspect] if f.aspect else aspect_names()
    extra = sorted(k for k in found if k is not None and k not in names)
    return [found.get(name) or NegativeShare.of(name, 0, 0, 0, 0) for name in [*names, *extra]]

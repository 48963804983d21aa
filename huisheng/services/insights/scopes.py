"""Which rows a panel counts: reviews (or their daily rollups) and customer chat messages in a period under the
dashboard's filter.

The channel filter applies to chats, cases and CSAT (reviews come from shops, not channels); the product
category and aspect filters apply to reviews.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import aliased

from crm_store.enums import MessageSender
from crm_store.models import (
    Conversation,
    Message,
    Review,
    ReviewAspect,
    ReviewAspectDaily,
    ReviewDaily,
    ReviewKeywordDaily,
)
from crm_store.models.insight_rollup import ANY_ASPECT
from huisheng.services.insights.filters import DashboardFilter


def in_period(column: Any, since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(column >= since, column < until)


def review_conditions(f: DashboardFilter, *, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    """Reviews written in [since, until) of the filter's category, mentioning its aspect."""
    conditions = [in_period(Review.created_at, since, until)]
    if f.category:
        conditions.append(Review.category == f.category)
    if f.aspect:
        # Aliased: the by-aspect query has review_aspects in its own FROM, which must not correlate here.
        mention = aliased(ReviewAspect)
        conditions.append(
            exists(select(mention.id).where(mention.review_id == Review.id, mention.aspect == f.aspect))
        )
    return conditions


def rollup_conditions(
    table: type[ReviewDaily] | type[ReviewAspectDaily] | type[ReviewKeywordDaily],
    f: DashboardFilter,
    *,
    first: date,
    last: date,
) -> list[ColumnElement[bool]]:
    """A daily rollup's rows for the China days [first, last] of the filter's category and aspect.

    review_daily and review_keyword_daily hold every review under aspect '' and each mentioned aspect under
    its name; review_aspect_daily holds only named aspects, so without an aspect filter it takes them all.
    """
    conditions = [table.day >= first, table.day <= last]
    if f.category:
        conditions.append(table.category == f.category)
    if table is ReviewAspectDaily:
        if f.aspect:
            conditions.append(table.aspect == f.aspect)
    else:
        conditions.append(table.aspect == (f.aspect or ANY_ASPECT))
    return conditions


def message_conditions(f: DashboardFilter, *, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    """Customer messages sent in [since, until) on the filter's channel (the query joins Conversation)."""
    conditions = [
        Message.sender == MessageSender.CUSTOMER,
        in_period(Message.created_at, since, until),
    ]
    if f.channel:
        conditions.append(Conversation.channel == f.channel)
    return conditions


def conversation_channel(f: DashboardFilter) -> list[ColumnElement[bool]]:
    return [Conversation.channel == f.channel] if f.channel else []

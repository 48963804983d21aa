"""The keywords (jieba, stored per review in reviews.keywords) that negative reviews use most, against the
previous period, with two recent texts each; and the texts behind one keyword. Counts come from the daily
keyword rollup; the texts from the reviews themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, cast, exists, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from crm_store.models import Review, ReviewKeywordDaily
from huisheng.services.insights import rollup
from huisheng.services.insights.filters import DashboardFilter
from huisheng.services.insights.scopes import review_conditions, rollup_conditions

TOP_KEYWORDS = 15
EXAMPLES_PER_KEYWORD = 2


@dataclass(frozen=True, slots=True)
class ReviewText:
    review_id: int
    created_at: datetime
    text: str
    rating: int | None
    category: str | None


@dataclass(frozen=True, slots=True)
class NegativeKeyword:
    keyword: str
    count: int  # negative reviews in this period using it
    previous_count: int
    change: int
    examples: list[ReviewText]


def uses_keyword(session: Session, keyword: str) -> ColumnElement[bool]:
    """The review's stored keywords include `keyword`: jsonb containment on PostgreSQL, json_each on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(Review.keywords, JSONB).contains([keyword])
    kw = rollup.keyword_rows(session)
    return exists(select(kw.c.value).where(kw.c.value == keyword))


def _text(row: Any) -> ReviewText:
    return ReviewText(row.id, row.created_at, row.text, row.rating, row.category)


def top_negative_keywords(
    session: Session, *, filter: DashboardFilter, limit: int = TOP_KEYWORDS
) -> list[NegativeKeyword]:
    f, before = filter, filter.previous()
    rollup.refresh(session)
    current = ReviewKeywordDaily.day >= f.first_day
    reviews = ReviewKeywordDaily.negative_reviews
    now_count = func.coalesce(func.sum(case((current, reviews), else_=0)), 0)
    before_count = func.coalesce(func.sum(case((~current, reviews), else_=0)), 0)
    statement = (
        select(ReviewKeywordDaily.keyword, now_count, before_count)
        .where(*rollup_conditions(ReviewKeywordDaily, f, first=before.first_day, last=f.last_day))
        .group_by(ReviewKeywordDaily.keyword)
        .having(now_count > 0)
        .order_by(now_count.desc(), ReviewKeywordDaily.keyword)
        .limit(limit)
    )
    counts = [(str(k), int(n), int(p)) for k, n, p in session.execute(statement)]
    return [
        NegativeKeyword(
            k, n, p, n - p, keyword_reviews(session, filter=f, keyword=k, limit=EXAMPLES_PER_KEYWORD)
        )
        for k, n, p in counts
    ]


def keyword_reviews(
    session: Session, *, filter: DashboardFilter, keyword: str, limit: int = 100
) -> list[ReviewText]:
    """The negative reviews of the period that use `keyword`, newest first.

    Read backwards along the reviews' (label, created_at) index until `limit` are found: a keyword worth
    showing is common, so that stops early.
    """
    f = filter
    statement = (
        select(Review.id, Review.created_at, Review.text, Review.rating, Review.category)
        .where(
            *review_conditions(f, since=f.since, until=f.until),
            Review.sentiment_label == SentimentLabel.NEGATIVE,
            uses_keyword(session, keyword),
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return [_text(row) for row in session.execute(statement)]

"""The keywords (jieba, stored per review in reviews.keywords) that negative reviews use most, against the
previous period, with two recent texts each; and the texts behind one keyword. The JSON array is unnested
in SQL: json_each on SQLite, json_array_elements_text on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from crm_store.models import Review
from huisheng.services.insights.filters import DashboardFilter
from huisheng.services.insights.scopes import review_conditions

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


def _keyword_rows(session: Session) -> Any:
    """A table-valued unnest of Review.keywords with one column, `value`."""
    if session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(Review.keywords).table_valued("value").alias("kw")
    return func.json_each(Review.keywords).table_valued("value").alias("kw")


def _text(row: Any) -> ReviewText:
    return ReviewText(row.id, row.created_at, row.text, row.rating, row.category)


def top_negative_keywords(
    session: Session, *, filter: DashboardFilter, limit: int = TOP_KEYWORDS
) -> list[NegativeKeyword]:
    f, before = filter, filter.previous()
    kw = _keyword_rows(session)
    current = Review.created_at >= f.since
    now_count = func.count(func.distinct(case((current, Review.id))))
    before_count = func.count(func.distinct(case((~current, Review.id))))
    statement = (
        select(kw.c.value, now_count, before_count)
        .select_from(Review)
        .join(kw, true())
        .where(
            *review_conditions(f, since=before.since, until=f.until),
            Review.sentiment_label == SentimentLabel.NEGATIVE,
        )
        .group_by(kw.c.value)
        .having(now_count > 0)
        .order_by(now_count.desc(), kw.c.value)
        .limit(limit)
    )
    counts = [(str(k), int(n), int(p)) for k, n, p in session.execute(statement)]
    examples = _examples(session, f, [k for k, _, _ in counts])
    return [NegativeKeyword(k, n, p, n - p, examples.get(k, [])) for k, n, p in counts]


def _examples(session: Session, f: DashboardFilter, keywords: list[str]) -> dict[str, list[ReviewText]]:
    if not keywords:
        return {}
    kw = _keyword_rows(session)
    rank = (
        func.row_number()
        .over(partition_by=kw.c.value, order_by=(Review.created_at.desc(), Review.id.desc()))
        .label("rank")
    )
    ranked = (
        select(
            kw.c.value.label("keyword"),
            Review.id,
            Review.created_at,
            Review.text,
            Review.rating,
            Review.category,
            rank,
        )
        .select_from(Review)
        .join(kw, true())
        .where(
            *review_conditions(f, since=f.since, until=f.until),
            Review.sentiment_label == SentimentLabel.NEGATIVE,
            kw.c.value.in_(keywords),
        )
        .subquery()
    )
    found: dict[str, list[ReviewText]] = {}
    for row in session.execute(
        select(ranked).where(ranked.c.rank <= EXAMPLES_PER_KEYWORD).order_by(ranked.c.keyword, ranked.c.rank)
    ):
        found.setdefault(str(row.keyword), []).append(_text(row))
    return found


def keyword_reviews(
    session: Session, *, filter: DashboardFilter, keyword: str, limit: int = 100
) -> list[ReviewText]:
    """The negative reviews of the period that use `keyword`, newest first."""
    f = filter
    kw = _keyword_rows(session)
    statement = (
        select(Review.id, Review.created_at, Review.text, Review.rating, Review.category)
        .select_from(Review)
        .join(kw, true())
        .where(
            *review_conditions(f, since=f.since, until=f.until),
            Review.sentiment_label == SentimentLabel.NEGATIVE,
            kw.c.value == keyword,
        )
        .distinct()
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return [_text(row) for row in session.execute(statement)]

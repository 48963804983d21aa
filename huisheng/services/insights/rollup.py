"""The dashboard's daily review rollups (crm_store/models/insight_rollup.py): finding the days whose reviews
changed since they were counted, and counting those days again in SQL.

A day is recounted whole (delete its rows, then INSERT … SELECT … GROUP BY) when its analysed reviews no
longer match the signature stored for it: how many there are and the latest analysed_at. Only days with a
review analysed since the newest signature, less OVERLAP, are checked, so a refresh with nothing new costs two
indexed look-ups. OVERLAP covers a transaction that analysed reviews earlier but committed later; one that
commits later still is caught by `refresh(full=True)`, which the nightly job runs (`huisheng refresh-insights
--full`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import SentimentLabel
from crm_store.models import (
    Product,
    Review,
    ReviewAspect,
    ReviewAspectDaily,
    ReviewDaily,
    ReviewKeywordDaily,
    ReviewRollupDay,
)
from crm_store.models.insight_rollup import ANY_ASPECT, NO_CATEGORY
from huisheng.services.insights.filters import china_midnight

OVERLAP = timedelta(minutes=15)
# One PostgreSQL advisory lock for the whole refresh: two dashboards recounting one day at once would collide.
LOCK_KEY = 0x48_53_52_4C  # "HSRL"
KEYWORD_LENGTH = 100

Signature = tuple[int, datetime]


@dataclass(frozen=True, slots=True)
class RefreshReport:
    days: int  # days recounted
    full: bool
    skipped: bool = False  # another transaction holds the lock: this one reads the rollups as they are


def china_day(session: Session, column: Any) -> ColumnElement[date]:
    """The China calendar day of a UTC timestamp, as a DATE, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone("UTC", column) + literal_column("INTERVAL '8 hours'")
        return cast(local, Date)
    return type_coerce(func.date(column, "+8 hours"), Date)


def refresh(session: Session, *, full: bool = False, now: datetime | None = None) -> RefreshReport:
    """Bring the rollups up to date with the reviews; `full` recounts every day."""
    if not _lock(session):
        return RefreshReport(0, full, skipped=True)
    horizon = session.scalar(select(func.max(ReviewRollupDay.analyzed_through)))
    if full or horizon is None:
        first, last = session.execute(
            select(
                func.min(china_day(session, Review.created_at)),
                func.max(china_day(session, Review.created_at)),
            )
        ).one()
        for table in (ReviewRollupDay, ReviewDaily, ReviewAspectDaily, ReviewKeywordDaily):
            session.execute(delete(table))
        if first is None:
            return RefreshReport(0, True)
        days = _days(_as_date(first), _as_date(last))
        for run in _runs(days):
            _recount(session, run[0], run[-1], now=now or utcnow())
        return RefreshReport(len(days), True)
    candidates = sorted(
        _as_date(day)
        for day in session.scalars(
            select(china_day(session, Review.created_at))
            .where(Review.analyzed_at > horizon - OVERLAP)
            .distinct()
        )
    )
    stored = _stored(session, candidates)
    stale = [day for run in _runs(candidates) for day in _changed(session, run, stored)]
    for run in _runs(stale):
        _recount(session, run[0], run[-1], now=now or utcnow())
    return RefreshReport(len(stale), False)


def _lock(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite transactions here begin IMMEDIATE: writers are already one at a time
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY))))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _runs(days: Iterable[date]) -> list[list[date]]:
    """Consecutive days grouped together: each run is recounted with one range query per table."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _stored(session: Session, days: list[date]) -> dict[date, Signature]:
    if not days:
        return {}
    rows = session.execute(
        select(ReviewRollupDay.day, ReviewRollupDay.reviews, ReviewRollupDay.analyzed_through).where(
            ReviewRollupDay.day.in_(days)
        )
    )
    return {_as_date(day): (int(n), at) for day, n, at in rows}


def _in_days(first: date, last: date) -> list[ColumnElement[bool]]:
    return [
        Review.created_at >= china_midnight(first),
        Review.created_at < china_midnight(last + timedelta(days=1)),
    ]


def _signatures(session: Session, first: date, last: date) -> Any:
    day = china_day(session, Review.created_at)
    return (
        # A label without analyzed_at is only ever written by hand (fixtures, imports of old dumps).
        select(
            day.label("day"),
            func.count().label("n"),
            func.max(func.coalesce(Review.analyzed_at, Review.created_at)).label("at"),
        )
        .where(*_in_days(first, last), Review.sentiment_label.is_not(None))
        .group_by(day)
    )


def _changed(session: Session, run: list[date], stored: dict[date, Signature]) -> list[date]:
    found = {
        _as_date(day): (int(n), at) for day, n, at in session.execute(_signatures(session, run[0], run[-1]))
    }
    return [day for day in run if found.get(day) != stored.get(day)]


def _recount(session: Session, first: date, last: date, *, now: datetime) -> None:
    for table in (ReviewRollupDay, ReviewDaily, ReviewAspectDaily, ReviewKeywordDaily):
        session.execute(delete(table).where(table.day >= first, table.day <= last))
    signatures = _signatures(session, first, last).subquery()
    session.execute(
        insert(ReviewRollupDay).from_select(
            ["day", "reviews", "analyzed_through", "refreshed_at"],
            select(
                signatures.c.day,
                signatures.c.n,
                signatures.c.at,
                literal(now, ReviewRollupDay.refreshed_at.type),
            ),
        )
    )
    day = china_day(session, Review.created_at)
    category = func.coalesce(Review.category, NO_CATEGORY)
    period = _in_days(first, last)
    analysed = Review.sentiment_label.is_not(None)
    negative = Review.sentiment_label == SentimentLabel.NEGATIVE
    # Each review's aspects once, however many clauses named them.
    mentioned = select(ReviewAspect.review_id, ReviewAspect.aspect).distinct().subquery("mentioned")
    every_review = literal(ANY_ASPECT, ReviewDaily.aspect.type)

    daily = ["day", "category", "aspect", "label", "reviews"]
    session.execute(
        insert(ReviewDaily).from_select(
            daily,
            select(day, category, every_review, Review.sentiment_label, func.count())
            .where(*period, analysed)
            .group_by(day, category, Review.sentiment_label),
        )
    )
    session.execute(
        insert(ReviewDaily).from_select(
            daily,
            select(day, category, mentioned.c.aspect, Review.sentiment_label, func.count())
            .join(mentioned, mentioned.c.review_id == Review.id)
            .where(*period, analysed)
            .group_by(day, category, mentioned.c.aspect, Review.sentiment_label),
        )
    )
    session.execute(
        insert(ReviewAspectDaily).from_select(
            ["day", "category", "aspect", "label", "mentions"],
            select(day, category, ReviewAspect.aspect, ReviewAspect.label, func.count())
            .join(ReviewAspect, ReviewAspect.review_id == Review.id)
            .where(*period)
            .group_by(day, category, ReviewAspect.aspect, ReviewAspect.label),
        )
    )
    kw = keyword_rows(session)
    keyword = func.substr(kw.c.value, 1, KEYWORD_LENGTH)
    columns = ["day", "category", "aspect", "keyword", "negative_reviews"]
    reviews = func.count(func.distinct(Review.id))
    session.execute(
        insert(ReviewKeywordDaily).from_select(
            columns,
            select(day, category, every_review, keyword, reviews)
            .join(kw, true())
            .where(*period, negative)
            .group_by(day, category, keyword),
        )
    )
    session.execute(
        insert(ReviewKeywordDaily).from_select(
            columns,
            select(day, category, mentioned.c.aspect, keyword, reviews)
            .join(mentioned, mentioned.c.review_id == Review.id)
            .join(kw, true())
            .where(*period, negative)
            .group_by(day, category, mentioned.c.aspect, keyword),
        )
    )


def known_categories(session: Session) -> list[str]:
    """The product categories a manager can filter by: the catalogue's and those analysed reviews carry."""
    refresh(session)
    found = set(session.scalars(select(Product.category).distinct()))
    found.update(c for c in session.scalars(select(ReviewDaily.category).distinct()) if c)
    return sorted(found)


def keyword_rows(session: Session) -> Any:
    """Review.keywords unnested into rows with one column, `value`."""
    if session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(Review.keywords).table_valued("value").alias("kw")
    return func.json_each(Review.keywords).table_valued("value").alias("kw")

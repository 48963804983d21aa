"""The dashboard's daily review rollups follow the reviews: new and re-analysed reviews are counted on the next
read, a refresh with nothing new recounts nothing, and incremental refreshes end where a full recount does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from crm_store.models import Review, ReviewAspectDaily, ReviewDaily, ReviewKeywordDaily, ReviewRollupDay
from huisheng.services import insights
from huisheng.services.insights import rollup
from huisheng.services.reviews import AspectResult, ReviewAnalysis, apply_analysis

DAY = date(2026, 6, 20)
WRITTEN = datetime(2026, 6, 20, 4, 0, tzinfo=UTC)  # 12:00 in China


def _analysis(
    label: SentimentLabel, keywords: list[str], aspects: dict[str, SentimentLabel]
) -> ReviewAnalysis:
    return ReviewAnalysis(
        tokens=keywords,
        keywords=keywords,
        sentiment_label=label,
        sentiment_score=0.1 if label is SentimentLabel.NEGATIVE else 0.9,
        model_version="test",
        aspects=[AspectResult(a, lab, 0.5, a) for a, lab in aspects.items()],
    )


def _review(
    session: Session,
    label: SentimentLabel,
    keywords: list[str],
    *,
    aspects: dict[str, SentimentLabel] | None = None,
    category: str = "零食",
    at: datetime = WRITTEN,
) -> Review:
    review = Review(source="test", text="、".join(keywords), category=category, created_at=at)
    apply_analysis(review, _analysis(label, keywords, aspects or {}))
    session.add(review)
    session.flush()
    return review


def _filter(**kwargs: Any) -> insights.DashboardFilter:
    return insights.build_filter(**{"today": DAY, "since": DAY, **kwargs})


def _category(session: Session, name: str = "零食") -> tuple[int, int]:
    row = next(r for r in insights.by_category(session, filter=_filter()) if r.key == name)
    return row.total, row.negative


def _keywords(session: Session, **kwargs: Any) -> dict[str, int]:
    return {k.keyword: k.count for k in insights.top_negative_keywords(session, filter=_filter(**kwargs))}


def _snapshot(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    return {
        "daily": {tuple(r) for r in session.execute(select(ReviewDaily.__table__))},
        "aspects": {tuple(r) for r in session.execute(select(ReviewAspectDaily.__table__))},
        "keywords": {tuple(r) for r in session.execute(select(ReviewKeywordDaily.__table__))},
        "days": {(r.day, r.reviews) for r in session.scalars(select(ReviewRollupDay))},
    }


def test_a_review_analysed_after_a_read_is_counted_on_the_next_one(session: Session) -> None:
    _review(session, SentimentLabel.POSITIVE, ["好吃"])
    _review(session, SentimentLabel.NEGATIVE, ["太咸"])
    assert _category(session) == (2, 1)
    _review(session, SentimentLabel.NEGATIVE, ["太咸", "漏气"], aspects={"包装": SentimentLabel.NEGATIVE})
    assert _category(session) == (3, 2)
    assert _keywords(session) == {"太咸": 2, "漏气": 1}
    assert _keywords(session, aspect="包装") == {"太咸": 1, "漏气": 1}


def test_reanalysis_moves_a_review_to_its_new_label(session: Session) -> None:
    review = _review(session, SentimentLabel.NEGATIVE, ["太咸"])
    assert _category(session) == (1, 1)
    apply_analysis(review, _analysis(SentimentLabel.POSITIVE, ["好吃"], {}))
    session.flush()
    assert _category(session) == (1, 0)
    assert _keywords(session) == {}


def test_a_refresh_with_nothing_new_recounts_no_day(session: Session) -> None:
    _review(session, SentimentLabel.NEGATIVE, ["太咸"])
    _review(session, SentimentLabel.NEGATIVE, ["太甜"], at=WRITTEN - timedelta(days=3))
    first = rollup.refresh(session)
    assert first.full and first.days == 4  # the first refresh counts every day from the oldest review
    assert rollup.refresh(session).days == 0


def test_only_the_changed_day_is_recounted(session: Session) -> None:
    _review(session, SentimentLabel.NEGATIVE, ["太咸"])
    _review(session, SentimentLabel.NEGATIVE, ["太甜"], at=WRITTEN - timedelta(days=3))
    rollup.refresh(session)
    _review(session, SentimentLabel.POSITIVE, ["好吃"], at=WRITTEN - timedelta(days=3))
    report = rollup.refresh(session)
    assert (report.full, report.days) == (False, 1)


def test_a_day_analysed_before_the_overlap_waits_for_the_full_recount(session: Session) -> None:
    _review(session, SentimentLabel.NEGATIVE, ["太咸"])
    rollup.refresh(session)
    horizon = session.scalar(select(ReviewRollupDay.analyzed_through))
    assert horizon is not None
    late = _review(session, SentimentLabel.NEGATIVE, ["太甜"], at=WRITTEN - timedelta(days=1))
    # As if its transaction had analysed it long ago and committed only now.
    session.execute(
        update(Review).where(Review.id == late.id).values(analyzed_at=horizon - rollup.OVERLAP * 2)
    )
    assert rollup.refresh(session).days == 0
    assert rollup.refresh(session, full=True).full
    assert _keywords(session, since=DAY - timedelta(days=1)) == {"太咸": 1, "太甜": 1}


def test_incremental_refreshes_end_where_a_full_recount_does(session: Session) -> None:
    for n in range(12):
        _review(
            session,
            [SentimentLabel.NEGATIVE, SentimentLabel.POSITIVE, SentimentLabel.NEUTRAL][n % 3],
            ["太咸", f"词{n % 4}"],
            aspects={"包装": SentimentLabel.NEGATIVE, "口味": SentimentLabel.POSITIVE} if n % 2 else {},
            category=["零食", "饮料"][n % 2],
            at=WRITTEN - timedelta(days=n % 5, hours=n),
        )
        if n % 4 == 0:
            rollup.refresh(session)
    rollup.refresh(session)
    incremental = _snapshot(session)
    rollup.refresh(session, full=True)
    assert _snapshot(session) == incremental
    assert incremental["keywords"]  # not two empty sets


def test_a_review_without_category_is_shown_as_uncategorised(session: Session) -> None:
    review = _review(session, SentimentLabel.NEGATIVE, ["太咸"])
    session.execute(update(Review).where(Review.id == review.id).values(category=None))
    rollup.refresh(session, full=True)
    rows = {r.key: r.total for r in insights.by_category(session, filter=_filter())}
    assert rows == {None: 1}


def test_keyword_examples_come_from_the_reviews_newest_first(session: Session) -> None:
    older = _review(session, SentimentLabel.NEGATIVE, ["太咸"], at=WRITTEN - timedelta(hours=2))
    newer = _review(session, SentimentLabel.NEGATIVE, ["太咸"])
    _review(session, SentimentLabel.POSITIVE, ["太咸"])  # positive: never an example of a complaint
    [keyword] = insights.top_negative_keywords(session, filter=_filter())
    assert [e.review_id for e in keyword.examples] == [newer.id, older.id]
    assert [r.review_id for r in insights.keyword_reviews(session, filter=_filter(), keyword="太咸")] == [
        newer.id,
        older.id,
    ]


def test_on_postgresql_a_second_refresh_reads_the_rollups_as_they_are(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip(
            "the advisory lock is PostgreSQL's; SQLite transactions here are already one writer at a time"
        )
    with engine.connect() as first, engine.connect() as second:
        try:
            first_session, second_session = Session(bind=first), Session(bind=second)
            assert not rollup.refresh(first_session).skipped
            report = rollup.refresh(second_session)
            assert report.skipped and report.days == 0
        finally:
            first.rollback()
            second.rollback()

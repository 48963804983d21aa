"""Finds negative word of mouth that is rising: per aspect, product and top keyword, the last window's
negative reviews against that key's own baseline, tested with a one-sided Poisson test.

The statistic: with b negative reviews in the baseline (the `baseline_days` before the window) the expected
count in a window of `window_days` is λ = (b + 0.5) · window_days / baseline_days (the half count keeps a
key with no history from giving p = 0 on its first mention). A key is flagged when the window's count k
is at least `min_count` and P(X ≥ k | X ~ Poisson(λ)) < `alpha`. Negative shares (of the key's reviews, or of
all negative reviews for keywords) are stored beside it for the reader, not tested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_store.base import utcnow
from crm_store.enums import AlertKind, SentimentLabel
from crm_store.models import Alert, Product, Review, ReviewAspect
from huisheng.services.word_of_mouth.stats import poisson_upper_tail
from huisheng.settings import AlertSettings

NEG = SentimentLabel.NEGATIVE
EXAMPLE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Tally:
    """Negative reviews of one key in the window and the baseline, with the totals their shares divide by."""

    now: int = 0
    before: int = 0
    total_now: int = 0
    total_before: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    expected: float
    p_value: float
    flagged: bool


def test_rise(observed: int, baseline: int, *, settings: AlertSettings) -> Verdict:
    """The one-sided Poisson test of the module docstring."""
    expected = (baseline + 0.5) * settings.window_days / settings.baseline_days
    p_value = poisson_upper_tail(observed, expected)
    return Verdict(expected, p_value, observed >= settings.min_count and p_value < settings.alpha)


test_rise.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite the name


def detect_alerts(session: Session, *, settings: AlertSettings, now: datetime | None = None) -> list[Alert]:
    """Stores an alert for each key that rose significantly; a key already alerted today is not stored again."""
    now = now or utcnow()
    window = Period(now - timedelta(days=settings.window_days), now)
    baseline = Period(window.start - timedelta(days=settings.baseline_days), window.start)
    found: list[Alert] = []
    tallies = {
        AlertKind.ASPECT: _aspect_tallies(session, window, baseline),
        AlertKind.PRODUCT: _product_tallies(session, window, baseline),
        AlertKind.KEYWORD: _keyword_tallies(session, window, baseline, top=settings.top_keywords),
    }
    for kind, by_key in tallies.items():
        for key, tally in sorted(by_key.items()):
            verdict = test_rise(tally.now, tally.before, settings=settings)
            if not verdict.flagged or _already_alerted(session, kind, key, now):
                continue
            alert = Alert(
                kind=kind,
                key=key,
                label=_label(session, kind, key),
                detected_on=now.date(),
                window_start_at=window.start,
                window_end_at=window.end,
                baseline_days=settings.baseline_days,
                observed=tally.now,
                expected=round(verdict.expected, 4),
                p_value=verdict.p_value,
                share_now=_share(tally.now, tally.total_now),
                share_before=_share(tally.before, tally.total_before),
                examples=_examples(session, kind, key, window, settings.examples),
                created_at=now,
            )
            session.add(alert)
            found.append(alert)
    session.flush()
    return found


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _already_alerted(session: Session, kind: AlertKind, key: str, now: datetime) -> bool:
    return (
        session.scalar(
            select(Alert.id).where(Alert.kind == kind, Alert.key == key, Alert.detected_on == now.date())
        )
        is not None
    )


def _in(column: InstrumentedAttribute[datetime], period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _period(window: Period) -> ColumnElement[str]:
    return case((_in(Review.created_at, window), "now"), else_="before").label("period")


def _aspect_tallies(session: Session, window: Period, baseline: Period) -> dict[str, Tally]:
    """Reviews naming the aspect negatively, and all reviews naming it, per period (counted in SQL)."""
    rows = session.execute(
        select(
            ReviewAspect.aspect,
            _period(window),
            func.count(distinct(case((ReviewAspect.label == NEG, ReviewAspect.review_id)))),
            func.count(distinct(ReviewAspect.review_id)),
        )
        .join(Review, Review.id == ReviewAspect.review_id)
        .where(Review.created_at >= baseline.start, Review.created_at < window.end)
        .group_by(ReviewAspect.aspect, "period")
    ).all()
    return _fold(rows)


def _product_tallies(session: Session, window: Period, baseline: Period) -> dict[str, Tally]:
    rows = session.execute(
        select(
            Review.product_id,
            _period(window),
            func.sum(case((Review.sentiment_label == NEG, 1), else_=0)),
            func.count(Review.id),
        )
        .where(
            Review.product_id.is_not(None),
            Review.created_at >= baseline.start,
            Review.created_at < window.end,
        )
        .group_by(Review.product_id, "period")
    ).all()
    return _fold([(str(product_id), period, neg, total) for product_id, period, neg, total in rows])


def _fold(rows: Sequence[Any]) -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    for key, period, negative, total in rows:
        tally = out.get(str(key), Tally())
        if period == "now":
            tally = Tally(int(negative or 0), tally.before, int(total or 0), tally.total_before)
        else:
            tally = Tally(tally.now, int(negative or 0), tally.total_now, int(total or 0))
        out[str(key)] = tally
    return out


def _keyword_tallies(session: Session, window: Period, baseline: Period, *, top: int) -> dict[str, Tally]:
    """The window's most frequent negative keywords, each counted per period in Python: keywords are a JSON
    list per review and unnesting JSON is not portable between SQLite and PostgreSQL. Only negative reviews
    of the 29 days are read; the share is of all negative reviews in the period."""
    if top == 0:
        return {}
    rows = session.execute(
        select(Review.keywords, Review.created_at).where(
            Review.sentiment_label == NEG,
            Review.created_at >= baseline.start,
            Review.created_at < window.end,
        )
    ).all()
    now_counts: Counter[str] = Counter()
    before_counts: Counter[str] = Counter()
    negatives_now = negatives_before = 0
    for keywords, created_at in rows:
        in_window = created_at >= window.start
        counts = now_counts if in_window else before_counts
        if in_window:
            negatives_now += 1
        else:
            negatives_before += 1
        counts.update(set(keywords or []))
    return {
        word: Tally(count, before_counts[word], negatives_now, negatives_before)
        for word, count in now_counts.most_common(top)
    }


def _label(session: Session, kind: AlertKind, key: str) -> str:
    if kind is AlertKind.PRODUCT:
        name = session.scalar(select(Product.name).where(Product.id == int(key)))
        return name or f"商品 {key}"
    return key


def _examples(
    session: Session, kind: AlertKind, key: str, window: Period, limit: int
) -> list[dict[str, object]]:
    if limit == 0:
        return []
    query = select(Review.id, Review.text).where(
        Review.sentiment_label == NEG,
        _in(Review.created_at, window),
    )
    if kind is AlertKind.ASPECT:
        query = select(Review.id, Review.text).where(
            _in(Review.created_at, window),
            Review.id.in_(
                select(ReviewAspect.review_id).where(ReviewAspect.aspect == key, ReviewAspect.label == NEG)
            ),
        )
    elif kind is AlertKind.PRODUCT:
        query = query.where(Review.product_id == int(key))
    else:
        rows = session.execute(query.order_by(Review.created_at.desc())).all()
        picked = [(rid, text) for rid, text in rows if key in text][:limit]
        return [{"review_id": rid, "text": text[:EXAMPLE_CHARS]} for rid, text in picked]
    rows = session.execute(query.order_by(Review.created_at.desc()).limit(limit)).all()
    return [{"review_id": rid, "text": text[:EXAMPLE_CHARS]} for rid, text in rows]

"""Computing, storing and reading customer segments; recomputing replaces every computed row at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import SegmentKind, SentimentLabel
from crm_store.models import Customer, CustomerSegment, Review, SegmentSummary
from huisheng.errors import InvalidInputError
from huisheng.services.segments import behaviour, rfm
from huisheng.settings import SegmentSettings

SEGMENT_NAMES = [*rfm.TIER_ORDER, *behaviour.BEHAVIOUR_TAGS]


@dataclass(frozen=True, slots=True)
class ComputeResult:
    customers: int
    rows: int
    thresholds: rfm.Thresholds


@dataclass(frozen=True, slots=True)
class SegmentSize:
    name: str
    kind: SegmentKind
    customers: int
    reviews: int
    average_sentiment: float | None
    negative_share: float | None


@dataclass(frozen=True, slots=True)
class Member:
    customer_id: int
    name: str | None
    segment: str
    reason: str
    computed_at: datetime


def compute_segments(
    session: Session, *, settings: SegmentSettings, now: datetime | None = None
) -> ComputeResult:
    """Every customer's RFM tier and behaviour tags, replacing the previous computation (staff tags, which
    live in `tags`, are never touched)."""
    now = now or utcnow()
    values = rfm.rfm_values(session, now=now)
    limits = rfm.thresholds(values, settings)
    by_customer = {value.customer_id: value for value in values}
    signals = behaviour.gather(session, settings=settings)
    session.execute(delete(CustomerSegment))
    rows: list[CustomerSegment] = []
    for customer_id in sorted(by_customer.keys() | signals.keys()):
        value = by_customer.get(customer_id)
        if value is not None:
            rows.append(
                _row(
                    customer_id,
                    SegmentKind.RFM,
                    rfm.tier_of(value, limits),
                    rfm.reason_of(value, limits),
                    now,
                )
            )
        tags = behaviour.tags_for(
            signals.get(customer_id, behaviour.Signals()), value, settings=settings, now=now
        )
        rows.extend(_row(customer_id, SegmentKind.BEHAVIOUR, name, why, now) for name, why in tags.items())
    session.add_all(rows)
    session.flush()
    summarise(session, now=now)
    return ComputeResult(len({row.customer_id for row in rows}), len(rows), limits)


def _row(customer_id: int, kind: SegmentKind, name: str, reason: str, at: datetime) -> CustomerSegment:
    return CustomerSegment(customer_id=customer_id, kind=kind, name=name, reason=reason[:500], computed_at=at)


def summarise(session: Session, *, now: datetime) -> None:
    """Each segment's customers and their reviews' mean P(positive) and negative share, counted in SQL once
    per computation (it reads every review: the dashboard reads the stored summary instead)."""
    reviews = (
        select(
            CustomerSegment.name,
            func.count(Review.id).label("reviews"),
            func.avg(Review.sentiment_score).label("mean"),
            func.avg(case((Review.sentiment_label == SentimentLabel.NEGATIVE, 1.0), else_=0.0)).label("neg"),
        )
        .join(Review, Review.customer_id == CustomerSegment.customer_id)
        .where(Review.sentiment_label.is_not(None))
        .group_by(CustomerSegment.name)
        .subquery()
    )
    rows = session.execute(
        select(
            CustomerSegment.name,
            CustomerSegment.kind,
            func.count(CustomerSegment.customer_id),
            func.max(reviews.c.reviews),
            func.max(reviews.c.mean),
            func.max(reviews.c.neg),
        )
        .outerjoin(reviews, reviews.c.name == CustomerSegment.name)
        .group_by(CustomerSegment.name, CustomerSegment.kind)
    ).all()
    session.execute(delete(SegmentSummary))
    session.add_all(
        SegmentSummary(
            name=name,
            kind=kind,
            customers=count,
            reviews=int(n or 0),
            average_sentiment=None if mean is None else round(float(mean), 4),
            negative_share=None if neg is None else round(float(neg), 4),
            computed_at=now,
        )
        for name, kind, count, n, mean, neg in rows
    )
    session.flush()


def segment_sizes(session: Session) -> list[SegmentSize]:
    """Each segment's size and sentiment as of the last computation, in the dashboard's order."""
    order = {name: i for i, name in enumerate(SEGMENT_NAMES)}
    found = [
        SegmentSize(s.name, s.kind, s.customers, s.reviews, s.average_sentiment, s.negative_share)
        for s in session.scalars(select(SegmentSummary))
    ]
    return sorted(found, key=lambda size: order.get(size.name, len(order)))


def members(
    session: Session, *, segment: str | None = None, limit: int = 200, offset: int = 0
) -> list[Member]:
    if segment is not None and segment not in SEGMENT_NAMES:
        raise InvalidInputError(f"没有“{segment}”这个分群", code="unknown_segment")
    query = (
        select(CustomerSegment, Customer.name)
        .join(Customer, Customer.id == CustomerSegment.customer_id)
        .order_by(CustomerSegment.customer_id, CustomerSegment.name)
        .limit(limit)
        .offset(offset)
    )
    if segment is not None:
        query = query.where(CustomerSegment.name == segment)
    return [
        Member(row.customer_id, name, row.name, row.reason, row.computed_at)
        for row, name in session.execute(query).all()
    ]


def segments_of(session: Session, *, customer_id: int) -> list[CustomerSegment]:
    return list(
        session.scalars(
            select(CustomerSegment)
            .where(CustomerSegment.customer_id == customer_id)
            .order_by(CustomerSegment.kind)
        )
    )

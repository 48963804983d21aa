"""Analysing reviews into the store: one at a time with follow-ups for angry customers, or what is pending in
bulk. Importing review files is huisheng.services.review_import."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import EscalationCategory, SentimentLabel
from crm_store.models import Review
from huisheng.services import escalations, reviews
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.audit import SYSTEM
from huisheng.settings import Settings

logger = logging.getLogger(__name__)
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class FollowUpPolicy:
    """A review scored below `below` (P(positive)) from a known customer opens a follow-up case."""

    below: float = 0.1
    sla_hours: Mapping[str, float] = field(default_factory=lambda: dict(escalations.DEFAULT_SLA_HOURS))

    @classmethod
    def from_settings(cls, settings: Settings) -> FollowUpPolicy:
        return cls(below=settings.nlp.follow_up_below, sla_hours=settings.escalation.sla_hours)


def analyze_and_store(
    session: Session,
    analyzer: TextAnalyzer,
    *,
    source: str,
    text: str,
    customer_id: int | None = None,
    order_no: str | None = None,
    product_sku: str | None = None,
    category: str | None = None,
    rating: int | None = None,
    external_id: str | None = None,
    follow_up: FollowUpPolicy | None = None,
) -> Review:
    """Analyses and stores one review; a strongly negative one from a known customer gets a follow-up."""
    analysis = analyzer.analyze(text)
    review = reviews.store_review(
        session,
        source=source,
        text=text,
        customer_id=customer_id,
        order_no=order_no,
        product_sku=product_sku,
        category=category,
        rating=rating,
        external_id=external_id,
        analysis=analysis,
    )
    open_follow_up_if_needed(session, review=review, policy=follow_up or FollowUpPolicy())
    return review


def open_follow_up_if_needed(session: Session, *, review: Review, policy: FollowUpPolicy) -> bool:
    if (
        review.customer_id is None
        or review.sentiment_label is not SentimentLabel.NEGATIVE
        or review.sentiment_score is None
        or review.sentiment_score >= policy.below
    ):
        return False
    escalations.open_escalation(
        session,
        customer_id=review.customer_id,
        category=EscalationCategory.REVIEW_FOLLOW_UP,
        description=f"差评回访: {review.text[:500]}",
        review_id=review.id,
        sentiment_label=review.sentiment_label,
        sentiment_score=review.sentiment_score,
        sla_hours=policy.sla_hours,
        actor=SYSTEM,
    )
    return True


def analyze_pending(
    session: Session,
    analyzer: TextAnalyzer,
    *,
    batch_size: int = 256,
    policy: FollowUpPolicy | None = None,
    progress: Progress | None = None,
) -> int:
    """Analyses every stored review that has no analysis yet (imports, demo data); returns how many."""
    done = 0
    while True:
        batch = list(
            session.scalars(
                select(Review).where(Review.analyzed_at.is_(None)).order_by(Review.id).limit(batch_size)
            )
        )
        if not batch:
            return done
        analyses = analyzer.analyze_many([r.text for r in batch], blank_as_neutral=True)
        for review, analysis in zip(batch, analyses, strict=True):
            reviews.apply_analysis(review, analysis)
            open_follow_up_if_needed(session, review=review, policy=policy or FollowUpPolicy())
        session.flush()
        done += len(batch)
        if progress:
            progress(len(batch))

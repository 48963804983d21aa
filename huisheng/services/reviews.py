"""Reviews and their stored analysis (tokens, keywords, sentiment, aspects)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import SentimentLabel
from crm_store.models import Order, Product, Review, ReviewAspect
from huisheng.errors import ConflictError, InvalidInputError, NotFoundError
from huisheng.services.customers import get_customer
from huisheng.services.validation import clean_text, in_range, optional_text

MAX_REVIEW_LENGTH = 10_000


@dataclass(frozen=True, slots=True)
class AspectResult:
    aspect: str
    label: SentimentLabel
    score: float
    clause: str


@dataclass(frozen=True, slots=True)
class ReviewAnalysis:
    """What the text analyzer says about a review, in the store's vocabulary."""

    tokens: list[str]
    keywords: list[str]
    sentiment_label: SentimentLabel
    sentiment_score: float
    model_version: str
    aspects: list[AspectResult] = field(default_factory=list)


def store_review(
    session: Session,
    *,
    source: str,
    text: str,
    customer_id: int | None = None,
    order_no: str | None = None,
    product_sku: str | None = None,
    category: str | None = None,
    rating: int | None = None,
    external_id: str | None = None,
    analysis: ReviewAnalysis | None = None,
) -> Review:
    """Stores a review once per (source, external_id), with its analysis when one is given."""
    body = clean_text(text, field="text", max_length=MAX_REVIEW_LENGTH)
    source_name = clean_text(source, field="source", max_length=32)
    ext_id = optional_text(external_id, field="external_id", max_length=64)
    if rating is not None:
        in_range(rating, field="rating", low=1, high=5)
    if customer_id is not None:
        get_customer(session, customer_id=customer_id)
    order_id = None
    if order_no:
        order = session.scalar(select(Order).where(Order.order_no == order_no.strip()))
        if order is None:
            raise NotFoundError(f"order {order_no} does not exist")
        if customer_id is not None and order.customer_id != customer_id:
            raise InvalidInputError(f"order {order_no} does not belong to customer {customer_id}")
        order_id = order.id
    product = None
    if product_sku:
        product = session.scalar(select(Product).where(Product.sku == product_sku.strip()))
        if product is None:
            raise NotFoundError(f"product {product_sku} does not exist")
    if ext_id is not None and session.scalar(
        select(Review.id).where(Review.source == source_name, Review.external_id == ext_id)
    ):
        raise ConflictError(f"review {ext_id} from {source_name} is already stored", code="duplicate_review")
    review = Review(
        source=source_name,
        external_id=ext_id,
        customer_id=customer_id,
        order_id=order_id,
        product_id=product.id if product else None,
        category=optional_text(category, field="category", max_length=50)
        or (product.category if product else None),
        text=body,
        rating=rating,
    )
    if analysis is not None:
        apply_analysis(review, analysis)
    session.add(review)
    session.flush()
    return review


def apply_analysis(review: Review, analysis: ReviewAnalysis) -> None:
    """Replaces the review's analysis, e.g. after a better model ships."""
    if not 0.0 <= analysis.sentiment_score <= 1.0:
        raise InvalidInputError(f"sentiment_score must be between 0 and 1, not {analysis.sentiment_score}")
    review.tokens = list(analysis.tokens)
    review.keywords = list(analysis.keywords)
    review.sentiment_label = analysis.sentiment_label
    review.sentiment_score = analysis.sentiment_score
    review.model_version = analysis.model_version
    review.analyzed_at = utcnow()
    review.aspects = [
        ReviewAspect(aspect=a.aspect, label=a.label, score=a.score, clause=a.clause[:500])
        for a in analysis.aspects
    ]


def get_review(session: Session, *, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise NotFoundError(f"review {review_id} does not exist")
    return review

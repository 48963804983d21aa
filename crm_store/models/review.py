"""Reviews customers leave, with their stored analysis: tokens, keywords, sentiment and aspects."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_store.base import Base, str_enum, utcnow
from crm_store.enums import SentimentLabel

if TYPE_CHECKING:
    from crm_store.models.customer import Customer
    from crm_store.models.order import Product


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        # Re-importing the same export must not duplicate reviews.
        UniqueConstraint("source", "external_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_reviews_category_created", "category", "created_at"),
        Index("ix_reviews_sentiment_created", "sentiment_label", "created_at"),
        Index("ix_reviews_customer", "customer_id"),
        # The dashboard's rollups find the days whose reviews were analysed since they were last counted.
        Index("ix_reviews_analyzed", "analyzed_at"),
        Index("ix_reviews_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    category: Mapped[str | None] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    tokens: Mapped[list[str] | None] = mapped_column(JSON)
    keywords: Mapped[list[str] | None] = mapped_column(JSON)
    sentiment_label: Mapped[SentimentLabel | None] = mapped_column(str_enum(SentimentLabel))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(64))
    analyzed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer | None] = relationship()
    product: Mapped[Product | None] = relationship()
    aspects: Mapped[list[ReviewAspect]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewAspect.id"
    )


class ReviewAspect(Base):
    __tablename__ = "review_aspects"
    __table_args__ = (Index("ix_review_aspects_aspect_label", "aspect", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    aspect: Mapped[str] = mapped_column(String(20))
    label: Mapped[SentimentLabel] = mapped_column(str_enum(SentimentLabel))
    score: Mapped[float] = mapped_column(Float)
    clause: Mapped[str] = mapped_column(String(500))

    review: Mapped[Review] = relationship(back_populates="aspects")

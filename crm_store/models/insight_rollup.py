"""Daily rollups of the reviews' analysis, so the managers' dashboard reads a few thousand rows, not millions.

Each table holds counts per China calendar day and product category ('' for none). `aspect` is '' for every
review, or an aspect the review mentions (the dashboard's aspect filter). The rows are derived data: the
insights service rebuilds any day whose reviews changed (huisheng/services/insights/rollup.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_store.base import Base, str_enum
from crm_store.enums import SentimentLabel

ANY_ASPECT = ""
NO_CATEGORY = ""


class ReviewRollupDay(Base):
    """A day the rollups cover, with the signature of its reviews when they were counted."""

    __tablename__ = "review_rollup_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    reviews: Mapped[int]  # analysed reviews written that day
    analyzed_through: Mapped[datetime]  # the latest analysed_at among them
    refreshed_at: Mapped[datetime]


class DailyKeys:
    """The key every daily rollup starts with: the China day, the product category and the aspect."""

    day: Mapped[date] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    aspect: Mapped[str] = mapped_column(String(20), primary_key=True)


class ReviewDaily(DailyKeys, Base):
    """Analysed reviews per day, category, aspect mentioned and the review's own label."""

    __tablename__ = "review_daily"
    __table_args__ = (Index("ix_review_daily_aspect_day", "aspect", "day"),)

    label: Mapped[SentimentLabel] = mapped_column(str_enum(SentimentLabel), primary_key=True)
    reviews: Mapped[int]


class ReviewAspectDaily(DailyKeys, Base):
    """Aspect mentions per day, category, aspect and the mention's own label (review_aspects rows)."""

    __tablename__ = "review_aspect_daily"

    label: Mapped[SentimentLabel] = mapped_column(str_enum(SentimentLabel), primary_key=True)
    mentions: Mapped[int]


class ReviewKeywordDaily(DailyKeys, Base):
    """Negative reviews using each keyword, per day, category and aspect mentioned."""

    __tablename__ = "review_keyword_daily"
    __table_args__ = (Index("ix_review_keyword_daily_aspect_day", "aspect", "day"),)

    keyword: Mapped[str] = mapped_column(String(100), primary_key=True)
    negative_reviews: Mapped[int]

"""insight rollups: daily review counts for the dashboard, segment summaries, and the indexes its panels use

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:30:00

The rollup tables start empty: the first dashboard load (or `huisheng refresh-insights`) fills them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _label(name: str) -> sa.Enum:
    return sa.Enum(
        "positive",
        "neutral",
        "negative",
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def upgrade() -> None:
    op.create_table(
        "review_rollup_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("analyzed_through", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_review_rollup_days")),
    )
    op.create_table(
        "review_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("aspect", sa.String(length=20), nullable=False),
        sa.Column("label", _label("sentimentlabel"), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "category", "aspect", "label", name=op.f("pk_review_daily")),
    )
    op.create_index("ix_review_daily_aspect_day", "review_daily", ["aspect", "day"])
    op.create_table(
        "review_aspect_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("aspect", sa.String(length=20), nullable=False),
        sa.Column("label", _label("sentimentlabel"), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "category", "aspect", "label", name=op.f("pk_review_aspect_daily")),
    )
    op.create_table(
        "review_keyword_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("aspect", sa.String(length=20), nullable=False),
        sa.Column("keyword", sa.String(length=100), nullable=False),
        sa.Column("negative_reviews", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "category", "aspect", "keyword", name=op.f("pk_review_keyword_daily")),
    )
    op.create_index("ix_review_keyword_daily_aspect_day", "review_keyword_daily", ["aspect", "day"])
    op.create_table(
        "segment_summaries",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "rfm", "behaviour", name="segmentkind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("average_sentiment", sa.Float(), nullable=True),
        sa.Column("negative_share", sa.Float(), nullable=True),
        sa.Column("computed_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_segment_summaries")),
    )
    op.create_index("ix_reviews_analyzed", "reviews", ["analyzed_at"])
    op.create_index("ix_reviews_created", "reviews", ["created_at"])
    op.create_index("ix_conversations_started", "conversations", ["started_at"])
    op.create_index("ix_conversations_ended", "conversations", ["ended_at"])
    op.create_index("ix_messages_sender_created", "messages", ["sender", "created_at"])
    op.create_index("ix_escalations_created", "escalations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_escalations_created", table_name="escalations")
    op.drop_index("ix_messages_sender_created", table_name="messages")
    op.drop_index("ix_conversations_ended", table_name="conversations")
    op.drop_index("ix_conversations_started", table_name="conversations")
    op.drop_index("ix_reviews_created", table_name="reviews")
    op.drop_index("ix_reviews_analyzed", table_name="reviews")
    op.drop_table("segment_summaries")
    op.drop_index("ix_review_keyword_daily_aspect_day", table_name="review_keyword_daily")
    op.drop_table("review_keyword_daily")
    op.drop_table("review_aspect_daily")
    op.drop_index("ix_review_daily_aspect_day", table_name="review_daily")
    op.drop_table("review_daily")
    op.drop_table("review_rollup_days")

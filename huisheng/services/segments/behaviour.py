"""Behaviour tags from what customers did: what their reviews complain about, what they ask in chats,
how often they buy and how their last contacts went. Every count is aggregated in SQL; each tag carries
the counts that made it, in words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session

from crm_store.enums import MessageSender, SentimentLabel
from crm_store.models import Conversation, Message, Review, ReviewAspect
from huisheng.services.segments.rfm import Rfm
from huisheng.settings import SegmentSettings

PRICE_SENSITIVE = "价格敏感"
QUALITY_FOCUSED = "注重质量"
LOGISTICS_SENSITIVE = "物流敏感"
BRAND_LOYAL = "品牌忠诚"
CHURN_RISK = "流失风险"
BEHAVIOUR_TAGS = [PRICE_SENSITIVE, QUALITY_FOCUSED, LOGISTICS_SENSITIVE, BRAND_LOYAL, CHURN_RISK]
NEG = SentimentLabel.NEGATIVE


@dataclass(slots=True)
class Signals:
    """What one customer's records say, counted."""

    negative_aspects: dict[str, int] = field(default_factory=dict)
    aspect_mentions: dict[str, int] = field(default_factory=dict)
    positive_reviews: int = 0
    negative_reviews: int = 0
    price_messages: int = 0
    logistics_messages: int = 0
    last_negative_review_at: datetime | None = None
    last_low_csat_at: datetime | None = None


def gather(session: Session, *, settings: SegmentSettings) -> dict[int, Signals]:
    signals: dict[int, Signals] = defaultdict(Signals)
    aspect_rows = session.execute(
        select(Review.customer_id, ReviewAspect.aspect, ReviewAspect.label, func.count(distinct(Review.id)))
        .join(Review, Review.id == ReviewAspect.review_id)
        .where(Review.customer_id.is_not(None), ReviewAspect.aspect.in_(["价格", "质量", "物流"]))
        .group_by(Review.customer_id, ReviewAspect.aspect, ReviewAspect.label)
    ).all()
    for customer_id, aspect, label, count in aspect_rows:
        if customer_id is None:
            continue
        found = signals[customer_id]
        found.aspect_mentions[aspect] = found.aspect_mentions.get(aspect, 0) + count
        if label == NEG:
            found.negative_aspects[aspect] = count
    review_rows = session.execute(
        select(Review.customer_id, Review.sentiment_label, func.count(Review.id), func.max(Review.created_at))
        .where(Review.customer_id.is_not(None), Review.sentiment_label.is_not(None))
        .group_by(Review.customer_id, Review.sentiment_label)
    ).all()
    for reviewer_id, review_label, count, last_review_at in review_rows:
        if reviewer_id is None:
            continue
        if review_label == SentimentLabel.POSITIVE:
            signals[reviewer_id].positive_reviews = count
        elif review_label == NEG:
            signals[reviewer_id].negative_reviews = count
            signals[reviewer_id].last_negative_review_at = last_review_at
    customer_text = (Message.sender == MessageSender.CUSTOMER, Message.conversation_id == Conversation.id)
    if settings.price_words:
        for customer_id, count in session.execute(
            select(Conversation.customer_id, func.count(Message.id))
            .where(*customer_text, or_(*(Message.text.contains(word) for word in settings.price_words)))
            .group_by(Conversation.customer_id)
        ):
            signals[customer_id].price_messages = count
    if settings.logistics_intents:
        for customer_id, count in session.execute(
            select(Conversation.customer_id, func.count(Message.id))
            .where(*customer_text, Message.intent.in_(settings.logistics_intents))
            .group_by(Conversation.customer_id)
        ):
            signals[customer_id].logistics_messages = count
    for customer_id, last_at in session.execute(
        select(Conversation.customer_id, func.max(Conversation.csat_at))
        .where(Conversation.csat_score <= 2)
        .group_by(Conversation.customer_id)
    ):
        signals[customer_id].last_low_csat_at = last_at
    return dict(signals)


def tags_for(
    signals: Signals, rfm: Rfm | None, *, settings: SegmentSettings, now: datetime
) -> dict[str, str]:
    """Tag → why, for one customer."""
    tags: dict[str, str] = {}
    need = settings.min_signals
    price_neg = signals.negative_aspects.get("价格", 0)
    if price_neg + signals.price_messages >= need:
        tags[PRICE_SENSITIVE] = (
            f"评价中不满价格 {price_neg} 次，聊天中问优惠/价格 {signals.price_messages} 次"
        )
    quality = signals.aspect_mentions.get("质量", 0)
    if quality >= need:
        tags[QUALITY_FOCUSED] = (
            f"{quality} 条评价谈到质量（其中差评 {signals.negative_aspects.get('质量', 0)} 条）"
        )
    logistics_neg = signals.negative_aspects.get("物流", 0)
    if logistics_neg >= need or signals.logistics_messages >= 2 * need:
        tags[LOGISTICS_SENSITIVE] = (
            f"评价中不满物流 {logistics_neg} 次，聊天中询问物流/订单进度 {signals.logistics_messages} 次"
        )
    orders = rfm.frequency if rfm else 0
    if orders >= settings.loyal_orders and signals.positive_reviews > signals.negative_reviews:
        tags[BRAND_LOYAL] = (
            f"复购 {orders} 单，好评 {signals.positive_reviews} 条、差评 {signals.negative_reviews} 条"
        )
    churn = _churn_reason(signals, rfm, settings=settings, now=now)
    if churn:
        tags[CHURN_RISK] = churn
    return tags


def _churn_reason(
    signals: Signals, rfm: Rfm | None, *, settings: SegmentSettings, now: datetime
) -> str | None:
    if (
        rfm is not None
        and rfm.frequency >= settings.churn_frequent_orders
        and rfm.recency_days >= settings.churn_recency_days
    ):
        return f"曾购买 {rfm.frequency} 单的常客，已 {rfm.recency_days:.0f} 天未下单"
    since = now - timedelta(days=settings.unhappy_contact_days)
    if signals.last_negative_review_at is not None and signals.last_negative_review_at >= since:
        return f"{settings.unhappy_contact_days} 天内留下差评"
    if signals.last_low_csat_at is not None and signals.last_low_csat_at >= since:
        return f"{settings.unhappy_contact_days} 天内对客服评分 ≤ 2"
    return None

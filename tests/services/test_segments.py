"""Customer segments: RFM tiers against an independent computation, behaviour tags and their reasons,
recomputation that replaces computed rows and leaves staff tags alone."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import Channel, MessageDirection, MessageSender, OrderStatus, SegmentKind, SentimentLabel
from crm_store.models import Customer, CustomerSegment, Message, Order, Review, ReviewAspect
from huisheng.services import conversations, tags
from huisheng.services.segments import service
from huisheng.services.segments.rfm import quantile
from huisheng.settings import SegmentSettings
from tests.factories import make_customer

NOW = utcnow().replace(microsecond=0)
SETTINGS = SegmentSettings()
_orders = iter(range(10_000_000, 99_999_999))

# customer → [(days ago, amount, status)]
ORDERS: dict[str, list[tuple[int, str, OrderStatus]]] = {
    "甲": [
        (2, "500.00", OrderStatus.COMPLETED),
        (20, "300.00", OrderStatus.COMPLETED),
        (40, "200.00", OrderStatus.PAID),
    ],
    "乙": [(5, "800.00", OrderStatus.DELIVERED)],
    "丙": [
        (90, "150.00", OrderStatus.COMPLETED),
        (100, "120.00", OrderStatus.COMPLETED),
        (120, "99.00", OrderStatus.COMPLETED),
    ],
    "丁": [(200, "50.00", OrderStatus.COMPLETED), (1, "999.00", OrderStatus.CANCELLED)],
    "戊": [(10, "60.00", OrderStatus.COMPLETED), (15, "40.00", OrderStatus.SHIPPED)],
    "己": [(150, "2000.00", OrderStatus.COMPLETED)],
}


def add_order(session: Session, customer: Customer, days_ago: int, amount: str, status: OrderStatus) -> None:
    session.add(
        Order(
            order_no=f"SEG{next(_orders)}",
            customer_id=customer.id,
            status=status,
            items=[],
            amount=Decimal(amount),
            address="上海",
            created_at=NOW - timedelta(days=days_ago),
        )
    )


def add_review(
    session: Session, customer: Customer, *, aspect: str, label: SentimentLabel, at: datetime | None = None
) -> None:
    review = Review(
        source="test",
        text=f"{aspect}评价",
        customer_id=customer.id,
        sentiment_label=label,
        sentiment_score=0.9 if label is SentimentLabel.POSITIVE else 0.1,
        created_at=at or NOW - timedelta(days=60),
    )
    review.aspects.append(ReviewAspect(aspect=aspect, label=label, score=0.5, clause=aspect))
    session.add(review)


@pytest.fixture()
def shop(session: Session) -> dict[str, Customer]:
    people = {}
    for name, orders in ORDERS.items():
        customer = make_customer(session, name=name)
        people[name] = customer
        for days_ago, amount, status in orders:
            add_order(session, customer, days_ago, amount, status)
    session.flush()
    return people


def independent_tiers() -> dict[str, str]:
    counted = {
        name: [(d, float(a)) for d, a, s in orders if s not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)]
        for name, orders in ORDERS.items()
    }
    r = {name: min(d for d, _ in rows) for name, rows in counted.items()}
    f = {name: len(rows) for name, rows in counted.items()}
    m = {name: sum(a for _, a in rows) for name, rows in counted.items()}
    r_cut, f_cut, m_cut = (statistics.median(x.values()) for x in (r, f, m))
    names = {
        (1, 1, 1): "重要价值", (1, 0, 1): "重要发展", (0, 1, 1): "重要保持", (0, 0, 1): "重要挽留",
        (1, 1, 0): "一般价值", (1, 0, 0): "一般发展", (0, 1, 0): "一般保持", (0, 0, 0): "一般挽留",
    }  # fmt: skip
    return {n: names[(int(r[n] < r_cut), int(f[n] > f_cut), int(m[n] > m_cut))] for n in ORDERS}


def tiers(session: Session, people: dict[str, Customer]) -> dict[str, str]:
    rows = session.scalars(select(CustomerSegment).where(CustomerSegment.kind == SegmentKind.RFM)).all()
    by_id = {row.customer_id: row.name for row in rows}
    return {name: by_id[customer.id] for name, customer in people.items()}


def behaviour(session: Session, customer: Customer) -> dict[str, str]:
    rows = session.scalars(
        select(CustomerSegment).where(
            CustomerSegment.customer_id == customer.id, CustomerSegment.kind == SegmentKind.BEHAVIOUR
        )
    ).all()
    return {row.name: row.reason for row in rows}


def test_quantile_is_the_interpolated_type_7_quantile() -> None:
    values = [3.0, 1.0, 10.0, 4.0, 7.0]
    assert quantile(values, 0.5) == statistics.median(values)
    assert quantile(values, 0.25) == statistics.quantiles(values, n=4, method="inclusive")[0]


def test_rfm_tiers_match_an_independent_computation(session: Session, shop: dict[str, Customer]) -> None:
    service.compute_segments(session, settings=SETTINGS, now=NOW)
    expected = independent_tiers()
    assert tiers(session, shop) == expected
    # The fixture is built to cover both sides of every threshold.
    assert {"重要价值", "一般挽留"} <= set(expected.values())


def test_configured_thresholds_replace_the_quantiles(session: Session, shop: dict[str, Customer]) -> None:
    settings = SegmentSettings(recency_days=365, frequency=10, monetary=100)
    service.compute_segments(session, settings=settings, now=NOW)
    # Everyone bought within a year and nobody ordered more than 10 times: only spend tells them apart.
    assert tiers(session, shop) == {
        "甲": "重要发展", "乙": "重要发展", "丙": "重要发展", "丁": "一般发展", "戊": "一般发展", "己": "重要发展",
    }  # fmt: skip


def test_each_tier_says_why(session: Session, shop: dict[str, Customer]) -> None:
    service.compute_segments(session, settings=SETTINGS, now=NOW)
    reason = session.scalar(
        select(CustomerSegment.reason).where(
            CustomerSegment.customer_id == shop["甲"].id, CustomerSegment.kind == SegmentKind.RFM
        )
    )
    assert (
        reason is not None and "最近一次购买 2 天前" in reason and "3 单" in reason and "¥1000.00" in reason
    )


def test_cancelled_orders_do_not_count(session: Session, shop: dict[str, Customer]) -> None:
    service.compute_segments(session, settings=SETTINGS, now=NOW)
    assert tiers(session, shop)["丁"] == "一般挽留"


def test_behaviour_tags_with_their_reasons(session: Session, shop: dict[str, Customer]) -> None:
    first, fourth, third = shop["甲"], shop["丁"], shop["丙"]
    add_review(session, first, aspect="质量", label=SentimentLabel.POSITIVE)
    add_review(session, first, aspect="质量", label=SentimentLabel.NEGATIVE)
    add_review(session, first, aspect="物流", label=SentimentLabel.POSITIVE)
    add_review(session, first, aspect="物流", label=SentimentLabel.POSITIVE)
    add_review(session, fourth, aspect="价格", label=SentimentLabel.NEGATIVE)
    conversation = conversations.current_conversation(session, customer_id=fourth.id, channel=Channel.WEB)
    session.add(
        Message(
            conversation_id=conversation.id,
            direction=MessageDirection.INBOUND,
            sender=MessageSender.CUSTOMER,
            text="有优惠券吗",
        )
    )
    add_review(session, shop["乙"], aspect="物流", label=SentimentLabel.NEGATIVE, at=NOW - timedelta(days=3))
    session.flush()
    service.compute_segments(session, settings=SETTINGS, now=NOW)
    assert behaviour(session, first) == {
        "注重质量": "2 条评价谈到质量（其中差评 1 条）",
        "品牌忠诚": "复购 3 单，好评 3 条、差评 1 条",
    }
    assert behaviour(session, fourth) == {"价格敏感": "评价中不满价格 1 次，聊天中问优惠/价格 1 次"}
    assert behaviour(session, third) == {"流失风险": "曾购买 3 单的常客，已 90 天未下单"}
    assert behaviour(session, shop["乙"]) == {"流失风险": "30 天内留下差评"}


def test_recomputing_replaces_computed_rows_and_keeps_staff_tags(
    session: Session, shop: dict[str, Customer]
) -> None:
    tags.tag_customer(session, customer_id=shop["甲"].id, tag="VIP")
    tags.tag_customer(session, customer_id=shop["甲"].id, tag="价格敏感")
    first = service.compute_segments(session, settings=SETTINGS, now=NOW)
    second = service.compute_segments(session, settings=SETTINGS, now=NOW + timedelta(hours=1))
    assert first.rows == second.rows
    rows = session.scalars(select(CustomerSegment)).all()
    assert len(rows) == second.rows and {row.computed_at for row in rows} == {NOW + timedelta(hours=1)}
    session.expire_all()
    assert [tag.name for tag in session.get(Customer, shop["甲"].id).tags] == ["VIP", "价格敏感"]  # type: ignore[union-attr]


def test_segment_sizes_and_their_sentiment(session: Session, shop: dict[str, Customer]) -> None:
    add_review(session, shop["甲"], aspect="质量", label=SentimentLabel.POSITIVE)
    add_review(session, shop["甲"], aspect="质量", label=SentimentLabel.NEGATIVE)
    session.flush()
    service.compute_segments(session, settings=SETTINGS, now=NOW)
    sizes = {size.name: size for size in service.segment_sizes(session)}
    expected = independent_tiers()
    for tier in set(expected.values()):
        assert sizes[tier].customers == list(expected.values()).count(tier)
    best = sizes[expected["甲"]]
    assert (best.reviews, best.average_sentiment, best.negative_share) == (2, 0.5, 0.5)


def test_members_filter_by_segment(session: Session, shop: dict[str, Customer]) -> None:
    service.compute_segments(session, settings=SETTINGS, now=NOW)
    tier = independent_tiers()["甲"]
    listed = service.members(session, segment=tier)
    assert shop["甲"].id in {m.customer_id for m in listed}
    assert {m.segment for m in listed} == {tier}

"""RFM value tiers: recency, frequency and monetary value per customer, each compared with its threshold.

A score is "high" when it is strictly better than its threshold: bought fewer days ago than the recency
threshold, more orders than the frequency threshold, more spent than the monetary threshold. Thresholds
come from settings or, by default, are the `quantile` (median) of all buying customers' values, linearly
interpolated (the "type 7" quantile numpy and statistics.quantiles(method="inclusive") use).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.enums import OrderStatus
from crm_store.models import Order
from huisheng.settings import SegmentSettings

# Orders that never became a sale do not count towards value.
NOT_SALES = (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, OrderStatus.REFUNDED)

# (recent, frequent, big spender) → tier
TIERS: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "重要价值",
    (True, False, True): "重要发展",
    (False, True, True): "重要保持",
    (False, False, True): "重要挽留",
    (True, True, False): "一般价值",
    (True, False, False): "一般发展",
    (False, True, False): "一般保持",
    (False, False, False): "一般挽留",
}
TIER_ORDER = list(TIERS.values())


@dataclass(frozen=True, slots=True)
class Rfm:
    customer_id: int
    recency_days: float
    frequency: int
    monetary: float


@dataclass(frozen=True, slots=True)
class Thresholds:
    recency_days: float
    frequency: float
    monetary: float


def rfm_values(session: Session, *, now: datetime) -> list[Rfm]:
    """Each buying customer's last order, order count and spend, aggregated in SQL."""
    rows = session.execute(
        select(Order.customer_id, func.max(Order.created_at), func.count(Order.id), func.sum(Order.amount))
        .where(Order.status.not_in(NOT_SALES))
        .group_by(Order.customer_id)
        .order_by(Order.customer_id)
    ).all()
    out = []
    for customer_id, last_at, count, amount in rows:
        last = _aware(last_at)
        out.append(Rfm(customer_id, (now - last).total_seconds() / 86400, int(count), float(amount or 0)))
    return out


def _aware(value: datetime | str) -> datetime:
    # func.max over the UTC column comes back untyped on SQLite (a string); the column's type is lost.
    from crm_store.base import UTCDateTime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    result = UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type]
    assert result is not None
    return result


def quantile(values: Sequence[float], q: float) -> float:
    """The linearly interpolated q-quantile of the values (type 7)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def thresholds(values: Sequence[Rfm], settings: SegmentSettings) -> Thresholds:
    q = settings.quantile
    return Thresholds(
        recency_days=settings.recency_days or quantile([v.recency_days for v in values], q),
        frequency=settings.frequency or quantile([float(v.frequency) for v in values], q),
        monetary=settings.monetary or quantile([v.monetary for v in values], q),
    )


def tier_of(value: Rfm, limits: Thresholds) -> str:
    return TIERS[
        (
            value.recency_days < limits.recency_days,
            value.frequency > limits.frequency,
            value.monetary > limits.monetary,
        )
    ]


def reason_of(value: Rfm, limits: Thresholds) -> str:
    return (
        f"最近一次购买 {value.recency_days:.0f} 天前（界线 {limits.recency_days:.0f} 天），"
        f"{value.frequency} 单（界线 {limits.frequency:g}），"
        f"消费 ¥{value.monetary:.2f}（界线 ¥{limits.monetary:.2f}）"
    )

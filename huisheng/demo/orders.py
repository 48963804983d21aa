"""Demo orders: numbers, items, amounts, carriers and timestamps that agree with each order's status."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from crm_store.enums import OrderStatus
from crm_store.models import Order
from huisheng.demo.catalog import CARRIERS, FRUIT, PHONE_ACCESSORIES, SNACKS, DemoProduct

S = OrderStatus

# Roughly what a small shop's order book looks like: most orders are long done.
STATUS_WEIGHTS: dict[OrderStatus, int] = {
    S.PENDING_PAYMENT: 5,
    S.PAID: 8,
    S.SHIPPED: 12,
    S.DELIVERED: 15,
    S.COMPLETED: 45,
    S.CANCELLED: 7,
    S.REFUND_REQUESTED: 4,
    S.REFUNDED: 4,
}
# How long ago (in days) an order in each status was placed.
AGE_DAYS: dict[OrderStatus, tuple[float, float]] = {
    S.PENDING_PAYMENT: (0.01, 1),
    S.PAID: (0.02, 2),
    S.SHIPPED: (1, 5),
    S.DELIVERED: (4, 14),
    S.COMPLETED: (12, 90),
    S.CANCELLED: (0.5, 90),
    S.REFUND_REQUESTED: (4, 25),
    S.REFUNDED: (6, 90),
}
SHIPPED_STATUSES = frozenset({S.SHIPPED, S.DELIVERED, S.COMPLETED})
# Wholesale buyers stock up on things that sell by the box.
WHOLESALE_CATEGORIES = frozenset({SNACKS, FRUIT, PHONE_ACCESSORIES})
WELL_KNOWN_PREFIX = "20240000"


class OrderNumbers:
    """`2024` + month-day + a 4-digit daily sequence, e.g. 202411050012; never reuses a taken number."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self._rng = rng
        self._taken = taken
        self._next_seq: dict[str, int] = defaultdict(lambda: rng.randrange(1, 30))

    def issue(self, created_at: datetime) -> str:
        day = f"{created_at:%m%d}"
        while self._next_seq[day] <= 9999:
            number = f"2024{day}{self._next_seq[day]:04d}"
            self._next_seq[day] += self._rng.randrange(1, 25)
            if number not in self._taken:
                self._taken.add(number)
                return number
        # A very busy day: any free number that cannot be mistaken for a well-known demo one.
        while True:
            number = f"2024{self._rng.randrange(10**7, 10**8):08d}"
            if number not in self._taken and not number.startswith(WELL_KNOWN_PREFIX):
                self._taken.add(number)
                return number


def pick_status(rng: random.Random) -> OrderStatus:
    return rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]


def pick_items(
    rng: random.Random, products: list[DemoProduct], *, wholesale: bool = False
) -> list[dict[str, Any]]:
    if wholesale:
        choices = [p for p in products if p.category in WHOLESALE_CATEGORIES] or products
        return [line(p, rng.randrange(10, 51)) for p in rng.sample(choices, rng.randrange(1, 3))]
    count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    return [line(p, rng.choices((1, 2, 3), weights=(75, 18, 7))[0]) for p in rng.sample(products, count)]


def line(product: DemoProduct, qty: int) -> dict[str, Any]:
    # Prices are strings in the JSON snapshot so no float ever touches money.
    return {"sku": product.sku, "name": product.name, "qty": qty, "price": f"{product.price:.2f}"}


def items_total(items: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(item["price"]) * item["qty"] for item in items), Decimal("0.00"))


def tracking_number(rng: random.Random, carrier: str) -> str:
    prefix, digits = CARRIERS[carrier]
    return prefix + "".join(str(rng.randrange(10)) for _ in range(digits))


def build_order(
    rng: random.Random,
    *,
    order_no: str,
    customer_id: int,
    status: OrderStatus,
    items: list[dict[str, Any]],
    address: str,
    created_at: datetime,
    now: datetime,
) -> Order:
    """An order whose paid/shipped/delivered times follow its status and never pass `now`."""
    order = Order(
        order_no=order_no,
        customer_id=customer_id,
        status=status,
        items=items,
        amount=items_total(items),
        address=address,
        created_at=created_at,
    )
    latest = now - timedelta(minutes=1)
    paid = status not in (S.PENDING_PAYMENT, S.CANCELLED)
    shipped = status in SHIPPED_STATUSES or (
        status in (S.REFUND_REQUESTED, S.REFUNDED) and rng.random() < 0.6
    )
    delivered = status in (S.DELIVERED, S.COMPLETED) or (shipped and status is not S.SHIPPED)
    moment = created_at
    if paid:
        moment = order.paid_at = min(moment + timedelta(minutes=rng.uniform(1, 45)), latest)
    if shipped:
        moment = order.shipped_at = min(moment + timedelta(hours=rng.uniform(3, 40)), latest)
        order.carrier = rng.choices(list(CARRIERS), weights=(30, 30, 20, 15, 5))[0]
        order.tracking_no = tracking_number(rng, order.carrier)
    if delivered:
        moment = order.delivered_at = min(moment + timedelta(hours=rng.uniform(20, 90)), latest)
    order.updated_at = moment
    return order


def created_at_for(rng: random.Random, status: OrderStatus, now: datetime) -> datetime:
    low, high = AGE_DAYS[status]
    return now - timedelta(days=rng.uniform(low, high))

"""Seeds the shop itself: products, staff, the well-known demo customers and the others with their orders."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, CustomerTier, OrderStatus
from crm_store.models import ChannelIdentity, Customer, Order, Product, StaffUser
from huisheng.demo import orders as order_book
from huisheng.demo import people
from huisheng.demo.catalog import PRODUCTS, DemoProduct
from huisheng.services import customers, staff
from huisheng.services.audit import Actor

DEMO_ACTOR = Actor(label="demo-seed")
WEB_DEMO_VISITOR = "web-demo-visitor"
WECHAT_DEMO_OPENID = "oDemoOpenId0000000000000001"
WEB_DEMO_WECHAT_USER = "web-demo-wechat-user"
DEMO_SHIPPED_ORDER = "202400000001"
DEMO_PAID_ORDER = "202400000002"
DEMO_DELIVERED_ORDER = "202400000003"
DEMO_TRACKING_NO = "SF1427358091046"
# How many orders a customer has placed in the last 90 days: most one to three, a few loyal ones more.
ORDER_COUNT_WEIGHTS = (10, 30, 25, 15, 10, 6, 4)
FLUSH_EVERY = 50


@dataclass
class DemoCustomer:
    customer: Customer
    channels: list[Channel]
    orders: list[Order] = field(default_factory=list)
    wholesale: bool = False
    # The visitor and the WeChat user the README and the tests name: they start talking to the bot, so no
    # seeded case or waiting conversation is theirs.
    well_known: bool = False


@dataclass
class DemoShop:
    """Everything one seeding run creates, shared by the steps so none of them queries it back."""

    session: Session
    rng: random.Random
    now: datetime
    sla_hours: Mapping[str, float]
    products: list[DemoProduct] = field(default_factory=lambda: list(PRODUCTS))
    customers: list[DemoCustomer] = field(default_factory=list)
    staff: list[StaffUser] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    phones: set[str] = field(default_factory=set)
    # Complaint signals per customer id (a complaint case counts 2, a 1–2 star review 1), for the 易投诉 tag.
    complaints: Counter[int] = field(default_factory=Counter)

    def product(self, sku: str) -> DemoProduct:
        return next(p for p in self.products if p.sku == sku)


def seed_products(shop: DemoShop) -> None:
    existing = set(shop.session.scalars(select(Product.sku)))
    new = [p for p in PRODUCTS if p.sku not in existing]
    shop.session.add_all(
        Product(
            sku=p.sku,
            name=p.name,
            category=p.category,
            price=p.price,
            stock=p.stock,
            description=p.description,
        )
        for p in new
    )
    shop.session.flush()
    shop.counts["products"] = len(new)
    if len(new) < len(PRODUCTS):
        shop.notes.append(
            f"{len(PRODUCTS) - len(new)} demo products already existed and were kept as they are"
        )


def seed_staff(shop: DemoShop, *, issue_tokens: bool) -> None:
    """The demo team; outside production each gets a known console password and API token."""
    taken = {u.username: u for u in shop.session.scalars(select(StaffUser))}
    for member in people.STAFF:
        user = taken.get(member.username)
        if user is not None:
            # Someone else's account: use it for the queue, but never replace its token.
            shop.notes.append(f"staff user {member.username} already existed; its API token was left alone")
        else:
            user = staff.create_staff(
                shop.session,
                username=member.username,
                display_name=member.display_name,
                role=member.role,
                email=f"{member.username}@{people.STAFF_EMAIL_DOMAIN}",
                password=people.DEMO_PASSWORD if issue_tokens else None,
                actor=DEMO_ACTOR,
            )
            shop.counts["staff"] += 1
            if issue_tokens:
                shop.tokens[user.username] = staff.issue_api_token(
                    shop.session, staff_id=user.id, token=f"dev-{user.username}-token", actor=DEMO_ACTOR
                )
        shop.staff.append(user)


def seed_well_known(shop: DemoShop, taken_order_nos: set[str]) -> None:
    """The records the docs and tests name: a web visitor with a shipped and a paid order, a WeChat user."""
    web = _well_known_customer(
        shop, Channel.WEB, WEB_DEMO_VISITOR, name="王小明", phone="13800138000", tier=CustomerTier.SILVER
    )
    wechat = _well_known_customer(
        shop, Channel.WECHAT, WECHAT_DEMO_OPENID, name="李晓红", phone="13900139000", tier=CustomerTier.GOLD
    )
    # She also shops on the website: the demo always has a customer reachable on both channels.
    if (
        customers.find_by_identity(shop.session, channel=Channel.WEB, external_id=WEB_DEMO_WECHAT_USER)
        is None
    ):
        customers.link_identity(
            shop.session,
            customer_id=wechat.customer.id,
            channel=Channel.WEB,
            external_id=WEB_DEMO_WECHAT_USER,
            actor=DEMO_ACTOR,
        )
        wechat.channels.append(Channel.WEB)
    plans = (
        (web, DEMO_SHIPPED_ORDER, OrderStatus.SHIPPED, [("HS-PHN-003", 1), ("HS-PHN-004", 1)], 2.5),
        (web, DEMO_PAID_ORDER, OrderStatus.PAID, [("HS-SNK-001", 2)], 0.2),
        (wechat, DEMO_DELIVERED_ORDER, OrderStatus.DELIVERED, [("HS-FRT-001", 1), ("HS-BTY-001", 1)], 6.0),
    )
    for owner, order_no, status, lines, days_ago in plans:
        if order_no in taken_order_nos:
            shop.notes.append(f"order {order_no} already existed and was left as it is")
            continue
        order = order_book.build_order(
            shop.rng,
            order_no=order_no,
            customer_id=owner.customer.id,
            status=status,
            items=[order_book.line(shop.product(sku), qty) for sku, qty in lines],
            address="上海市浦东新区世纪大道100号环球金融中心25层"
            if owner is web
            else "浙江省杭州市西湖区文三路90号东部软件园3号楼",
            created_at=shop.now - timedelta(days=days_ago),
            now=shop.now,
        )
        if order_no == DEMO_SHIPPED_ORDER:
            order.carrier, order.tracking_no = "顺丰速运", DEMO_TRACKING_NO
        taken_order_nos.add(order_no)
        shop.session.add(order)
        owner.orders.append(order)
    shop.session.flush()


def _well_known_customer(
    shop: DemoShop, channel: Channel, external_id: str, *, name: str, phone: str, tier: CustomerTier
) -> DemoCustomer:
    existing = customers.find_by_identity(shop.session, channel=channel, external_id=external_id)
    if existing is not None:
        shop.notes.append(
            f"the {channel.value} identity {external_id} already existed; its customer was reused"
        )
        demo = DemoCustomer(existing, [channel], well_known=True)
    else:
        customer = customers.create_customer(
            shop.session, name=name, phone=phone, tier=tier, actor=DEMO_ACTOR
        )
        customer.created_at = customer.updated_at = shop.now - timedelta(days=200)
        customers.link_identity(
            shop.session,
            customer_id=customer.id,
            channel=channel,
            external_id=external_id,
            display_name=name,
            actor=DEMO_ACTOR,
        )
        shop.counts["customers"] += 1
        demo = DemoCustomer(customer, [channel], well_known=True)
    shop.phones.add(phone)
    shop.customers.append(demo)
    return demo


def seed_customers(shop: DemoShop, count: int, taken_order_nos: set[str]) -> None:
    """`count` customers with web and/or WeChat identities and their orders, every status at least once."""
    rng = shop.rng
    numbers = order_book.OrderNumbers(rng, taken_order_nos)
    order_counts = [
        rng.choices(range(len(ORDER_COUNT_WEIGHTS)), ORDER_COUNT_WEIGHTS)[0] for _ in range(count)
    ]
    statuses = [[order_book.pick_status(rng) for _ in range(n)] for n in order_counts]
    _cover_every_status(rng, statuses)
    taken_ids = set(shop.session.scalars(select(ChannelIdentity.external_id)))
    for start in range(0, len(statuses), FLUSH_EVERY):
        batch = [
            _one_customer(shop, planned, numbers, taken_ids)
            for planned in statuses[start : start + FLUSH_EVERY]
        ]
        # Orders join the session per batch: the services' per-customer flushes would otherwise
        # insert them a few at a time.
        shop.session.add_all(order for demo in batch for order in demo.orders)
        shop.session.flush()
        shop.customers.extend(batch)


def _cover_every_status(rng: random.Random, statuses: list[list[OrderStatus]]) -> None:
    """Rewrites a few planned orders so each status appears even in a tiny shop."""
    slots = [(i, j) for i, planned in enumerate(statuses) for j in range(len(planned))]
    missing = list(OrderStatus)
    while len(slots) < len(missing):
        owner = rng.randrange(len(statuses))
        statuses[owner].append(OrderStatus.COMPLETED)
        slots.append((owner, len(statuses[owner]) - 1))
    for (i, j), status in zip(rng.sample(slots, len(missing)), missing, strict=True):
        statuses[i][j] = status


def _one_customer(
    shop: DemoShop, planned: list[OrderStatus], numbers: order_book.OrderNumbers, taken_ids: set[str]
) -> DemoCustomer:
    rng, now = shop.rng, shop.now
    name = people.person_name(rng)
    phone = people.mobile_phone(rng)
    while phone in shop.phones:
        phone = people.mobile_phone(rng)
    shop.phones.add(phone)
    customer = customers.create_customer(
        shop.session,
        name=name.hanzi,
        phone=phone,
        email=people.email_for(rng, name) if rng.random() < 0.4 else None,
        tier=people.tier(rng),
        actor=DEMO_ACTOR,
    )
    shop.counts["customers"] += 1
    demo = DemoCustomer(customer, _channels(rng), wholesale=rng.random() < 0.02)
    home = people.address(rng)
    for status in planned:
        created_at = order_book.created_at_for(rng, status, now)
        order = order_book.build_order(
            rng,
            order_no=numbers.issue(created_at),
            customer_id=customer.id,
            status=status,
            items=order_book.pick_items(rng, shop.products, wholesale=demo.wholesale),
            # Most people ship home; some send gifts or use the office.
            address=home if rng.random() < 0.8 else people.address(rng),
            created_at=created_at,
            now=now,
        )
        demo.orders.append(order)
    first_seen = min((o.created_at for o in demo.orders), default=now) - timedelta(days=rng.uniform(1, 400))
    last_seen = max((o.created_at for o in demo.orders), default=first_seen)
    customer.created_at = customer.updated_at = first_seen
    for channel in demo.channels:
        external_id = _fresh_id(rng, channel, taken_ids)
        identity = customers.link_identity(
            shop.session,
            customer_id=customer.id,
            channel=channel,
            external_id=external_id,
            display_name=people.wechat_nickname(rng, name) if channel is Channel.WECHAT else None,
            actor=DEMO_ACTOR,
        )
        identity.created_at, identity.last_seen_at = first_seen, last_seen
        shop.counts[f"identities.{channel.value}"] += 1
    return demo


def _channels(rng: random.Random) -> list[Channel]:
    roll = rng.random()
    if roll < 0.55:
        return [Channel.WEB]
    if roll < 0.85:
        return [Channel.WECHAT]
    return [Channel.WEB, Channel.WECHAT]


def _fresh_id(rng: random.Random, channel: Channel, taken: set[str]) -> str:
    make = people.web_visitor_id if channel is Channel.WEB else people.wechat_openid
    value = make(rng)
    while value in taken:
        value = make(rng)
    taken.add(value)
    return value

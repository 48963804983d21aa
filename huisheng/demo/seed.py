"""`seed_demo_data`: fills the store with the demo shop once; a non-empty production store needs --force."""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import OrderStatus
from crm_store.models import AuditEntry, Order
from huisheng.demo import activity, people, queue, replies, shop, word_of_mouth
from huisheng.demo.catalog import SHOP_NAME
from huisheng.demo.shop import DEMO_ACTOR, DemoShop
from huisheng.errors import InvalidInputError
from huisheng.services import audit
from huisheng.services.customers import count_customers
from huisheng.services.escalations import DEFAULT_SLA_HOURS

logger = logging.getLogger(__name__)

MARKER_ACTION = "demo.seeded"
ALREADY_PRESENT = "demo data already present; nothing to do"
# The well-known web and WeChat customers come on top of the generated ones.
WELL_KNOWN_CUSTOMERS = 2


class SeedRefused(Exception):
    """Seeding would mix demo data into a store that holds real data."""


def seed_demo_data(
    session: Session,
    *,
    customers: int = 300,
    seed: int = 7,
    force: bool = False,
    production: bool = False,
    sla_hours: Mapping[str, float] = DEFAULT_SLA_HOURS,
) -> str:
    """Creates the 回声小店 demo shop in `session` (flushed, not committed) and says what it made.

    Runs once per store: a marker in the audit log makes later runs a no-op. Outside production a store
    that already has customers is seeded anyway; in production that needs `force`.
    """
    if customers < WELL_KNOWN_CUSTOMERS + 1:
        raise InvalidInputError(f"customers must be at least {WELL_KNOWN_CUSTOMERS + 1}, not {customers}")
    if demo_seeded(session):
        return ALREADY_PRESENT
    existing = count_customers(session)
    if existing and production and not force:
        raise SeedRefused(
            f"the database already holds {existing} customers and is not demo data; "
            "refusing to seed a non-empty production database without --force"
        )
    demo = DemoShop(session=session, rng=random.Random(seed), now=utcnow(), sla_hours=sla_hours)
    taken_order_nos = set(session.scalars(select(Order.order_no)))
    shop.seed_products(demo)
    shop.seed_staff(demo, issue_tokens=not production)
    replies.seed_canned_replies(demo)
    shop.seed_well_known(demo, taken_order_nos)
    shop.seed_customers(demo, customers - WELL_KNOWN_CUSTOMERS, taken_order_nos)
    activity.seed_reviews(demo)
    word_of_mouth.seed_spike(demo)
    activity.seed_conversations(demo)
    queue.seed_escalations(demo)
    queue.seed_tags(demo)
    audit.record(
        session,
        actor=DEMO_ACTOR,
        action=MARKER_ACTION,
        entity_type="store",
        entity_id=None,
        details={"seed": seed, "customers": customers, "counts": dict(sorted(demo.counts.items()))},
    )
    session.flush()
    logger.info("seeded demo shop: %s", dict(sorted(demo.counts.items())))
    return _summary(demo, seed=seed, existing=existing, production=production)


def demo_seeded(session: Session) -> bool:
    return (
        session.scalar(select(AuditEntry.id).where(AuditEntry.action == MARKER_ACTION).limit(1)) is not None
    )


def _summary(demo: DemoShop, *, seed: int, existing: int, production: bool) -> str:
    counts = demo.counts
    orders = [order for customer in demo.customers for order in customer.orders]
    by_status = Counter(order.status for order in orders)
    statuses = ", ".join(f"{by_status[status]} {status.value}" for status in OrderStatus)
    both = sum(1 for c in demo.customers if len(c.channels) > 1)
    tags = sum(n for key, n in counts.items() if key.startswith("tag."))
    parts = [
        f"Seeded the {SHOP_NAME} demo shop (seed {seed}): {counts['products']} products, "
        f"{counts['customers']} customers ({counts['identities.web']} web and {counts['identities.wechat']} "
        f"WeChat identities, {both} customers on both), {len(orders)} orders ({statuses}), "
        f"{counts['reviews']} reviews stored without analysis (run the review analysis next), "
        f"{counts['conversations.closed']} closed conversations ({counts['csat']} with a CSAT score, "
        f"{counts['messages']} messages in all), {counts['conversations.waiting']} conversations waiting for "
        f"staff and {counts['conversations.with_staff']} being handled by staff, {counts['escalations']} "
        f"escalations across the queue, {counts['staff']} staff users, "
        f"{counts['canned_replies']} canned replies and {tags} customer tags.",
        f"Well-known records: web visitor {shop.WEB_DEMO_VISITOR} owns {shop.DEMO_SHIPPED_ORDER} (shipped by "
        f"顺丰速运, tracking {shop.DEMO_TRACKING_NO}) and {shop.DEMO_PAID_ORDER} (paid, not yet shipped); "
        f"WeChat openid {shop.WECHAT_DEMO_OPENID} owns {shop.DEMO_DELIVERED_ORDER} (delivered).",
    ]
    if demo.tokens:
        tokens = ", ".join(f"{user}={token}" for user, token in demo.tokens.items())
        parts.append(f"Development-only demo API tokens (never use them outside development): {tokens}.")
        parts.append(
            f"Every demo staff account logs in at /console with the password {people.DEMO_PASSWORD} "
            "(development only)."
        )
    elif production:
        parts.append("No API tokens or passwords were issued because this is production.")
    if existing:
        how = "because --force was given" if production else "because this is not production"
        parts.append(
            f"The store already held {existing} customer{'s' if existing != 1 else ''} not from the demo demo data; "
            f"the demo shop was added alongside them {how}."
        )
    parts.extend(note[0].upper() + note[1:] + "." for note in demo.notes)
    return " ".join(parts)

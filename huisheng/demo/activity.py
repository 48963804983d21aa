"""Seeds what customers did in the demo shop: reviews, chats with the bot, CSAT, and handovers to staff."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from crm_store.enums import (
    Channel,
    EscalationStatus,
    MessageDirection,
    MessageSender,
    OrderStatus,
    SentimentLabel,
    StaffRole,
)
from crm_store.models import Conversation, Order, StaffUser
from huisheng.demo import dialogues, review_text
from huisheng.demo.dialogues import Script
from huisheng.demo.shop import DEMO_ACTOR, DemoCustomer, DemoShop
from huisheng.services import conversations, csat, escalations, reviews
from huisheng.services.audit import Actor

REVIEWABLE = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.REFUND_REQUESTED, OrderStatus.REFUNDED}
)
UNHAPPY = frozenset({OrderStatus.REFUND_REQUESTED, OrderStatus.REFUNDED})
SHOP_REVIEW_SOURCE = "shop"
MARKETPLACE_SOURCE = "tmall"


def seed_reviews(shop: DemoShop) -> None:
    """Reviews of delivered orders plus some imported marketplace ones, stored unanalysed."""
    rng, number = shop.rng, 0
    for demo in shop.customers:
        for order in demo.orders:
            if order.status not in REVIEWABLE or order.delivered_at is None or rng.random() > 0.75:
                continue
            # A review follows its delivery by hours to days; one that would come after seeding is not
            # written yet (clamping it to now would pile recent orders' reviews onto the last day).
            reviewed_at = order.delivered_at + timedelta(hours=rng.uniform(2, 240))
            if reviewed_at > shop.now:
                continue
            item = rng.choice(order.items)
            product = shop.product(item["sku"])
            draft = review_text.write_review(
                rng,
                category=product.category,
                product_name=product.short_name,
                tone=review_text.pick_tone(rng, unhappy_order=order.status in UNHAPPY),
            )
            number += 1
            review = reviews.store_review(
                shop.session,
                source=SHOP_REVIEW_SOURCE,
                external_id=f"demo-r{number:05d}",
                text=draft.text,
                customer_id=demo.customer.id,
                order_no=order.order_no,
                product_sku=product.sku,
                rating=draft.rating,
            )
            if draft.rating <= 2:
                shop.complaints[demo.customer.id] += 1
            review.created_at = reviewed_at  # store_review has no way to say when
    imported = max(3, len(shop.customers) // 6)
    for index in range(imported):
        product = rng.choice(shop.products)
        draft = review_text.write_review(
            rng, category=product.category, product_name=product.short_name, tone=review_text.pick_tone(rng)
        )
        review = reviews.store_review(
            shop.session,
            source=MARKETPLACE_SOURCE,
            external_id=f"demo-tm{index + 1:05d}",
            text=draft.text,
            product_sku=product.sku,
            rating=draft.rating,
        )
        review.created_at = shop.now - timedelta(days=rng.uniform(0, 90))
    shop.counts["reviews"] = number + imported


def seed_conversations(shop: DemoShop) -> None:
    """Closed chats (most rated), then a few customers still waiting for a person, two already picked up."""
    rng = shop.rng
    for demo in rng.sample(shop.customers, max(3, len(shop.customers) // 5)):
        script, order = _script_for(rng, demo, dialogues.CLOSED_SCRIPTS)
        started = shop.now - timedelta(hours=rng.uniform(1, 60 * 24))
        conversation = _play(shop, demo, script, order, started)
        ended = conversation.last_message_at + timedelta(minutes=rng.uniform(1, 5))
        conversations.close_conversation(shop.session, conversation_id=conversation.id)
        conversation.ended_at = ended
        shop.counts["conversations.closed"] += 1
        if rng.random() < 0.6:
            score = rng.choices(list(dialogues.CSAT_WEIGHTS), weights=list(dialogues.CSAT_WEIGHTS.values()))[
                0
            ]
            csat.record_csat(
                shop.session,
                conversation_id=conversation.id,
                score=score,
                comment=rng.choice(dialogues.CSAT_COMMENTS[score]) or None,
            )
            conversation.csat_at = ended + timedelta(seconds=rng.uniform(5, 90))
            shop.counts["csat"] += 1
    agents = [u for u in shop.staff if u.role is StaffRole.AGENT]
    # The well-known visitor and WeChat user must find the bot, not a conversation waiting for staff.
    others = [d for d in shop.customers if not d.well_known]
    waiting = rng.sample(others, min(len(others), max(3, len(shop.customers) // 40)))
    for index, demo in enumerate(waiting):
        script, order = _script_for(rng, demo, dialogues.WAITING_SCRIPTS)
        started = shop.now - timedelta(minutes=rng.uniform(3, 40))
        conversation = _play(shop, demo, script, order, started)
        escalation = conversations.hand_over(
            shop.session,
            conversation_id=conversation.id,
            reason=script.handover_reason or "customer_request",
            actor=DEMO_ACTOR,
            sla_hours=shop.sla_hours,
        )
        shop.counts["escalations"] += 1
        if index < max(1, len(waiting) // 3) and agents:
            agent = agents[index % len(agents)]
            # Taking over assigns the handoff case to the agent too.
            conversations.take_over(
                shop.session, conversation_id=conversation.id, staff_id=agent.id, actor=staff_actor(agent)
            )
            escalations.transition(
                shop.session,
                escalation_id=escalation.id,
                to_status=EscalationStatus.IN_PROGRESS,
                actor=staff_actor(agent),
                note="已接入会话",
            )
            shop.counts["conversations.with_staff"] += 1
        else:
            shop.counts["conversations.waiting"] += 1


def _script_for(
    rng: random.Random, demo: DemoCustomer, scripts: tuple[Script, ...]
) -> tuple[Script, Order | None]:
    """A script this customer's orders can back (the order it talks about), else one needing no order."""
    script = rng.choice(scripts)
    wanted = {
        "shipped": lambda o: o.tracking_no is not None and o.status is OrderStatus.SHIPPED,
        "unshipped": lambda o: o.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
        "refund": lambda o: o.status in UNHAPPY or o.status is OrderStatus.DELIVERED,
    }
    if script.needs == "none":
        return script, None
    matching = [o for o in demo.orders if wanted[script.needs](o)]
    if matching:
        return script, rng.choice(matching)
    return rng.choice([s for s in scripts if s.needs == "none"]), None


def _play(
    shop: DemoShop, demo: DemoCustomer, script: Script, order: Order | None, started: datetime
) -> Conversation:
    rng = shop.rng
    channel = rng.choice(demo.channels) if demo.channels else Channel.WEB
    conversation = conversations.current_conversation(
        shop.session, customer_id=demo.customer.id, channel=channel
    )
    conversation.started_at = started
    slots = {
        "order_no": order.order_no if order else "",
        "carrier": (order.carrier or "") if order else "",
        "tracking_no": (order.tracking_no or "") if order else "",
        "product": rng.choice(shop.products).short_name,
    }
    at = started
    for number, turn in enumerate(script.lines):
        at += timedelta(seconds=rng.uniform(3, 8) if not turn.customer else rng.uniform(10, 90))
        label = turn.sentiment
        conversations.record_message(
            shop.session,
            conversation_id=conversation.id,
            direction=MessageDirection.INBOUND if turn.customer else MessageDirection.OUTBOUND,
            sender=MessageSender.CUSTOMER if turn.customer else MessageSender.BOT,
            text=turn.text.format(**slots),
            external_id=f"demo-{conversation.id}-{number}",
            intent=turn.intent,
            intent_confidence=round(rng.uniform(0.72, 0.99), 3) if turn.customer else None,
            sentiment_label=label,
            sentiment_score=_sentiment_score(rng, label) if label else None,
            at=min(at, shop.now),
        )
    shop.counts["messages"] += len(script.lines)
    return conversation


def _sentiment_score(rng: random.Random, label: SentimentLabel) -> float:
    # The store keeps the probability that the text is positive.
    low, high = {
        SentimentLabel.POSITIVE: (0.75, 0.98),
        SentimentLabel.NEUTRAL: (0.4, 0.65),
        SentimentLabel.NEGATIVE: (0.04, 0.35),
    }[label]
    return round(rng.uniform(low, high), 3)


def staff_actor(user: StaffUser) -> Actor:
    return Actor.staff(user.id, user.username)

"""Seeds the staff side: escalations at every stage, with believable times, and the customer tags."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from crm_store.enums import (
    CustomerTier,
    EscalationCategory,
    EscalationEventKind,
    EscalationStatus,
    OrderStatus,
    SentimentLabel,
    StaffRole,
)
from crm_store.models import Escalation, Order, StaffUser
from huisheng.demo import dialogues
from huisheng.demo.activity import staff_actor
from huisheng.demo.shop import DEMO_ACTOR, DemoCustomer, DemoShop
from huisheng.services import escalations, tags

S = EscalationStatus
# The stages the demo queue shows, cycled: mostly open work, some finished.
STATUS_PLAN = (
    S.NEW,
    S.ASSIGNED,
    S.IN_PROGRESS,
    S.RESOLVED,
    S.NEW,
    S.IN_PROGRESS,
    S.CLOSED,
    S.ASSIGNED,
    S.RESOLVED,
)
CATEGORY_PLAN = (EscalationCategory.COMPLAINT, EscalationCategory.REFUND, EscalationCategory.LOGISTICS)
# How long ago (hours) a case in each final status was opened.
OPENED_HOURS_AGO: dict[EscalationStatus, tuple[float, float]] = {
    S.NEW: (0.2, 30),
    S.ASSIGNED: (1, 40),
    S.IN_PROGRESS: (2, 60),
    S.RESOLVED: (24, 240),
    S.CLOSED: (72, 720),
}
_STATUS_FIELD = {
    S.ASSIGNED: "assigned_at",
    S.IN_PROGRESS: "in_progress_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
}
LOYAL_AFTER_ORDERS = 4


def seed_escalations(shop: DemoShop) -> None:
    """Complaints, refunds and logistics cases opened by the system, moved along by staff."""
    rng = shop.rng
    agents = [u for u in shop.staff if u.role is StaffRole.AGENT]
    lead = next((u for u in shop.staff if u.role is StaffRole.SUPERVISOR), None)
    subjects = [d for d in shop.customers if not d.well_known]
    for index in range(max(4, len(shop.customers) // 20)):
        category = CATEGORY_PLAN[index % len(CATEGORY_PLAN)]
        target = STATUS_PLAN[index % len(STATUS_PLAN)]
        demo, order = _subject(rng, subjects, category)
        escalation = _open(shop, demo, order, category)
        if target is not S.NEW and agents and lead is not None:
            _work_on(shop, escalation, target, agent=rng.choice(agents), lead=lead)
        _retime(shop, escalation, target)
        if category is EscalationCategory.COMPLAINT:
            shop.complaints[demo.customer.id] += 2
        shop.counts["escalations"] += 1


def _subject(
    rng: random.Random, customers: list[DemoCustomer], category: EscalationCategory
) -> tuple[DemoCustomer, Order | None]:
    """A customer (and order) the case can be about: refunds need a refund, logistics a parcel."""
    if category is EscalationCategory.REFUND:
        wanted = {OrderStatus.REFUND_REQUESTED}
    elif category is EscalationCategory.LOGISTICS:
        wanted = {OrderStatus.SHIPPED, OrderStatus.DELIVERED}
    else:
        return rng.choice(customers), None
    candidates = [(d, o) for d in customers for o in d.orders if o.status in wanted]
    return rng.choice(candidates) if candidates else (rng.choice(customers), None)


def _open(
    shop: DemoShop, demo: DemoCustomer, order: Order | None, category: EscalationCategory
) -> Escalation:
    rng = shop.rng
    product = rng.choice(shop.products)
    if order is not None:
        product = shop.product(rng.choice(order.items)["sku"])
    texts = dialogues.ESCALATION_TEXTS[category]
    if order is None:
        texts = (
            tuple(t for t in texts if "{order_no}" not in t)
            or dialogues.ESCALATION_TEXTS[EscalationCategory.COMPLAINT]
        )
    text = rng.choice(texts).format(
        product=product.short_name,
        order_no=order.order_no if order else "",
        carrier=(order.carrier or "快递") if order else "",
        tracking_no=(order.tracking_no or "") if order else "",
    )
    negative = rng.random() < 0.8
    return escalations.open_escalation(
        shop.session,
        customer_id=demo.customer.id,
        category=category,
        description=text,
        order_no=order.order_no if order else None,
        contact_phone=demo.customer.phone,
        sentiment_label=SentimentLabel.NEGATIVE if negative else SentimentLabel.NEUTRAL,
        sentiment_score=round(rng.uniform(0.04, 0.35) if negative else rng.uniform(0.4, 0.6), 3),
        sla_hours=shop.sla_hours,
        actor=DEMO_ACTOR,
    )


def _work_on(
    shop: DemoShop, escalation: Escalation, target: EscalationStatus, *, agent: StaffUser, lead: StaffUser
) -> None:
    session, rng = shop.session, shop.rng
    escalations.assign(session, escalation_id=escalation.id, assignee_id=agent.id, actor=staff_actor(lead))
    if target is S.ASSIGNED:
        return
    escalations.transition(
        session, escalation_id=escalation.id, to_status=S.IN_PROGRESS, actor=staff_actor(agent)
    )
    if target is S.IN_PROGRESS:
        return
    escalations.resolve(
        session,
        escalation_id=escalation.id,
        resolution=rng.choice(dialogues.RESOLUTIONS),
        actor=staff_actor(agent),
    )
    if target is S.CLOSED:
        escalations.transition(
            session, escalation_id=escalation.id, to_status=S.CLOSED, actor=staff_actor(lead)
        )


def _retime(shop: DemoShop, escalation: Escalation, target: EscalationStatus) -> None:
    """Moves a case opened a moment ago back in time, spacing its steps out and keeping their order.

    open_escalation/assign/transition stamp `now`; a demo queue needs cases that are hours or days old,
    some of them past their SLA.
    """
    rng, now = shop.rng, shop.now
    low, high = OPENED_HOURS_AGO[target]
    opened = now - timedelta(hours=rng.uniform(low, high))
    escalation.created_at = opened
    escalation.sla_due_at = escalations.sla_due(opened, escalation.priority, shop.sla_hours)
    moment = opened
    previous_kind: EscalationEventKind | None = None
    for event in escalation.events:
        follows_assignment = previous_kind is EscalationEventKind.ASSIGNED and event.to_status is S.ASSIGNED
        if event.kind is not EscalationEventKind.CREATED and not follows_assignment:
            moment = _later(rng, moment, now)
        event.created_at = moment
        if event.kind is EscalationEventKind.STATUS_CHANGED and event.to_status in _STATUS_FIELD:
            setattr(escalation, _STATUS_FIELD[event.to_status], moment)
        previous_kind = event.kind
    escalation.updated_at = moment


def _later(rng: random.Random, moment: datetime, now: datetime) -> datetime:
    # A share of the time that is left, so later steps always fit before now.
    return moment + (now - moment) * rng.uniform(0.1, 0.4)


def seed_tags(shop: DemoShop) -> None:
    """VIP, 老客户, 批发 and 易投诉, each given for a reason visible in the data."""
    for demo in shop.customers:
        labels = []
        if demo.customer.tier is CustomerTier.VIP:
            labels.append("VIP")
        if len(demo.orders) >= LOYAL_AFTER_ORDERS:
            labels.append("老客户")
        if demo.wholesale:
            labels.append("批发")
        if shop.complaints[demo.customer.id] >= 2:
            labels.append("易投诉")
        for label in labels:
            tags.tag_customer(shop.session, customer_id=demo.customer.id, tag=label, actor=DEMO_ACTOR)
            shop.counts[f"tag.{label}"] += 1

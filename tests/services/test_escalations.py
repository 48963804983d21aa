"""Escalations: priority and SLA on opening, the status machine, and the history it leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from crm_store.enums import (
    CustomerTier,
    EscalationCategory,
    EscalationEventKind,
    EscalationStatus,
    Priority,
    SentimentLabel,
    StaffRole,
)
from crm_store.models import Escalation
from huisheng.errors import InvalidInputError, NotFoundError
from huisheng.services import escalations
from huisheng.services.audit import Actor
from tests.factories import make_customer, make_order, make_staff, row_counts

S = EscalationStatus


def _open(session: Session, **overrides: object) -> Escalation:
    customer = overrides.pop("customer", None) or make_customer(session)
    arguments: dict[str, object] = {
        "customer_id": customer.id,  # type: ignore[attr-defined]
        "category": EscalationCategory.COMPLAINT,
        "description": "耳机左边没声音",
    }
    arguments.update(overrides)
    return escalations.open_escalation(session, **arguments)  # type: ignore[arg-type]


def _staff_actor(session: Session) -> tuple[int, Actor]:
    user = make_staff(session, role=StaffRole.AGENT)
    return user.id, Actor.staff(user.id, user.username)


def test_a_new_escalation_gets_a_ticket_number_status_new_and_a_created_event(session: Session) -> None:
    escalation = _open(session)
    assert escalation.ticket_no.startswith("HS") and escalation.ticket_no.endswith(f"{escalation.id:06d}")
    assert escalation.status is S.NEW
    assert [e.kind for e in escalation.events] == [EscalationEventKind.CREATED]


def test_the_sla_deadline_follows_the_priority(session: Session) -> None:
    escalation = _open(
        session, priority=Priority.HIGH, sla_hours={"urgent": 1, "high": 4, "normal": 24, "low": 72}
    )
    assert escalation.sla_due_at - escalation.created_at == timedelta(hours=4)


@pytest.mark.parametrize(
    ("label", "score", "tier", "expected"),
    [
        (None, None, CustomerTier.REGULAR, Priority.NORMAL),
        (SentimentLabel.NEGATIVE, 0.3, CustomerTier.REGULAR, Priority.HIGH),
        (SentimentLabel.NEGATIVE, 0.02, CustomerTier.REGULAR, Priority.URGENT),
        (SentimentLabel.POSITIVE, 0.9, CustomerTier.VIP, Priority.HIGH),
        (SentimentLabel.NEGATIVE, 0.01, CustomerTier.VIP, Priority.URGENT),
    ],
)
def test_complaint_priority_rises_with_anger_and_customer_value(
    label: SentimentLabel | None, score: float | None, tier: CustomerTier, expected: Priority
) -> None:
    assert (
        escalations.derive_priority(
            category=EscalationCategory.COMPLAINT, sentiment_label=label, sentiment_score=score, tier=tier
        )
        is expected
    )


def test_the_full_lifecycle_stamps_each_transition_and_records_who_did_it(session: Session) -> None:
    escalation = _open(session)
    staff_id, actor = _staff_actor(session)
    escalations.assign(session, escalation_id=escalation.id, assignee_id=staff_id, actor=actor)
    escalations.transition(session, escalation_id=escalation.id, to_status=S.IN_PROGRESS, actor=actor)
    escalations.resolve(session, escalation_id=escalation.id, resolution="补发新耳机", actor=actor)
    escalations.transition(session, escalation_id=escalation.id, to_status=S.CLOSED, actor=actor)

    assert escalation.status is S.CLOSED
    stamps = [escalation.assigned_at, escalation.in_progress_at, escalation.resolved_at, escalation.closed_at]
    assert all(stamps) and stamps == sorted(stamps)  # type: ignore[type-var]
    moves = [
        (e.from_status, e.to_status)
        for e in escalation.events
        if e.kind is EscalationEventKind.STATUS_CHANGED
    ]
    assert moves == [
        (S.NEW, S.ASSIGNED),
        (S.ASSIGNED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
    ]
    assert {e.actor_id for e in escalation.events if e.kind is not EscalationEventKind.CREATED} == {staff_id}
    assert escalation.resolution == "补发新耳机"


def test_an_illegal_transition_is_a_clear_error_and_changes_nothing(session: Session) -> None:
    escalation = _open(session)
    _, actor = _staff_actor(session)
    before = row_counts(session)
    with pytest.raises(InvalidInputError, match="cannot go from new to resolved") as refused:
        escalations.transition(
            session, escalation_id=escalation.id, to_status=S.RESOLVED, actor=actor, resolution="x"
        )
    assert refused.value.code == "illegal_transition"
    assert escalation.status is S.NEW and escalation.resolved_at is None
    assert row_counts(session) == before


def test_a_closed_escalation_cannot_move_any_more(session: Session) -> None:
    escalation = _open(session)
    _, actor = _staff_actor(session)
    escalations.transition(
        session, escalation_id=escalation.id, to_status=S.CLOSED, actor=actor, resolution="重复工单"
    )
    with pytest.raises(InvalidInputError, match=r"allowed: none"):
        escalations.transition(session, escalation_id=escalation.id, to_status=S.IN_PROGRESS, actor=actor)


def test_resolving_needs_a_resolution(session: Session) -> None:
    escalation = _open(session)
    staff_id, actor = _staff_actor(session)
    escalations.assign(session, escalation_id=escalation.id, assignee_id=staff_id, actor=actor)
    escalations.transition(session, escalation_id=escalation.id, to_status=S.IN_PROGRESS, actor=actor)
    with pytest.raises(InvalidInputError, match="needs a resolution"):
        escalations.transition(session, escalation_id=escalation.id, to_status=S.RESOLVED, actor=actor)
    assert escalation.status is S.IN_PROGRESS


def test_a_resolved_escalation_can_be_reopened(session: Session) -> None:
    escalation = _open(session)
    staff_id, actor = _staff_actor(session)
    escalations.assign(session, escalation_id=escalation.id, assignee_id=staff_id, actor=actor)
    escalations.transition(session, escalation_id=escalation.id, to_status=S.IN_PROGRESS, actor=actor)
    escalations.resolve(session, escalation_id=escalation.id, resolution="已退款", actor=actor)
    escalations.transition(
        session, escalation_id=escalation.id, to_status=S.IN_PROGRESS, actor=actor, note="顾客说没收到退款"
    )
    assert escalation.status is S.IN_PROGRESS and escalation.resolved_at is None


def test_assigning_to_an_unknown_staff_member_is_not_found(session: Session) -> None:
    escalation = _open(session)
    _, actor = _staff_actor(session)
    with pytest.raises(NotFoundError, match="staff user 424242"):
        escalations.assign(session, escalation_id=escalation.id, assignee_id=424242, actor=actor)
    assert escalation.status is S.NEW and escalation.assignee_id is None


def test_an_escalation_for_someone_elses_order_is_refused(session: Session) -> None:
    owner = make_customer(session)
    order = make_order(session, customer=owner)
    stranger = make_customer(session)
    before = row_counts(session)
    with pytest.raises(NotFoundError):
        _open(session, customer=stranger, order_no=order.order_no)
    assert row_counts(session) == before


def test_an_over_long_description_is_refused_and_nothing_is_stored(session: Session) -> None:
    customer = make_customer(session)
    before = row_counts(session)
    with pytest.raises(InvalidInputError, match="limit is 4000"):
        _open(session, customer=customer, description="差" * 4001)
    assert row_counts(session) == before


def test_the_queue_lists_urgent_work_first(session: Session) -> None:
    low = _open(session, priority=Priority.LOW)
    urgent = _open(session, priority=Priority.URGENT)
    normal = _open(session, priority=Priority.NORMAL)
    assert [e.id for e in escalations.queue(session)] == [urgent.id, normal.id, low.id]

"""The escalation queue staff work from: open cases by urgency and SLA deadline, filtered in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from crm_store.base import utcnow
from crm_store.enums import Channel, EscalationCategory, EscalationStatus, Priority, SentimentLabel
from crm_store.models import Conversation, Customer, Escalation, StaffUser, Tag, escalation_tags
from huisheng.services.escalations import OPEN_STATUSES

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])
# Most urgent first; the ladder in escalations.py runs the other way.
_URGENCY = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class SlaState(StrEnum):
    BREACHED = "breached"
    NEAR = "near"
    OK = "ok"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    statuses: frozenset[EscalationStatus] = OPEN_STATUSES
    channel: Channel | None = None
    category: EscalationCategory | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    tag: str | None = None
    # Set to the viewer's id for "mine".
    mine_of: int | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    ticket_no: str
    version: int
    category: EscalationCategory
    priority: Priority
    status: EscalationStatus
    customer_id: int
    customer_name: str | None
    channel: Channel | None
    assignee_id: int | None
    assignee_name: str | None
    description: str
    sentiment_label: SentimentLabel | None
    sentiment_score: float | None
    created_at: datetime
    sla_due_at: datetime
    sla_state: SlaState
    # Negative once breached.
    minutes_left: int
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    page_size: int
    breached: int
    near: int
    # The newest case in the whole queue, so a page can tell that a new one arrived.
    newest_id: int | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def sla_state(
    due: datetime, status: EscalationStatus, *, now: datetime, warning: timedelta
) -> tuple[SlaState, int]:
    minutes = int((due - now).total_seconds() // 60)
    if status not in OPEN_STATUSES:
        return SlaState.DONE, minutes
    if due <= now:
        return SlaState.BREACHED, minutes
    if due - now <= warning:
        return SlaState.NEAR, minutes
    return SlaState.OK, minutes


def _filtered(query: _Query, filters: QueueFilter) -> _Query:
    query = query.where(Escalation.status.in_(filters.statuses))
    if filters.category is not None:
        query = query.where(Escalation.category == filters.category)
    if filters.mine_of is not None:
        query = query.where(Escalation.assignee_id == filters.mine_of)
    elif filters.unassigned:
        query = query.where(Escalation.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        query = query.where(Escalation.assignee_id == filters.assignee_id)
    if filters.channel is not None:
        query = query.where(
            Escalation.conversation_id.in_(
                select(Conversation.id).where(Conversation.channel == filters.channel)
            )
        )
    if filters.tag:
        query = query.where(
            Escalation.id.in_(
                select(escalation_tags.c.escalation_id)
                .join(Tag, Tag.id == escalation_tags.c.tag_id)
                .where(Tag.name == filters.tag)
            )
        )
    return query


def queue_page(
    session: Session,
    *,
    filters: QueueFilter,
    warning: timedelta,
    page: int = 1,
    page_size: int = 50,
    now: datetime | None = None,
) -> QueuePage:
    now = now or utcnow()
    page = max(1, page)
    urgency = case(_URGENCY, value=Escalation.priority)
    counted = _filtered(select(Escalation.id), filters).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    open_only = Escalation.status.in_(OPEN_STATUSES)
    breached, near = session.execute(
        _filtered(
            select(
                func.coalesce(func.sum(case((open_only & (Escalation.sla_due_at <= now), 1), else_=0)), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                open_only
                                & (Escalation.sla_due_at > now)
                                & (Escalation.sla_due_at <= now + warning),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
            ),
            filters,
        )
    ).one()
    assignee = aliased(StaffUser)
    rows = session.execute(
        _filtered(
            select(Escalation, Customer.name, Conversation.channel, assignee.display_name)
            .join(Customer, Customer.id == Escalation.customer_id)
            .outerjoin(Conversation, Conversation.id == Escalation.conversation_id)
            .outerjoin(assignee, assignee.id == Escalation.assignee_id)
            .options(selectinload(Escalation.tags)),
            filters,
        )
        .order_by(urgency, Escalation.sla_due_at, Escalation.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    newest_id = session.scalar(select(func.max(Escalation.id)).where(open_only))
    return QueuePage(
        rows=[_row(e, name, channel, staff_name, now, warning) for e, name, channel, staff_name in rows],
        total=total,
        page=page,
        page_size=page_size,
        breached=int(breached),
        near=int(near),
        newest_id=newest_id,
    )


def _row(
    escalation: Escalation,
    customer_name: str | None,
    channel: Channel | None,
    assignee_name: str | None,
    now: datetime,
    warning: timedelta,
) -> QueueRow:
    state, minutes = sla_state(escalation.sla_due_at, escalation.status, now=now, warning=warning)
    return QueueRow(
        id=escalation.id,
        ticket_no=escalation.ticket_no,
        version=escalation.version,
        category=escalation.category,
        priority=escalation.priority,
        status=escalation.status,
        customer_id=escalation.customer_id,
        customer_name=customer_name,
        channel=channel,
        assignee_id=escalation.assignee_id,
        assignee_name=assignee_name,
        description=escalation.description,
        sentiment_label=escalation.sentiment_label,
        sentiment_score=escalation.sentiment_score,
        created_at=escalation.created_at,
        sla_due_at=escalation.sla_due_at,
        sla_state=state,
        minutes_left=minutes,
        tags=[t.name for t in escalation.tags],
    )


def new_since(session: Session, *, after_id: int) -> int:
    """How many open cases arrived after the one a page saw last."""
    return (
        session.scalar(
            select(func.count(Escalation.id)).where(
                Escalation.id > after_id, Escalation.status.in_(OPEN_STATUSES)
            )
        )
        or 0
    )


def workload(session: Session, *, now: datetime | None = None) -> Sequence[tuple[StaffUser, int, int]]:
    """Each active staff member with their open cases and how many of those are past their SLA."""
    now = now or utcnow()
    open_cases = func.count(Escalation.id)
    breached = func.coalesce(func.sum(case((Escalation.sla_due_at <= now, 1), else_=0)), 0)
    rows = session.execute(
        select(StaffUser, open_cases, breached)
        .outerjoin(
            Escalation,
            (Escalation.assignee_id == StaffUser.id) & Escalation.status.in_(OPEN_STATUSES),
        )
        .where(StaffUser.is_active.is_(True))
        .group_by(StaffUser.id)
        .order_by(open_cases.desc(), StaffUser.username)
    ).all()
    return [(user, int(count), int(late)) for user, count, late in rows]

"""The staff queue: most urgent first then by SLA deadline, breaches and near-breaches counted, filtered in SQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import Channel, EscalationCategory, EscalationStatus, Priority, StaffRole
from crm_store.models import Escalation
from huisheng.services import case_queue, case_work, tags
from huisheng.services.case_queue import QueueFilter, SlaState
from tests.factories import make_case, make_staff

WARNING = timedelta(minutes=60)


def _ids(session: Session, filters: QueueFilter | None = None, **kwargs: int) -> list[int]:
    page = case_queue.queue_page(session, filters=filters or QueueFilter(), warning=WARNING, **kwargs)
    return [row.id for row in page.rows]


def _due_in(case: Escalation, minutes: float) -> Escalation:
    case.sla_due_at = utcnow() + timedelta(minutes=minutes)
    return case


def test_cases_come_by_priority_then_by_deadline(session: Session) -> None:
    low = _due_in(make_case(session, priority=Priority.LOW), 10)
    urgent_later = _due_in(make_case(session, priority=Priority.URGENT), 90)
    normal = _due_in(make_case(session, priority=Priority.NORMAL), 5)
    urgent_sooner = _due_in(make_case(session, priority=Priority.URGENT), 30)
    high = _due_in(make_case(session, priority=Priority.HIGH), 600)
    session.flush()
    assert _ids(session) == [urgent_sooner.id, urgent_later.id, high.id, normal.id, low.id]


def test_breached_and_near_cases_are_marked_with_the_minutes_left(session: Session) -> None:
    breached = _due_in(make_case(session), -30)
    near = _due_in(make_case(session), 20)
    fine = _due_in(make_case(session), 300)
    session.flush()
    page = case_queue.queue_page(session, filters=QueueFilter(), warning=WARNING)
    rows = {row.id: row for row in page.rows}
    assert rows[breached.id].sla_state is SlaState.BREACHED and rows[breached.id].minutes_left < 0
    assert rows[near.id].sla_state is SlaState.NEAR and 0 <= rows[near.id].minutes_left <= 20
    assert rows[fine.id].sla_state is SlaState.OK
    assert (page.breached, page.near, page.total) == (1, 1, 3)


def test_a_resolved_case_is_done_whatever_its_deadline(session: Session) -> None:
    case = _due_in(make_case(session), -30)
    case_work.resolve(
        session,
        escalation_id=case.id,
        staff=make_staff(session),
        version=case.version,
        reason="solved",
        resolution="好了",
    )
    page = case_queue.queue_page(
        session, filters=QueueFilter(statuses=frozenset({EscalationStatus.RESOLVED})), warning=WARNING
    )
    assert [(r.id, r.sla_state) for r in page.rows] == [(case.id, SlaState.DONE)] and page.breached == 0


def test_the_queue_holds_open_cases_only_by_default(session: Session) -> None:
    open_case, done = make_case(session), make_case(session)
    case_work.resolve(
        session,
        escalation_id=done.id,
        staff=make_staff(session),
        version=done.version,
        reason="solved",
        resolution="好了",
    )
    assert _ids(session) == [open_case.id]


def test_the_status_filter(session: Session) -> None:
    new, claimed = make_case(session), make_case(session)
    case_work.claim(session, escalation_id=claimed.id, staff=make_staff(session), version=claimed.version)
    assert _ids(session, QueueFilter(statuses=frozenset({EscalationStatus.NEW}))) == [new.id]


def test_the_channel_filter(session: Session) -> None:
    make_case(session, channel=Channel.WEB)
    on_wechat = make_case(session, channel=Channel.WECHAT)
    assert _ids(session, QueueFilter(channel=Channel.WECHAT)) == [on_wechat.id]


def test_the_category_filter(session: Session) -> None:
    make_case(session, category=EscalationCategory.COMPLAINT)
    refund = make_case(session, category=EscalationCategory.REFUND)
    assert _ids(session, QueueFilter(category=EscalationCategory.REFUND)) == [refund.id]


def test_the_assignee_filter(session: Session) -> None:
    mine, theirs = make_case(session), make_case(session)
    me, them = make_staff(session), make_staff(session)
    case_work.claim(session, escalation_id=mine.id, staff=me, version=mine.version)
    case_work.claim(session, escalation_id=theirs.id, staff=them, version=theirs.version)
    assert _ids(session, QueueFilter(assignee_id=them.id)) == [theirs.id]


def test_the_unassigned_filter(session: Session) -> None:
    free, taken = make_case(session), make_case(session)
    case_work.claim(session, escalation_id=taken.id, staff=make_staff(session), version=taken.version)
    assert _ids(session, QueueFilter(unassigned=True)) == [free.id]


def test_the_mine_filter(session: Session) -> None:
    mine = make_case(session)
    make_case(session)
    me = make_staff(session)
    case_work.claim(session, escalation_id=mine.id, staff=me, version=mine.version)
    assert _ids(session, QueueFilter(mine_of=me.id)) == [mine.id]


def test_the_tag_filter(session: Session) -> None:
    tagged = make_case(session)
    make_case(session)
    tags.tag_escalation(session, escalation_id=tagged.id, tag="易怒")
    assert _ids(session, QueueFilter(tag="易怒")) == [tagged.id]


def test_pages_split_the_queue_and_keep_the_total(session: Session) -> None:
    cases = [_due_in(make_case(session), n) for n in range(5)]
    session.flush()
    page = case_queue.queue_page(session, filters=QueueFilter(), warning=WARNING, page=2, page_size=2)
    assert [r.id for r in page.rows] == [cases[2].id, cases[3].id]
    assert (page.total, page.pages) == (5, 3)


def test_newest_id_names_the_latest_open_case_whatever_the_filter(session: Session) -> None:
    make_case(session, category=EscalationCategory.REFUND)
    latest = make_case(session)
    page = case_queue.queue_page(
        session, filters=QueueFilter(category=EscalationCategory.REFUND), warning=WARNING
    )
    assert page.newest_id == latest.id
    assert case_queue.new_since(session, after_id=latest.id - 1) == 1


def test_workload_counts_open_and_breached_cases_per_person(session: Session) -> None:
    busy, idle = make_staff(session), make_staff(session, role=StaffRole.SUPERVISOR)
    late, on_time = _due_in(make_case(session), 60), _due_in(make_case(session), 600)
    for case in (late, on_time):
        case_work.claim(session, escalation_id=case.id, staff=busy, version=case.version)
    late.sla_due_at = utcnow() - timedelta(minutes=1)
    session.flush()
    counts = {user.id: (open_cases, breached) for user, open_cases, breached in case_queue.workload(session)}
    assert counts[busy.id] == (2, 1) and counts[idle.id] == (0, 0)

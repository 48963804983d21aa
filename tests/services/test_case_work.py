"""Staff changing a case: each change names the version it saw, and a stale one is refused, not applied."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store import migrate
from crm_store.enums import EscalationEventKind, EscalationStatus, ResolutionReason, StaffRole
from crm_store.models import AuditEntry, Escalation, StaffUser
from huisheng.errors import ConflictError, InvalidInputError, PermissionDeniedError
from huisheng.runtime import Runtime
from huisheng.services import case_work
from huisheng.services.case_work import BulkItem
from huisheng.settings import load_settings
from tests.conftest import fresh_database_url, postgres_url
from tests.factories import make_case, make_staff, row_counts

S = EscalationStatus


def test_claiming_a_free_case_assigns_it_and_bumps_the_version(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    seen = case.version
    claimed = case_work.claim(session, escalation_id=case.id, staff=agent, version=seen)
    assert (claimed.assignee_id, claimed.status) == (agent.id, S.ASSIGNED) and claimed.version > seen


def test_a_change_on_a_stale_version_is_refused_with_both_versions(session: Session) -> None:
    case, first, second = make_case(session), make_staff(session), make_staff(session)
    seen = case.version
    case_work.claim(session, escalation_id=case.id, staff=first, version=seen)
    with pytest.raises(ConflictError) as refused:
        case_work.change_status(
            session, escalation_id=case.id, to_status=S.IN_PROGRESS, staff=second, version=seen
        )
    assert refused.value.code == "stale_version"
    assert refused.value.details == {"current_version": case.version, "your_version": seen}
    assert case.version > seen
    assert first.username in refused.value.message and "请查看最新内容" in refused.value.message
    assert case.status is S.ASSIGNED


def test_a_case_someone_holds_cannot_be_claimed(session: Session) -> None:
    case, holder, other = make_case(session), make_staff(session), make_staff(session)
    case_work.claim(session, escalation_id=case.id, staff=holder, version=case.version)
    with pytest.raises(ConflictError) as refused:
        case_work.claim(session, escalation_id=case.id, staff=other, version=case.version)
    assert refused.value.code == "already_claimed" and case.assignee_id == holder.id


def test_claiming_your_own_case_again_changes_nothing(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    case_work.claim(session, escalation_id=case.id, staff=agent, version=case.version)
    claimed = case.version
    assert case_work.claim(session, escalation_id=case.id, staff=agent, version=claimed).version == claimed


def test_an_agent_may_not_assign(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    with pytest.raises(PermissionDeniedError):
        case_work.assign(
            session, escalation_id=case.id, assignee_id=agent.id, staff=agent, version=case.version
        )


def test_a_supervisor_reassigns_a_case_in_progress_without_moving_it_back(session: Session) -> None:
    case, agent, other = make_case(session), make_staff(session), make_staff(session)
    supervisor = make_staff(session, role=StaffRole.SUPERVISOR)
    case_work.claim(session, escalation_id=case.id, staff=agent, version=case.version)
    case_work.change_status(
        session, escalation_id=case.id, to_status=S.IN_PROGRESS, staff=agent, version=case.version
    )
    case_work.assign(
        session, escalation_id=case.id, assignee_id=other.id, staff=supervisor, version=case.version
    )
    assert (case.assignee_id, case.status) == (other.id, S.IN_PROGRESS)


def test_an_agent_may_not_change_a_case_assigned_to_someone_else(session: Session) -> None:
    case, holder, other = make_case(session), make_staff(session), make_staff(session)
    case_work.claim(session, escalation_id=case.id, staff=holder, version=case.version)
    with pytest.raises(PermissionDeniedError) as refused:
        case_work.change_status(
            session, escalation_id=case.id, to_status=S.IN_PROGRESS, staff=other, version=case.version
        )
    assert refused.value.code == "not_your_case"


def test_bulk_assign_reports_a_stale_case_and_assigns_the_rest(session: Session) -> None:
    fresh, stale = make_case(session), make_case(session)
    agent, supervisor = make_staff(session), make_staff(session, role=StaffRole.SUPERVISOR)
    outcomes = case_work.bulk_assign(
        session,
        items=[BulkItem(fresh.id, fresh.version), BulkItem(stale.id, stale.version - 1)],
        assignee_id=agent.id,
        staff=supervisor,
    )
    assert [(o.escalation_id, o.assigned, o.code) for o in outcomes] == [
        (fresh.id, True, None),
        (stale.id, False, "stale_version"),
    ]
    assert (fresh.assignee_id, stale.assignee_id, stale.status) == (agent.id, None, S.NEW)


def test_an_illegal_step_names_the_allowed_ones(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    with pytest.raises(InvalidInputError, match="可改为：已分配、已关闭") as refused:
        case_work.change_status(
            session, escalation_id=case.id, to_status=S.RESOLVED, staff=agent, version=case.version
        )
    assert refused.value.code == "illegal_transition"


def test_closing_a_new_case_needs_a_reason(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    with pytest.raises(InvalidInputError) as refused:
        case_work.change_status(
            session,
            escalation_id=case.id,
            to_status=S.CLOSED,
            staff=agent,
            version=case.version,
            resolution="重复提交",
        )
    assert refused.value.code == "reason_required"


def test_resolving_a_new_case_takes_it_through_the_legal_steps(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    resolved = case_work.resolve(
        session,
        escalation_id=case.id,
        staff=agent,
        version=case.version,
        reason=ResolutionReason.REPLACED,
        resolution="已补发新耳机",
    )
    steps = [e.to_status for e in resolved.events if e.kind is EscalationEventKind.STATUS_CHANGED]
    assert steps == [S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED]
    assert (resolved.assignee_id, resolved.resolution_reason, resolved.resolution) == (
        agent.id,
        ResolutionReason.REPLACED,
        "已补发新耳机",
    )


@pytest.mark.parametrize(
    ("reason", "resolution"), [("lucky", "已补发"), ("solved", "  "), ("solved", "好" * 4001)]
)
def test_a_bad_resolve_is_refused_before_any_step_is_taken(
    session: Session, reason: str, resolution: str
) -> None:
    case, agent = make_case(session), make_staff(session)
    seen = case.version
    before = row_counts(session)
    with pytest.raises(InvalidInputError):
        case_work.resolve(
            session, escalation_id=case.id, staff=agent, version=seen, reason=reason, resolution=resolution
        )
    assert row_counts(session) == before
    assert (case.status, case.assignee_id, case.version) == (S.NEW, None, seen)


def test_reopening_a_resolved_case_puts_it_back_in_progress_with_the_note(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    case_work.resolve(
        session,
        escalation_id=case.id,
        staff=agent,
        version=case.version,
        reason="solved",
        resolution="已处理",
    )
    reopened = case_work.reopen(
        session, escalation_id=case.id, staff=agent, version=case.version, note="客户说还是坏的"
    )
    assert (reopened.status, reopened.resolved_at) == (S.IN_PROGRESS, None)
    assert reopened.events[-1].note == "客户说还是坏的"


def test_a_note_is_an_event_and_a_new_version(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    seen = case.version
    event = case_work.add_note(session, escalation_id=case.id, staff=agent, text="客户下午三点后方便接电话")
    assert (event.kind, event.note, case.version) == (
        EscalationEventKind.NOTE,
        "客户下午三点后方便接电话",
        seen + 1,
    )


def test_tagging_twice_changes_the_case_once(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    seen = case.version
    case_work.add_tag(session, escalation_id=case.id, staff=agent, tag="易怒")
    case_work.add_tag(session, escalation_id=case.id, staff=agent, tag="易怒")
    assert ([t.name for t in case.tags], case.version) == (["易怒"], seen + 1)


def test_removing_a_tag_the_case_lacks_changes_nothing(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    seen = case.version
    before = row_counts(session)
    case_work.remove_tag(session, escalation_id=case.id, staff=agent, tag="VIP")
    assert row_counts(session) == before and case.version == seen


def test_removing_a_tag_is_audited(session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    case_work.add_tag(session, escalation_id=case.id, staff=agent, tag="VIP")
    case_work.remove_tag(session, escalation_id=case.id, staff=agent, tag="VIP")
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "escalation", AuditEntry.entity_id == case.id)
        .order_by(AuditEntry.id)
    ).all()
    assert (case.tags, actions[-1]) == ([], "escalation.untagged")


@pytest.mark.skipif(postgres_url() is None, reason="two write transactions open at once need PostgreSQL")
def test_two_sessions_racing_on_one_version_lose_one_change_loudly(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path, "case_race")
    migrate.upgrade(url)
    runtime = Runtime(load_settings(app={"environment": "test", "data_dir": tmp_path}, database={"url": url}))
    try:
        with runtime.session() as setup:
            case = make_case(setup)
            case_id, seen = case.id, case.version
            first_id, second_id = make_staff(setup).id, make_staff(setup).id

        def claim_as(staff_id: int) -> str:
            try:
                with runtime.session() as session:
                    staff = session.get_one(StaffUser, staff_id)
                    case_work.claim(session, escalation_id=case_id, staff=staff, version=seen)
            except ConflictError as error:
                return error.code
            return "claimed"

        with runtime.session_factory() as first:
            # The first request has written its change and holds the row; the second reads the same
            # version, passes the version check and waits on the row until the first commits.
            case_work.claim(
                first, escalation_id=case_id, staff=first.get_one(StaffUser, first_id), version=seen
            )
            with ThreadPoolExecutor(max_workers=1) as pool:
                second = pool.submit(claim_as, second_id)
                time.sleep(0.5)
                first.commit()
                outcome = second.result(timeout=30)
        assert outcome == "stale_version"
        with runtime.session() as check:
            assert check.get_one(Escalation, case_id).assignee_id == first_id
    finally:
        runtime.close()

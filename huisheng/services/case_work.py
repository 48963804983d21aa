"""Staff working a case: claim, assign, move it along its states, resolve with a reason, reopen, note, tag.

Every change names the version of the case its author saw. A change made on an older version is refused
with who changed the case since, so two people on one case never overwrite each other silently; the
version check in the UPDATE itself (the model's version_id_col) catches the race between two requests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm_store.base import utcnow
from crm_store.enums import EscalationCategory, EscalationStatus, Priority, ResolutionReason, StaffRole
from crm_store.models import Escalation, EscalationEvent, StaffUser
from huisheng.errors import ConflictError, HuishengError, InvalidInputError, PermissionDeniedError
from huisheng.labels import RESOLUTION_LABELS, STATUS_LABELS
from huisheng.services import audit, escalations, tags
from huisheng.services.audit import Actor
from huisheng.services.escalations import OPEN_STATUSES, TRANSITIONS
from huisheng.services.validation import clean_text

S = EscalationStatus
MAX_BULK = 200


def actor_of(staff: StaffUser) -> Actor:
    return Actor.staff(staff.id, staff.username)


@dataclass(frozen=True, slots=True)
class CaseState:
    """What a change left the case as, readable after its session has closed: the version to send next."""

    id: int
    ticket_no: str
    version: int
    status: EscalationStatus
    priority: Priority
    category: EscalationCategory
    assignee_id: int | None
    assignee_name: str | None
    resolution_reason: ResolutionReason | None
    resolution: str | None
    updated_at: datetime
    tags: list[str] = field(default_factory=list)


def state_of(escalation: Escalation) -> CaseState:
    return CaseState(
        id=escalation.id,
        ticket_no=escalation.ticket_no,
        version=escalation.version,
        status=escalation.status,
        priority=escalation.priority,
        category=escalation.category,
        assignee_id=escalation.assignee_id,
        assignee_name=escalation.assignee.display_name if escalation.assignee is not None else None,
        resolution_reason=escalation.resolution_reason,
        resolution=escalation.resolution,
        updated_at=escalation.updated_at,
        tags=[t.name for t in escalation.tags],
    )


def stale_message(escalation: Escalation) -> str:
    last = escalation.events[-1] if escalation.events else None
    who = f"{last.actor_label} " if last is not None else ""
    return f"工单 {escalation.ticket_no} 刚被{who}修改过，请查看最新内容后再操作"


def check_version(escalation: Escalation, version: int | None) -> None:
    """Refuses a change made on a version of the case older than the stored one."""
    if version is not None and version != escalation.version:
        raise ConflictError(
            stale_message(escalation),
            code="stale_version",
            details={"current_version": escalation.version, "your_version": version},
        )


@contextmanager
def _one_writer(session: Session, escalation: Escalation) -> Iterator[None]:
    """Runs a change and flushes it; a lost race (another request wrote the row after this one read it, so
    the version-checked UPDATE matched nothing, at whichever flush) is refused like a stale version."""
    ticket_no = escalation.ticket_no
    try:
        yield
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"工单 {ticket_no} 同时被别人修改了，请刷新后再试", code="stale_version"
        ) from None


def _touch(escalation: Escalation) -> None:
    # Notes and tags live in other tables; writing the row bumps the version so open pages see a change.
    escalation.updated_at = utcnow()


def can_manage(staff: StaffUser) -> bool:
    return staff.role is not StaffRole.AGENT


def ensure_can_change(staff: StaffUser, escalation: Escalation) -> None:
    """Agents change cases that are theirs or nobody's; supervisors and above, any case."""
    if can_manage(staff) or escalation.assignee_id in (None, staff.id):
        return
    raise PermissionDeniedError(
        f"工单 {escalation.ticket_no} 已分配给其他同事；如需接手请联系主管", code="not_your_case"
    )


def claim(session: Session, *, escalation_id: int, staff: StaffUser, version: int | None) -> Escalation:
    """The agent takes an unassigned case; taking one already someone else's is a supervisor's call."""
    escalation = escalations.get_escalation(session, escalation_id=escalation_id)
    check_version(escalation, version)
    if escalation.assignee_id == staff.id:
        return escalation
    if escalation.assignee_id is not None:
        raise ConflictError(
            f"工单 {escalation.ticket_no} 已被 {escalation.assignee.display_name if escalation.assignee else '同事'} 认领",
            code="already_claimed",
        )
    with _one_writer(session, escalation):
        escalations.assign(session, escalation_id=escalation.id, assignee_id=staff.id, actor=actor_of(staff))
    return escalation


def assign(
    session: Session, *, escalation_id: int, assignee_id: int, staff: StaffUser, version: int | None
) -> Escalation:
    if not can_manage(staff):
        raise PermissionDeniedError("只有主管及以上可以分配工单", code="permission_denied")
    escalation = escalations.get_escalation(session, escalation_id=escalation_id)
    check_version(escalation, version)
    with _one_writer(session, escalation):
        escalations.assign(
            session, escalation_id=escalation.id, assignee_id=assignee_id, actor=actor_of(staff)
        )
    return escalation


@dataclass(frozen=True, slots=True)
class BulkItem:
    escalation_id: int
    version: int | None = None


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    escalation_id: int
    assigned: bool
    error: str | None = None
    version: int | None = None
    code: str | None = None


def bulk_assign(
    session: Session, *, items: Sequence[BulkItem], assignee_id: int, staff: StaffUser
) -> list[BulkOutcome]:
    """Assigns each case on its own savepoint: one stale or closed case is reported, not fatal to the rest."""
    if not can_manage(staff):
        raise PermissionDeniedError("只有主管及以上可以分配工单", code="permission_denied")
    if not items:
        raise InvalidInputError("请至少选择一个工单", code="nothing_selected")
    if len(items) > MAX_BULK:
        raise InvalidInputError(f"一次最多分配 {MAX_BULK} 个工单", code="too_many")
    outcomes: list[BulkOutcome] = []
    for item in items:
        try:
            with session.begin_nested():
                case = assign(
                    session,
                    escalation_id=item.escalation_id,
                    assignee_id=assignee_id,
                    staff=staff,
                    version=item.version,
                )
                outcomes.append(BulkOutcome(item.escalation_id, True, version=case.version))
        except HuishengError as error:
            # Stale, closed or missing: reported for this case, the rest of the batch still goes.
            outcomes.append(BulkOutcome(item.escalation_id, False, error.message, code=error.code))
    return outcomes


def change_status(
    session: Session,
    *,
    escalation_id: int,
    to_status: EscalationStatus | str,
    staff: StaffUser,
    version: int | None,
    note: str | None = None,
    resolution: str | None = None,
    reason: ResolutionReason | str | None = None,
) -> Escalation:
    """One step along the state machine; resolving and closing early need a reason and what was done."""
    escalation = escalations.get_escalation(session, escalation_id=escalation_id)
    check_version(escalation, version)
    ensure_can_change(staff, escalation)
    target = _status(to_status)
    resolution_reason = _reason(reason) if reason else None
    _refuse_illegal_step(escalation, target)
    with _one_writer(session, escalation):
        if target is S.ASSIGNED and escalation.assignee_id is None:
            # "Assigned" to nobody means the person moving it takes it.
            escalations.assign(
                session, escalation_id=escalation.id, assignee_id=staff.id, actor=actor_of(staff)
            )
            return escalation
        if target in (S.RESOLVED, S.CLOSED) and escalation.status is not S.RESOLVED:
            if resolution_reason is None:
                raise InvalidInputError("请选择处理结果（已解决、已退款……）", code="reason_required")
            escalation.resolution_reason = resolution_reason
        escalations.transition(
            session,
            escalation_id=escalation.id,
            to_status=target,
            actor=actor_of(staff),
            note=note,
            resolution=resolution,
        )
    return escalation


def _refuse_illegal_step(escalation: Escalation, target: EscalationStatus) -> None:
    allowed = TRANSITIONS[escalation.status]
    if target in allowed:
        return
    choices = "、".join(STATUS_LABELS[s] for s in S if s in allowed) or "无"
    raise InvalidInputError(
        f"工单 {escalation.ticket_no} 目前{STATUS_LABELS[escalation.status]}，不能改为{STATUS_LABELS[target]}"
        f"（可改为：{choices}）",
        code="illegal_transition",
    )


def resolve(
    session: Session,
    *,
    escalation_id: int,
    staff: StaffUser,
    version: int | None,
    reason: ResolutionReason | str,
    resolution: str,
) -> Escalation:
    """Resolves the case from wherever it stands (new, assigned or in progress) in the legal steps."""
    # Checked before any step is taken, so a bad request is refused as a whole.
    resolution = clean_text(resolution, field="resolution", max_length=escalations.MAX_DESCRIPTION_LENGTH)
    reason = _reason(reason)
    escalation = escalations.get_escalation(session, escalation_id=escalation_id)
    check_version(escalation, version)
    ensure_can_change(staff, escalation)
    if escalation.status not in OPEN_STATUSES:
        raise InvalidInputError(
            f"工单 {escalation.ticket_no} 已是{STATUS_LABELS[escalation.status]}，无需再次处理",
            code="illegal_transition",
        )
    actor = actor_of(staff)
    with _one_writer(session, escalation):
        if escalation.status is S.NEW:
            escalations.assign(session, escalation_id=escalation.id, assignee_id=staff.id, actor=actor)
        if escalation.status is S.ASSIGNED:
            escalations.transition(session, escalation_id=escalation.id, to_status=S.IN_PROGRESS, actor=actor)
    return change_status(
        session,
        escalation_id=escalation.id,
        to_status=S.RESOLVED,
        staff=staff,
        version=None,
        reason=reason,
        resolution=resolution,
    )


def reopen(
    session: Session, *, escalation_id: int, staff: StaffUser, version: int | None, note: str
) -> Escalation:
    """A resolved case goes back to in progress, with a note saying why."""
    text = clean_text(note, field="note", max_length=2000)
    return change_status(
        session, escalation_id=escalation_id, to_status=S.IN_PROGRESS, staff=staff, version=version, note=text
    )


def add_note(session: Session, *, escalation_id: int, staff: StaffUser, text: str) -> EscalationEvent:
    """An internal note on the case; the customer never sees it."""
    escalation = escalations.get_escalation(session, escalation_id=escalation_id)
    with _one_writer(session, escalation):
        event = escalations.add_note(session, escalation_id=escalation.id, note=text, actor=actor_of(staff))
        _touch(escalation)
        audit.record(
            session,
            actor=actor_of(staff),
            action="escalation.noted",
            entity_type="escalation",
            entity_id=escalation.id,
        )
    return event


def add_tag(session: Session, *, escalation_id: int, staff: StaffUser, tag: str) -> Escalation:
    """Tags the case; tagging it twice changes nothing, the version included."""
    escalation = escalations.get_escalation(session, escalation_id=escalation_id)
    before = [t.name for t in escalation.tags]
    with _one_writer(session, escalation):
        tags.tag_escalation(session, escalation_id=escalation.id, tag=tag, actor=actor_of(staff))
        _touch_if_changed(escalation, before)
    return escalation


def remove_tag(session: Session, *, escalation_id: int, staff: StaffUser, tag: str) -> Escalation:
    """Takes the tag off; removing one the case does not have changes nothing."""
    escalation = escalations.get_escalation(session, escalation_id=escalation_id)
    before = [t.name for t in escalation.tags]
    with _one_writer(session, escalation):
        tags.untag_escalation(session, escalation_id=escalation.id, tag=tag, actor=actor_of(staff))
        _touch_if_changed(escalation, before)
    return escalation


def _touch_if_changed(escalation: Escalation, tags_before: list[str]) -> None:
    if [t.name for t in escalation.tags] != tags_before:
        _touch(escalation)


def assignable_staff(session: Session) -> list[StaffUser]:
    return list(
        session.scalars(
            select(StaffUser)
            .where(StaffUser.is_active.is_(True))
            .order_by(StaffUser.role, StaffUser.username)
        )
    )


def _status(value: EscalationStatus | str) -> EscalationStatus:
    try:
        return EscalationStatus(value)
    except ValueError:
        raise InvalidInputError(f"未知的工单状态 '{value}'", code="invalid_input") from None


def _reason(value: ResolutionReason | str) -> ResolutionReason:
    try:
        return ResolutionReason(value)
    except ValueError:
        choices = "、".join(RESOLUTION_LABELS.values())
        raise InvalidInputError(f"未知的处理结果 '{value}'；可选：{choices}", code="invalid_input") from None

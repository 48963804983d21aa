"""Staff working escalations: the SLA queue, one case, and every change to it, each on the version its author
saw. Replies, hand-back and resolve reach the customer's conversation through the staff desk, which keeps its
own unit of work (it commits before it delivers), so those routes take no request session."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import CurrentStaff, RuntimeDep, SessionDep, SettingsDep, require_role
from api.schemas.chat import DeskOut
from api.schemas.escalations import (
    AssignIn,
    BulkAssignIn,
    BulkOutcomeOut,
    CaseDeskOut,
    CaseOut,
    CaseReplyIn,
    CaseViewOut,
    EventOut,
    NoteIn,
    NoteOut,
    QueuePageOut,
    QueueQuery,
    ReopenIn,
    ResolveCaseIn,
    StatusIn,
    TagIn,
    ThreadMessageOut,
    VersionIn,
)
from crm_store.enums import StaffRole
from crm_store.models import Escalation
from huisheng.services import case_queue, case_view, case_work
from huisheng.services.case_work import BulkItem, CaseState
from huisheng.services.staff_desk import CaseDeskResult

router = APIRouter(
    prefix="/escalations", tags=["escalations"], dependencies=[Depends(require_role(StaffRole.AGENT))]
)
SUPERVISOR = [Depends(require_role(StaffRole.SUPERVISOR))]
EscalationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TagName = Annotated[str, Path(min_length=1, max_length=50)]


def _case(escalation: Escalation | CaseState) -> CaseOut:
    state = escalation if isinstance(escalation, CaseState) else case_work.state_of(escalation)
    return CaseOut.model_validate(state)


def _desk(result: CaseDeskResult) -> CaseDeskOut:
    return CaseDeskOut(
        case=_case(result.case), conversation=DeskOut.of(result.desk) if result.desk is not None else None
    )


@router.get("", summary="The queue: open cases by priority, then SLA deadline, with time left")
def queue(
    filters: Annotated[QueueQuery, Query()], user: CurrentStaff, session: SessionDep, settings: SettingsDep
) -> QueuePageOut:
    page = case_queue.queue_page(
        session,
        filters=filters.to_filter(viewer_id=user.id),
        warning=timedelta(minutes=settings.console.sla_warning_minutes),
        page=filters.page,
        page_size=filters.page_size or settings.console.queue_page_size,
    )
    return QueuePageOut.model_validate(page)


@router.post(
    "/bulk-assign",
    summary="Assign several cases to one person; each case succeeds or fails on its own",
    dependencies=SUPERVISOR,
)
def bulk_assign(body: BulkAssignIn, user: CurrentStaff, session: SessionDep) -> list[BulkOutcomeOut]:
    outcomes = case_work.bulk_assign(
        session,
        items=[BulkItem(item.id, item.version) for item in body.items],
        assignee_id=body.assignee_id,
        staff=user,
    )
    return [BulkOutcomeOut.model_validate(o) for o in outcomes]


@router.get(
    "/{escalation_id}",
    summary="One case: the conversation with each message's sentiment and intent, orders, earlier contacts",
)
def get_one(escalation_id: EscalationId, user: CurrentStaff, session: SessionDep) -> CaseViewOut:
    return CaseViewOut.of(case_view.case_view(session, escalation_id=escalation_id, viewer=user))


@router.get("/{escalation_id}/messages", summary="The case's conversation after a message id (for polling)")
def thread(
    escalation_id: EscalationId,
    user: CurrentStaff,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="The last message id you have.")] = 0,
) -> list[ThreadMessageOut]:
    messages = case_view.case_thread(session, escalation_id=escalation_id, viewer=user, after_id=after)
    return [ThreadMessageOut.model_validate(m) for m in messages]


@router.post("/{escalation_id}/claim", summary="Take an unassigned case")
def claim(escalation_id: EscalationId, body: VersionIn, user: CurrentStaff, session: SessionDep) -> CaseOut:
    return _case(case_work.claim(session, escalation_id=escalation_id, staff=user, version=body.version))


@router.post("/{escalation_id}/assign", summary="Give the case to a staff member", dependencies=SUPERVISOR)
def assign(escalation_id: EscalationId, body: AssignIn, user: CurrentStaff, session: SessionDep) -> CaseOut:
    case = case_work.assign(
        session, escalation_id=escalation_id, assignee_id=body.assignee_id, staff=user, version=body.version
    )
    return _case(case)


@router.post("/{escalation_id}/status", summary="Move the case one step along its states")
def change_status(
    escalation_id: EscalationId, body: StatusIn, user: CurrentStaff, session: SessionDep
) -> CaseOut:
    case = case_work.change_status(
        session,
        escalation_id=escalation_id,
        to_status=body.to_status,
        staff=user,
        version=body.version,
        note=body.note,
        resolution=body.resolution,
        reason=body.reason,
    )
    return _case(case)


@router.post(
    "/{escalation_id}/resolve",
    summary="Resolve the case with a reason and what was done; its open conversation is closed with it",
)
def resolve(
    escalation_id: EscalationId, body: ResolveCaseIn, user: CurrentStaff, runtime: RuntimeDep
) -> CaseDeskOut:
    result = runtime.desk.resolve_case(
        escalation_id=escalation_id,
        staff_id=user.id,
        version=body.version,
        reason=body.reason,
        resolution=body.resolution,
    )
    return _desk(result)


@router.post("/{escalation_id}/reopen", summary="Reopen a resolved case, saying why")
def reopen(escalation_id: EscalationId, body: ReopenIn, user: CurrentStaff, session: SessionDep) -> CaseOut:
    case = case_work.reopen(
        session, escalation_id=escalation_id, staff=user, version=body.version, note=body.note
    )
    return _case(case)


@router.post(
    "/{escalation_id}/notes", summary="Add an internal note (the customer never sees it)", status_code=201
)
def add_note(escalation_id: EscalationId, body: NoteIn, user: CurrentStaff, session: SessionDep) -> NoteOut:
    event = case_work.add_note(session, escalation_id=escalation_id, staff=user, text=body.text)
    return NoteOut(note=EventOut.model_validate(event), case=_case(event.escalation))


@router.post("/{escalation_id}/tags", summary="Tag the case (tagging twice changes nothing)")
def add_tag(escalation_id: EscalationId, body: TagIn, user: CurrentStaff, session: SessionDep) -> CaseOut:
    return _case(case_work.add_tag(session, escalation_id=escalation_id, staff=user, tag=body.tag))


@router.delete("/{escalation_id}/tags/{tag}", summary="Take a tag off the case")
def remove_tag(escalation_id: EscalationId, tag: TagName, user: CurrentStaff, session: SessionDep) -> CaseOut:
    return _case(case_work.remove_tag(session, escalation_id=escalation_id, staff=user, tag=tag))


@router.post(
    "/{escalation_id}/replies",
    summary="Reply to the customer on their channel; a repeat with the same client_id posts once",
)
def reply(
    escalation_id: EscalationId, body: CaseReplyIn, user: CurrentStaff, runtime: RuntimeDep
) -> CaseDeskOut:
    result = runtime.desk.reply_to_case(
        escalation_id=escalation_id, staff_id=user.id, text=body.text, client_id=body.client_id
    )
    return _desk(result)


@router.post("/{escalation_id}/release", summary="Hand the case's conversation back to the bot")
def release(escalation_id: EscalationId, user: CurrentStaff, runtime: RuntimeDep) -> CaseDeskOut:
    return _desk(runtime.desk.release_case(escalation_id=escalation_id, staff_id=user.id))

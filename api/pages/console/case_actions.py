"""What staff do on a case page: claim, move along the states, resolve, reopen, hand back to the bot,
assign, reply, note and tag. Each form names the case version it showed; each answer refreshes the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import ConsoleLogin, RuntimeDep
from api.pages.console import messages
from api.pages.console.case import refreshed
from api.pages.console.failures import PREFIX
from api.pages.console.forms import optional_int, required_int, version_of
from api.pages.console.guards import AgentLogin, SupervisorLogin
from api.pages.console.rendering import back_to, is_htmx
from huisheng import labels
from huisheng.errors import InvalidInputError
from huisheng.services import case_work

router = APIRouter(prefix=f"{PREFIX}/escalations/{{escalation_id}}")
FormText = Annotated[str, Form()]


def _done(
    request: Request, runtime: RuntimeDep, login: ConsoleLogin, escalation_id: int, after: str, message: str
) -> Response:
    if not is_htmx(request):
        return back_to(f"{PREFIX}/escalations/{escalation_id}")
    return refreshed(request, runtime, login, escalation_id, after=optional_int(after) or 0, message=message)


@router.post("/claim")
def claim(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    version: FormText = "",
    after: FormText = "0",
) -> Response:
    with runtime.session() as session:
        case_work.claim(session, escalation_id=escalation_id, staff=login.staff, version=version_of(version))
    return _done(request, runtime, login, escalation_id, after, messages.said("claimed_here"))


@router.post("/status")
def change_status(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    version: FormText = "",
    to_status: FormText = "",
    reason: FormText = "",
    resolution: FormText = "",
    after: FormText = "0",
) -> Response:
    with runtime.session() as session:
        case = case_work.change_status(
            session,
            escalation_id=escalation_id,
            to_status=to_status,
            staff=login.staff,
            version=version_of(version),
            reason=reason or None,
            resolution=resolution or None,
        )
        status = labels.STATUS_LABELS[case.status]
    return _done(
        request, runtime, login, escalation_id, after, messages.said("status_changed", status=status)
    )


@router.post("/resolve")
def resolve(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    version: FormText = "",
    reason: FormText = "",
    resolution: FormText = "",
    after: FormText = "0",
) -> Response:
    if not reason:
        raise InvalidInputError(messages.said("reason_missing"), code="reason_required")
    outcome = runtime.desk.resolve_case(
        escalation_id=escalation_id,
        staff_id=login.staff.id,
        version=version_of(version),
        reason=reason,
        resolution=resolution,
    )
    return _done(
        request,
        runtime,
        login,
        escalation_id,
        after,
        messages.said("resolved_closed" if outcome.desk is not None else "resolved"),
    )


@router.post("/reopen")
def reopen(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    version: FormText = "",
    note: FormText = "",
    after: FormText = "0",
) -> Response:
    with runtime.session() as session:
        case_work.reopen(
            session, escalation_id=escalation_id, staff=login.staff, version=version_of(version), note=note
        )
    return _done(request, runtime, login, escalation_id, after, messages.said("reopened"))


@router.post("/release")
def release(
    request: Request, runtime: RuntimeDep, login: AgentLogin, escalation_id: int, after: FormText = "0"
) -> Response:
    runtime.desk.release_case(escalation_id=escalation_id, staff_id=login.staff.id)
    return _done(request, runtime, login, escalation_id, after, messages.said("released"))


@router.post("/assign")
def assign(
    request: Request,
    runtime: RuntimeDep,
    login: SupervisorLogin,
    escalation_id: int,
    version: FormText = "",
    assignee_id: FormText = "",
    after: FormText = "0",
) -> Response:
    with runtime.session() as session:
        case = case_work.assign(
            session,
            escalation_id=escalation_id,
            assignee_id=required_int(assignee_id, what=messages.said("assignee")),
            staff=login.staff,
            version=version_of(version),
        )
        name = case.assignee.display_name if case.assignee is not None else ""
    return _done(request, runtime, login, escalation_id, after, messages.said("assigned_here", name=name))


@router.post("/replies")
def reply(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    text: FormText = "",
    client_id: FormText = "",
    after: FormText = "0",
) -> Response:
    outcome = runtime.desk.reply_to_case(
        escalation_id=escalation_id, staff_id=login.staff.id, text=text, client_id=client_id or None
    )
    sent = (
        messages.said("replied_before")
        if outcome.desk is not None and outcome.desk.duplicate
        else messages.said("replied")
    )
    return _done(request, runtime, login, escalation_id, after, sent)


@router.post("/notes")
def add_note(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    text: FormText = "",
    after: FormText = "0",
) -> Response:
    with runtime.session() as session:
        case_work.add_note(session, escalation_id=escalation_id, staff=login.staff, text=text)
    return _done(request, runtime, login, escalation_id, after, messages.said("case_noted"))


@router.post("/tags")
def add_tag(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    tag: FormText = "",
    after: FormText = "0",
) -> Response:
    with runtime.session() as session:
        case_work.add_tag(session, escalation_id=escalation_id, staff=login.staff, tag=tag)
    return _done(request, runtime, login, escalation_id, after, messages.said("tagged", tag=tag.strip()))


@router.post("/tags/remove")
def remove_tag(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    tag: FormText = "",
    after: FormText = "0",
) -> Response:
    with runtime.session() as session:
        case_work.remove_tag(session, escalation_id=escalation_id, staff=login.staff, tag=tag)
    return _done(request, runtime, login, escalation_id, after, messages.said("untagged", tag=tag.strip()))

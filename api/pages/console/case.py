"""One escalation (/console/escalations/{id}): the conversation with each message's mood and intent, the
customer beside it, and the poll that brings new messages and other people's changes to the open page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.deps import ConsoleLogin, RuntimeDep
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.forms import optional_int
from api.pages.console.guards import AgentLogin
from api.pages.console.rendering import fragment, page
from huisheng.runtime import Runtime
from huisheng.services import canned_replies, case_view, case_work, escalations
from huisheng.services.case_view import CaseView

router = APIRouter(prefix=PREFIX)


def canned_for(
    session: Session, runtime: Runtime, login: ConsoleLogin, view: CaseView
) -> list[dict[str, Any]]:
    """Every canned reply filled in for this case, for the reply box's picker (a short list)."""
    picked = []
    for reply in canned_replies.list_replies(session):
        rendered = canned_replies.render(
            reply.body,
            escalation=view.escalation,
            staff_name=login.staff.display_name,
            shop_name=runtime.settings.shop.name,
        )
        picked.append(
            {
                "id": reply.id,
                "title": reply.title,
                "shortcut": reply.shortcut or "",
                "text": rendered.text,
                "unfilled": rendered.unfilled,
            }
        )
    return picked


def case_context(session: Session, runtime: Runtime, login: ConsoleLogin, view: CaseView) -> dict[str, Any]:
    """What the case panel needs beside the view: who it can go to, and when an SLA counts as near."""
    return {
        "view": view,
        "case": view.escalation,
        "staff": case_work.assignable_staff(session) if view.can_assign else [],
        "sla_warning": runtime.settings.console.sla_warning_minutes,
    }


@router.get("/escalations/{escalation_id}")
def case_page(request: Request, runtime: RuntimeDep, login: AgentLogin, escalation_id: int) -> HTMLResponse:
    with runtime.session() as session:
        view = case_view.case_view(session, escalation_id=escalation_id, viewer=login.staff)
        return page(
            request,
            "console/case.html",
            login,
            canned=canned_for(session, runtime, login, view),
            **case_context(session, runtime, login, view),
        )


def refreshed(
    request: Request,
    runtime: RuntimeDep,
    login: ConsoleLogin,
    escalation_id: int,
    *,
    after: int,
    message: str | None = None,
    kind: str = "success",
    banner: str | None = None,
) -> HTMLResponse:
    """The case's panel, timeline and new messages as out-of-band swaps, after a change or a poll."""
    with runtime.session() as session:
        view = case_view.case_view(session, escalation_id=escalation_id, viewer=login.staff)
        new = [m for m in view.messages if m.id > after]
        return fragment(
            request,
            "console/_partials/case_update.html",
            login,
            new_messages=new,
            message=message,
            kind=kind,
            banner=banner,
            **case_context(session, runtime, login, view),
        )


@router.get("/escalations/{escalation_id}/poll")
def case_poll(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    after: Annotated[str, Query()] = "0",
    version: Annotated[str, Query()] = "",
) -> Response:
    """New messages since `after`, and the whole panel again when the case is no longer at `version`."""
    last_seen = optional_int(after) or 0
    with runtime.session() as session:
        case = escalations.get_escalation(session, escalation_id=escalation_id)
        shown = optional_int(version)
        if shown is not None and shown != case.version:
            last = case.events[-1] if case.events else None
            by_someone_else = last is not None and last.actor_id != login.staff.id
            banner = (
                messages.said("changed_by", who=last.actor_label)
                if last is not None and by_someone_else
                else None
            )
        else:
            new = (
                case_view.thread(session, case.conversation_id, after_id=last_seen)
                if case.conversation_id
                else []
            )
            if not new:
                return Response(status_code=204)
            return fragment(request, "console/_partials/thread_append.html", login, new_messages=new)
    return refreshed(request, runtime, login, escalation_id, after=last_seen, banner=banner)

"""Canned replies (/console/canned-replies): every agent reads them; supervisors write, edit and archive them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.deps import ConsoleLogin, RuntimeDep, actor_of
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.guards import AgentLogin, SupervisorLogin
from api.pages.console.rendering import page
from huisheng.services import canned_replies

router = APIRouter(prefix=f"{PREFIX}/canned-replies")
FormText = Annotated[str, Form()]


def _page(
    request: Request, runtime: RuntimeDep, login: ConsoleLogin, message: str | None = None
) -> HTMLResponse:
    with runtime.session() as session:
        replies = canned_replies.list_replies(session)
        return page(
            request,
            "console/canned_replies.html",
            login,
            replies=replies,
            placeholders=messages.PLACEHOLDER_HELP,
            max_body=canned_replies.MAX_BODY_LENGTH,
            message=message,
            kind="success",
        )


@router.get("")
def list_page(request: Request, runtime: RuntimeDep, login: AgentLogin) -> HTMLResponse:
    return _page(request, runtime, login)


@router.post("")
def create(
    request: Request,
    runtime: RuntimeDep,
    login: SupervisorLogin,
    title: FormText = "",
    body: FormText = "",
    shortcut: FormText = "",
) -> HTMLResponse:
    with runtime.session() as session:
        reply = canned_replies.create_reply(
            session, title=title, body=body, shortcut=shortcut or None, actor=actor_of(login.staff)
        )
        name = reply.title
    return _page(request, runtime, login, messages.said("canned_created", title=name))


@router.post("/{reply_id}")
def update(
    request: Request,
    runtime: RuntimeDep,
    login: SupervisorLogin,
    reply_id: int,
    title: FormText = "",
    body: FormText = "",
    shortcut: FormText = "",
) -> HTMLResponse:
    with runtime.session() as session:
        reply = canned_replies.update_reply(
            session,
            reply_id=reply_id,
            title=title,
            body=body,
            shortcut=shortcut or None,
            actor=actor_of(login.staff),
        )
        name = reply.title
    return _page(request, runtime, login, messages.said("canned_saved", title=name))


@router.post("/{reply_id}/archive")
def archive(request: Request, runtime: RuntimeDep, login: SupervisorLogin, reply_id: int) -> HTMLResponse:
    with runtime.session() as session:
        canned_replies.archive_reply(session, reply_id=reply_id, actor=actor_of(login.staff))
    return _page(request, runtime, login, messages.said("canned_archived"))

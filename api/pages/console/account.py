"""My account (/console/account): the personal API tokens for the JSON API, shown once when created."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.deps import ConsoleLogin, RuntimeDep, actor_of
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.guards import AgentLogin
from api.pages.console.rendering import page
from huisheng.services import staff_auth

router = APIRouter(prefix=f"{PREFIX}/account")


def _page(
    request: Request,
    runtime: RuntimeDep,
    login: ConsoleLogin,
    *,
    message: str | None = None,
    new_token: str | None = None,
) -> HTMLResponse:
    with runtime.session() as session:
        tokens = staff_auth.list_tokens(session, staff_id=login.staff.id)
        return page(
            request,
            "console/account.html",
            login,
            tokens=tokens,
            message=message,
            kind="success",
            new_token=new_token,
        )


@router.get("")
def account_page(request: Request, runtime: RuntimeDep, login: AgentLogin) -> HTMLResponse:
    return _page(request, runtime, login)


@router.post("/tokens")
def create_token(
    request: Request, runtime: RuntimeDep, login: AgentLogin, name: Annotated[str, Form()] = ""
) -> HTMLResponse:
    with runtime.session() as session:
        value, record = staff_auth.create_token(
            session, staff_id=login.staff.id, name=name, actor=actor_of(login.staff)
        )
        label = record.name
    return _page(request, runtime, login, message=messages.said("token_created", name=label), new_token=value)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, runtime: RuntimeDep, login: AgentLogin, token_id: int) -> HTMLResponse:
    with runtime.session() as session:
        staff_auth.revoke_token(
            session, token_id=token_id, staff_id=login.staff.id, actor=actor_of(login.staff)
        )
    return _page(request, runtime, login, message=messages.said("token_revoked"))

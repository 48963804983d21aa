"""Typed dependencies: the runtime, a unit-of-work session, and the authenticated staff user."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.access import Rule, allows, mark
from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.errors import NotAuthenticatedError, PermissionDeniedError
from huisheng.labels import ROLE_LABELS
from huisheng.runtime import Runtime
from huisheng.services import staff_auth
from huisheng.services.audit import Actor
from huisheng.settings import Settings


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
# Closed when the route returns, before the answer is sent: a commit that fails is the answer, not a 200
# for work that was then lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="A staff member's personal API token.")


def get_current_staff(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffUser:
    if credentials is None:
        raise NotAuthenticatedError("this endpoint needs a staff API token: 'Authorization: Bearer <token>'")
    # A transaction of its own, closed before the route runs: on SQLite every transaction holds the write
    # lock, and routes that work through services open their own.
    with runtime.session() as session:
        return staff_auth.authenticate_token(session, token=credentials.credentials)


CurrentStaff = Annotated[StaffUser, Depends(get_current_staff)]


def require_role(minimum: StaffRole) -> Callable[[StaffUser], StaffUser]:
    """A JSON API route's rule: a bearer token of `minimum` or a higher role."""

    def check(user: CurrentStaff) -> StaffUser:
        if not allows(user.role, minimum):
            raise PermissionDeniedError(
                f"this needs the {minimum.value} role or higher; you are {user.role.value}"
            )
        return user

    return cast(Callable[[StaffUser], StaffUser], mark(check, Rule(minimum=minimum, via="token")))


@dataclass(frozen=True, slots=True)
class ConsoleLogin:
    """The signed-in console user and their session's CSRF token, which every form must send back."""

    staff: StaffUser
    csrf_token: str
    session_id: int


SESSION_COOKIE = "hs_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_console_login(request: Request, runtime: RuntimeDep) -> ConsoleLogin:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotAuthenticatedError("请先登录", code="login_required")
    idle = timedelta(hours=runtime.settings.console.session_idle_hours)
    with runtime.session() as session:
        record = staff_auth.session_for(session, cookie=cookie, idle=idle)
        login = ConsoleLogin(staff=record.staff, csrf_token=record.csrf_token, session_id=record.id)
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and _is_form(request):
            sent = str((await request.form()).get(CSRF_FIELD) or "")
        if not sent or not hmac.compare_digest(sent, login.csrf_token):
            raise PermissionDeniedError("页面已过期，请刷新后重试", code="csrf_failed")
    return login


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


ConsoleLoginDep = Annotated[ConsoleLogin, Depends(get_console_login)]


def require_console_role(minimum: StaffRole) -> Callable[..., Any]:
    """A console page's rule: a signed-in session of `minimum` or a higher role (and CSRF on changes)."""

    def check(login: ConsoleLoginDep) -> ConsoleLogin:
        if not allows(login.staff.role, minimum):
            raise PermissionDeniedError(
                f"此页面需要{ROLE_LABELS[minimum]}或更高权限；您的角色是{ROLE_LABELS[login.staff.role]}",
                code="permission_denied",
            )
        return login

    return cast(Callable[..., Any], mark(check, Rule(minimum=minimum, via="session")))


def actor_of(user: StaffUser) -> Actor:
    return Actor.staff(user.id, user.username)

"""Typed dependencies: the runtime, a unit-of-work session, and the authenticated staff user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.errors import NotAuthenticatedError, PermissionDeniedError
from huisheng.runtime import Runtime
from huisheng.services import staff
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
SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="A staff member's personal API token.")


def get_current_staff(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffUser:
    if credentials is None:
        raise NotAuthenticatedError("this endpoint needs a staff API token: 'Authorization: Bearer <token>'")
    # A transaction of its own, closed before the route runs: on SQLite every transaction holds the write
    # lock, and routes that work through services open their own.
    with runtime.session() as session:
        return staff.authenticate(session, token=credentials.credentials)


CurrentStaff = Annotated[StaffUser, Depends(get_current_staff)]

# Each role can do everything the roles before it can.
_RANK = {StaffRole.AGENT: 0, StaffRole.SUPERVISOR: 1, StaffRole.MANAGER: 2, StaffRole.ADMIN: 3}


def require_role(minimum: StaffRole) -> Callable[[StaffUser], StaffUser]:
    def check(user: CurrentStaff) -> StaffUser:
        if _RANK[user.role] < _RANK[minimum]:
            raise PermissionDeniedError(
                f"this needs the {minimum.value} role or higher; you are {user.role.value}"
            )
        return user

    return check


def actor_of(user: StaffUser) -> Actor:
    return Actor.staff(user.id, user.username)

"""Signing in to the JSON API: a username and password buy a named personal token; staff list and revoke
their own tokens and see who they are signed in as."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from api.access import open_to
from api.deps import CurrentStaff, RuntimeDep, SessionDep, actor_of, require_role
from api.schemas.staff import LoginTokenOut, NewTokenIn, NewTokenOut, StaffOut, TokenLoginIn, TokenOut
from crm_store.enums import StaffRole
from huisheng.services import staff_auth
from huisheng.services.staff_auth import LoginPolicy
from huisheng.settings import Settings

router = APIRouter(tags=["auth"])
STAFF = [Depends(require_role(StaffRole.AGENT))]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def login_policy(settings: Settings) -> LoginPolicy:
    console = settings.console
    return LoginPolicy(
        window=timedelta(minutes=console.login_window_minutes),
        max_failures=console.login_max_failures,
        max_failures_per_ip=console.login_max_failures_per_ip,
    )


@router.post(
    "/auth/token",
    summary="Sign in with username and password and get a new named API token",
    status_code=201,
    dependencies=[Depends(open_to("staff signing in (username and password)"))],
    responses={401: {"description": "Wrong username or password"}, 429: {"description": "Too many failures"}},
)
def token_login(
    body: TokenLoginIn, request: Request, runtime: RuntimeDep, session: SessionDep
) -> LoginTokenOut:
    # The password check commits on its own, so a failure counts towards the throttle although this
    # request then answers 401; the token is made in the request's session, after it.
    user = staff_auth.sign_in(
        runtime.session,
        username=body.username,
        password=body.password,
        ip=request.client.host if request.client else "unknown",
        policy=login_policy(runtime.settings),
    )
    value, record = staff_auth.create_token(
        session, staff_id=user.id, name=body.token_name, actor=actor_of(user)
    )
    return LoginTokenOut(
        **TokenOut.model_validate(record).model_dump(), token=value, staff=StaffOut.model_validate(user)
    )


@router.get("/me", summary="Who this token signs in as", dependencies=STAFF)
def me(user: CurrentStaff) -> StaffOut:
    return StaffOut.model_validate(user)


@router.get("/auth/tokens", summary="My API tokens that still work", dependencies=STAFF)
def list_tokens(user: CurrentStaff, session: SessionDep) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in staff_auth.list_tokens(session, staff_id=user.id)]


@router.post("/auth/tokens", summary="Make another named API token", status_code=201, dependencies=STAFF)
def create_token(body: NewTokenIn, user: CurrentStaff, session: SessionDep) -> NewTokenOut:
    value, record = staff_auth.create_token(session, staff_id=user.id, name=body.name, actor=actor_of(user))
    return NewTokenOut(**TokenOut.model_validate(record).model_dump(), token=value)


@router.delete(
    "/auth/tokens/{token_id}", summary="Revoke one of my API tokens", status_code=204, dependencies=STAFF
)
def revoke_token(token_id: TokenId, user: CurrentStaff, session: SessionDep) -> Response:
    staff_auth.revoke_token(session, token_id=token_id, staff_id=user.id, actor=actor_of(user))
    return Response(status_code=204)

"""Admins manage staff accounts: create with a password, change role, name, email or active, set a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from api.deps import CurrentStaff, SessionDep, actor_of, require_role
from api.schemas.staff import PasswordIn, StaffIn, StaffOut, StaffPatchIn
from crm_store.enums import StaffRole
from huisheng.services import staff, staff_auth

router = APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(require_role(StaffRole.ADMIN))])
StaffId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", summary="Every staff account, active or not")
def list_staff(session: SessionDep) -> list[StaffOut]:
    return [StaffOut.model_validate(u) for u in staff.list_staff(session)]


@router.post("", summary="Create a staff account with a password", status_code=201)
def create_staff(body: StaffIn, user: CurrentStaff, session: SessionDep) -> StaffOut:
    created = staff.create_staff(
        session,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        email=body.email,
        password=body.password,
        actor=actor_of(user),
    )
    return StaffOut.model_validate(created)


@router.patch("/{staff_id}", summary="Change a role, the name, the email, or switch an account off or on")
def update_staff(staff_id: StaffId, body: StaffPatchIn, user: CurrentStaff, session: SessionDep) -> StaffOut:
    updated = staff.update_staff(
        session,
        staff_id=staff_id,
        actor=actor_of(user),
        display_name=body.display_name,
        role=body.role,
        is_active=body.is_active,
        email=body.email,
    )
    return StaffOut.model_validate(updated)


@router.post(
    "/{staff_id}/password",
    summary="Set a new password; the account's sessions and API tokens stop working",
    status_code=204,
)
def set_password(staff_id: StaffId, body: PasswordIn, user: CurrentStaff, session: SessionDep) -> Response:
    staff_auth.set_password(
        session,
        staff=staff.get_staff(session, staff_id=staff_id),
        password=body.password,
        actor=actor_of(user),
    )
    return Response(status_code=204)

"""Staff users and their roles."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.errors import ConflictError, InvalidInputError, NotFoundError
from huisheng.services import audit, staff_auth
from huisheng.services.audit import SYSTEM, Actor
from huisheng.services.validation import clean_email, clean_text

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def create_staff(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: StaffRole | str,
    email: str | None = None,
    password: str | None = None,
    actor: Actor = SYSTEM,
) -> StaffUser:
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise InvalidInputError(
            f"'{username}' is not a valid username: use 2–64 lowercase letters, digits, '.', '_' or '-'"
        )
    try:
        role = StaffRole(role)
    except ValueError:
        raise InvalidInputError(f"unknown role '{role}'") from None
    if session.scalar(select(StaffUser).where(StaffUser.username == name)) is not None:
        raise ConflictError(f"username '{name}' is taken")
    user = StaffUser(
        username=name,
        display_name=clean_text(display_name, field="display_name", max_length=100),
        role=role,
        email=clean_email(email),
        password_hash=staff_auth.hash_password(password, username=name) if password is not None else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="staff.created",
        entity_type="staff_user",
        entity_id=user.id,
        details={"role": role.value},
    )
    return user


def get_staff(session: Session, *, staff_id: int) -> StaffUser:
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise NotFoundError(f"staff user {staff_id} does not exist")
    return user


def get_staff_by_username(session: Session, *, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if user is None:
        raise NotFoundError(f"staff user '{username}' does not exist")
    return user


def list_staff(session: Session, *, include_inactive: bool = True) -> list[StaffUser]:
    query = select(StaffUser).order_by(StaffUser.role, StaffUser.username)
    if not include_inactive:
        query = query.where(StaffUser.is_active.is_(True))
    return list(session.scalars(query))


def update_staff(
    session: Session,
    *,
    staff_id: int,
    actor: Actor,
    display_name: str | None = None,
    role: StaffRole | str | None = None,
    is_active: bool | None = None,
    email: str | None = None,
) -> StaffUser:
    """Changes what an admin may change; the last active admin can be neither demoted nor disabled."""
    user = get_staff(session, staff_id=staff_id)
    changes: dict[str, object] = {}
    if display_name is not None:
        user.display_name = clean_text(display_name, field="display_name", max_length=100)
        changes["display_name"] = user.display_name
    if email is not None:
        user.email = clean_email(email)
        changes["email"] = "changed"
    if role is not None:
        try:
            new_role = StaffRole(role)
        except ValueError:
            raise InvalidInputError(f"未知角色 '{role}'") from None
        if new_role is not user.role:
            _keep_an_admin(session, user)
            changes["role"] = {"from": user.role.value, "to": new_role.value}
            user.role = new_role
    if is_active is not None and is_active != user.is_active:
        if not is_active:
            _keep_an_admin(session, user)
            staff_auth.revoke_sessions(session, staff_id=user.id)
        user.is_active = is_active
        changes["is_active"] = is_active
    if changes:
        audit.record(
            session,
            actor=actor,
            action="staff.updated",
            entity_type="staff_user",
            entity_id=user.id,
            details=changes,
        )
    return user


def _keep_an_admin(session: Session, user: StaffUser) -> None:
    if user.role is not StaffRole.ADMIN or not user.is_active:
        return
    admins = session.scalar(
        select(func.count(StaffUser.id)).where(
            StaffUser.role == StaffRole.ADMIN, StaffUser.is_active.is_(True)
        )
    )
    if (admins or 0) <= 1:
        raise ConflictError("这是唯一的管理员账号：请先让另一位同事成为管理员", code="last_admin")


def issue_api_token(
    session: Session, *, staff_id: int, token: str | None = None, actor: Actor = SYSTEM, name: str = "API"
) -> str:
    """Gives the user a new personal API token and returns it; only its hash is kept."""
    user = get_staff(session, staff_id=staff_id)
    value, _record = staff_auth.create_token(session, staff_id=user.id, name=name, actor=actor, token=token)
    return value

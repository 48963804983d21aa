"""Staff users and their roles."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.errors import ConflictError, InvalidInputError, NotAuthenticatedError, NotFoundError
from huisheng.services import audit
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(
    session: Session, *, staff_id: int, token: str | None = None, actor: Actor = SYSTEM
) -> str:
    """Gives the user a new personal API token (replacing the old one) and returns it; only its hash is kept."""
    user = get_staff(session, staff_id=staff_id)
    value = token or secrets.token_urlsafe(32)
    user.api_token_hash = _token_hash(value)
    audit.record(
        session, actor=actor, action="staff.token_issued", entity_type="staff_user", entity_id=user.id
    )
    return value


def authenticate(session: Session, *, token: str) -> StaffUser:
    """The active staff user holding `token`; any failure reads the same so tokens can't be probed."""
    user = session.scalar(select(StaffUser).where(StaffUser.api_token_hash == _token_hash(token)))
    if user is None or not user.is_active:
        raise NotAuthenticatedError("invalid or expired API token")
    return user

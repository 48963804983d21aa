"""Staff sign-in: Argon2 passwords, throttled logins, console sessions and personal API tokens."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.models import ApiToken, LoginAttempt, StaffSession, StaffUser
from huisheng.errors import InvalidInputError, NotAuthenticatedError, NotFoundError, RateLimitedError
from huisheng.services import audit
from huisheng.services.audit import Actor
from huisheng.services.validation import clean_text

SessionScope = Callable[[], AbstractContextManager[Session]]
_hasher = PasswordHash((Argon2Hasher(),))
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# last_seen_at is written at most this often, so every page view is not a write.
_TOUCH_EVERY = timedelta(minutes=1)
# Login attempts (and revoked sessions) are kept this long for the audit trail of who tried what.
KEEP_ATTEMPTS = timedelta(days=30)
# Verified against when the username is unknown, so a missing account costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("huisheng-no-such-user")


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    window: timedelta
    max_failures: int
    max_failures_per_ip: int


@dataclass(frozen=True, slots=True)
class NewSession:
    """The cookie value (shown once; only its hash is stored) and the session it opens."""

    cookie: str
    record: StaffSession


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def hash_password(password: str, *, username: str = "") -> str:
    check_password(password, username=username)
    return _hasher.hash(password)


def check_password(password: str, *, username: str = "") -> None:
    """Refuses passwords a guesser would try first; length matters more than character classes."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", code="weak_password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符", code="weak_password")
    if len(set(password)) < 4:
        raise InvalidInputError("密码过于简单：请混合使用不同的字符", code="weak_password")
    if username and username.lower() in password.lower():
        raise InvalidInputError("密码不能包含用户名", code="weak_password")


def set_password(session: Session, *, staff: StaffUser, password: str, actor: Actor) -> None:
    staff.password_hash = hash_password(password, username=staff.username)
    # A new password ends every other login: whoever knew the old one is out, including the API tokens
    # they could have made with it.
    revoke_sessions(session, staff_id=staff.id)
    revoke_tokens(session, staff_id=staff.id)
    audit.record(
        session, actor=actor, action="staff.password_set", entity_type="staff_user", entity_id=staff.id
    )


def login(session: Session, *, username: str, password: str, ip: str, policy: LoginPolicy) -> StaffUser:
    """The staff user whose password this is; every failure reads the same, and repeats are throttled."""
    name = username.strip().lower()[:64]
    now = utcnow()
    _refuse_if_throttled(session, username=name, ip=ip, policy=policy, now=now)
    user = session.scalar(select(StaffUser).where(StaffUser.username == name))
    stored = user.password_hash if user is not None and user.is_active else None
    valid, rehashed = _hasher.verify_and_update(password[:MAX_PASSWORD_LENGTH], stored or _DUMMY_HASH)
    valid = valid and stored is not None
    session.add(LoginAttempt(username=name, ip=ip[:64], succeeded=valid, attempted_at=now))
    if not valid or user is None:
        audit.record(
            session,
            actor=Actor(label=name or "anonymous"),
            action="staff.login_failed",
            entity_type="staff_user",
            entity_id=user.id if user is not None else None,
            details={"ip": ip},
        )
        raise NotAuthenticatedError("用户名或密码不正确", code="bad_credentials")
    if rehashed is not None:
        # Stored with older Argon2 parameters: upgraded now that the plain password is at hand.
        user.password_hash = rehashed
    user.last_login_at = now
    _prune(session, user=user, now=now)
    audit.record(
        session,
        actor=Actor.staff(user.id, user.username),
        action="staff.logged_in",
        entity_type="staff_user",
        entity_id=user.id,
        details={"ip": ip},
    )
    return user


def _prune(session: Session, *, user: StaffUser, now: datetime) -> None:
    """Drops this account's old attempts and dead sessions at each login, so neither table grows forever."""
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.username == user.username, LoginAttempt.attempted_at < now - KEEP_ATTEMPTS
        )
    )
    session.execute(
        delete(StaffSession).where(
            StaffSession.staff_id == user.id,
            or_(StaffSession.expires_at < now, StaffSession.revoked_at < now - KEEP_ATTEMPTS),
        )
    )


def sign_in(scope: SessionScope, *, username: str, password: str, ip: str, policy: LoginPolicy) -> StaffUser:
    """`login` in a unit of work of its own that is committed whatever the outcome: a failed attempt must
    stay counted by the throttle although the request that made it answers with an error (and so rolls back
    its own work)."""
    with scope() as session:
        try:
            return login(session, username=username, password=password, ip=ip, policy=policy)
        except NotAuthenticatedError as error:
            refused = error
    raise refused


def _refuse_if_throttled(
    session: Session, *, username: str, ip: str, policy: LoginPolicy, now: datetime
) -> None:
    since = now - policy.window
    # Failures count until the account's last success, so a person who got in starts afresh.
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    account_since = max(since, last_success) if last_success is not None else since
    checks = (
        (LoginAttempt.username == username, account_since, policy.max_failures),
        (LoginAttempt.ip == ip[:64], since, policy.max_failures_per_ip),
    )
    for condition, after, limit in checks:
        count, oldest = session.execute(
            select(func.count(LoginAttempt.id), func.min(LoginAttempt.attempted_at)).where(
                condition, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > after
            )
        ).one()
        if count >= limit and oldest is not None:
            wait = max(1, math.ceil((oldest + policy.window - now).total_seconds()))
            raise RateLimitedError(
                f"登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试", retry_after=wait
            )


def start_session(
    session: Session,
    *,
    staff: StaffUser,
    max_age: timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    cookie = secrets.token_urlsafe(32)
    now = utcnow()
    record = StaffSession(
        staff_id=staff.id,
        token_hash=_sha256(cookie),
        csrf_token=secrets.token_urlsafe(32),
        ip=(ip or "")[:64] or None,
        user_agent=(user_agent or "")[:300] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + max_age,
    )
    session.add(record)
    session.flush()
    return NewSession(cookie=cookie, record=record)


def session_for(session: Session, *, cookie: str, idle: timedelta) -> StaffSession:
    """The live console session behind a cookie; expired, revoked or idle ones read as signed out."""
    record = session.scalar(select(StaffSession).where(StaffSession.token_hash == _sha256(cookie)))
    now = utcnow()
    if (
        record is None
        or record.revoked_at is not None
        or record.expires_at <= now
        or record.last_seen_at + idle <= now
        or not record.staff.is_active
    ):
        raise NotAuthenticatedError("登录已失效，请重新登录", code="session_expired")
    if now - record.last_seen_at > _TOUCH_EVERY:
        record.last_seen_at = now
    return record


def end_session(session: Session, *, cookie: str) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == _sha256(cookie), StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_sessions(session: Session, *, staff_id: int) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_tokens(session: Session, *, staff_id: int) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.staff_id == staff_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def create_token(
    session: Session, *, staff_id: int, name: str, actor: Actor, token: str | None = None
) -> tuple[str, ApiToken]:
    """A new personal API token; the value is returned once and only its hash is kept."""
    label = clean_text(name, field="name", max_length=100)
    value = token or f"hs_{secrets.token_urlsafe(32)}"
    record = ApiToken(staff_id=staff_id, name=label, token_hash=_sha256(value), prefix=value[:10])
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="staff.token_created",
        entity_type="api_token",
        entity_id=record.id,
        details={"staff_id": staff_id, "name": label},
    )
    return value, record


def list_tokens(session: Session, *, staff_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.staff_id == staff_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )


def revoke_token(session: Session, *, token_id: int, staff_id: int, actor: Actor) -> ApiToken:
    """Revokes one of the staff member's own tokens; someone else's reads as missing."""
    record = session.get(ApiToken, token_id)
    if record is None or record.staff_id != staff_id or record.revoked_at is not None:
        raise NotFoundError(f"没有编号为 {token_id} 的有效令牌")
    record.revoked_at = utcnow()
    audit.record(
        session, actor=actor, action="staff.token_revoked", entity_type="api_token", entity_id=record.id
    )
    return record


def authenticate_token(session: Session, *, token: str) -> StaffUser:
    """The active staff user holding `token`; any failure reads the same so tokens can't be probed."""
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token)))
    if record is None or record.revoked_at is not None or not record.staff.is_active:
        raise NotAuthenticatedError("invalid or expired API token")
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > _TOUCH_EVERY:
        record.last_used_at = now
    return record.staff

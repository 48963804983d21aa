"""Staff sign-in: throttled password logins, console sessions that end, personal API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import StaffRole
from crm_store.models import LoginAttempt
from huisheng.errors import InvalidInputError, NotAuthenticatedError, NotFoundError, RateLimitedError
from huisheng.runtime import Runtime
from huisheng.services import staff_auth
from huisheng.services.audit import SYSTEM
from huisheng.services.staff_auth import LoginPolicy
from tests.factories import LOGIN_POLICY, PASSWORD, make_staff

IP = "203.0.113.7"
WRONG = "not-the-password-1"


def _fail(session: Session, username: str, *, ip: str = IP) -> None:
    with pytest.raises(NotAuthenticatedError):
        staff_auth.login(session, username=username, password=WRONG, ip=ip, policy=LOGIN_POLICY)


def _login(session: Session, username: str, password: str = PASSWORD) -> None:
    staff_auth.login(session, username=username, password=password, ip=IP, policy=LOGIN_POLICY)


def test_the_right_password_signs_in_and_records_when(session: Session) -> None:
    user = make_staff(session, username="li.na", password=PASSWORD)
    signed_in = staff_auth.login(session, username=" Li.Na ", password=PASSWORD, ip=IP, policy=LOGIN_POLICY)
    assert signed_in is user and user.last_login_at is not None


def test_a_wrong_password_and_an_unknown_user_read_the_same(session: Session) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    messages = []
    for name in ("li.na", "nobody"):
        with pytest.raises(NotAuthenticatedError) as refused:
            staff_auth.login(session, username=name, password=WRONG, ip=IP, policy=LOGIN_POLICY)
        messages.append((refused.value.code, refused.value.message))
    assert messages == [("bad_credentials", "用户名或密码不正确")] * 2


def test_a_disabled_account_cannot_sign_in_with_its_password(session: Session) -> None:
    user = make_staff(session, username="li.na", password=PASSWORD)
    user.is_active = False
    with pytest.raises(NotAuthenticatedError):
        _login(session, "li.na")


def test_five_failures_lock_the_account_with_a_retry_after(session: Session) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    for _ in range(LOGIN_POLICY.max_failures):
        _fail(session, "li.na")
    with pytest.raises(RateLimitedError) as refused:
        _login(session, "li.na")
    window = LOGIN_POLICY.window.total_seconds()
    assert 0 < refused.value.retry_after <= window
    assert refused.value.details == {"retry_after_seconds": refused.value.retry_after}
    assert "分钟后再试" in refused.value.message


def test_four_failures_still_let_the_right_password_in(session: Session) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    for _ in range(LOGIN_POLICY.max_failures - 1):
        _fail(session, "li.na")
    _login(session, "li.na")


def test_a_success_resets_the_account_counter(session: Session) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    for _ in range(LOGIN_POLICY.max_failures - 1):
        _fail(session, "li.na")
    _login(session, "li.na")
    for _ in range(LOGIN_POLICY.max_failures - 1):
        _fail(session, "li.na")
    _login(session, "li.na")


def test_failures_older_than_the_window_no_longer_count(session: Session) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    for _ in range(LOGIN_POLICY.max_failures):
        _fail(session, "li.na")
    for attempt in session.scalars(select(LoginAttempt)):
        attempt.attempted_at -= LOGIN_POLICY.window + timedelta(seconds=1)
    _login(session, "li.na")


def test_one_address_guessing_many_accounts_is_throttled(session: Session) -> None:
    policy = LoginPolicy(window=timedelta(minutes=15), max_failures=5, max_failures_per_ip=3)
    for n in range(policy.max_failures_per_ip):
        with pytest.raises(NotAuthenticatedError):
            staff_auth.login(session, username=f"guess{n}", password=WRONG, ip=IP, policy=policy)
    make_staff(session, username="li.na", password=PASSWORD)
    with pytest.raises(RateLimitedError):
        staff_auth.login(session, username="li.na", password=PASSWORD, ip=IP, policy=policy)
    staff_auth.login(session, username="li.na", password=PASSWORD, ip="198.51.100.1", policy=policy)


def test_sign_in_keeps_a_failed_attempt_although_the_request_fails(
    runtime: Runtime, session: Session
) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    session.commit()
    with pytest.raises(NotAuthenticatedError):
        staff_auth.sign_in(runtime.session, username="li.na", password=WRONG, ip=IP, policy=LOGIN_POLICY)
    counted = session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    )
    assert counted == 1


def test_a_weak_password_is_refused_in_words(session: Session) -> None:
    user = make_staff(session, username="li.na")
    for weak, words in (
        ("short", "至少需要"),
        ("aaaaaaaaaaaa", "过于简单"),
        ("li.na-2026-pass", "不能包含用户名"),
    ):
        with pytest.raises(InvalidInputError, match=words):
            staff_auth.set_password(session, staff=user, password=weak, actor=SYSTEM)


def test_a_console_session_is_found_by_its_cookie(session: Session) -> None:
    user = make_staff(session)
    opened = staff_auth.start_session(session, staff=user, max_age=timedelta(hours=8))
    assert staff_auth.session_for(session, cookie=opened.cookie, idle=timedelta(hours=1)).staff is user


def test_an_expired_session_reads_as_signed_out(session: Session) -> None:
    opened = staff_auth.start_session(session, staff=make_staff(session), max_age=timedelta(hours=8))
    opened.record.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(NotAuthenticatedError) as refused:
        staff_auth.session_for(session, cookie=opened.cookie, idle=timedelta(hours=1))
    assert refused.value.code == "session_expired"


def test_an_idle_session_reads_as_signed_out(session: Session) -> None:
    opened = staff_auth.start_session(session, staff=make_staff(session), max_age=timedelta(hours=8))
    opened.record.last_seen_at = utcnow() - timedelta(hours=2)
    with pytest.raises(NotAuthenticatedError):
        staff_auth.session_for(session, cookie=opened.cookie, idle=timedelta(hours=1))


def test_a_new_password_ends_the_accounts_sessions(session: Session) -> None:
    user = make_staff(session, password=PASSWORD)
    opened = staff_auth.start_session(session, staff=user, max_age=timedelta(hours=8))
    staff_auth.set_password(session, staff=user, password="brand-new-secret-7", actor=SYSTEM)
    with pytest.raises(NotAuthenticatedError):
        staff_auth.session_for(session, cookie=opened.cookie, idle=timedelta(hours=1))


def test_a_new_password_revokes_the_accounts_api_tokens(session: Session) -> None:
    user = make_staff(session, password=PASSWORD)
    value, _record = staff_auth.create_token(session, staff_id=user.id, name="ERP", actor=SYSTEM)
    staff_auth.set_password(session, staff=user, password="brand-new-secret-7", actor=SYSTEM)
    with pytest.raises(NotAuthenticatedError):
        staff_auth.authenticate_token(session, token=value)


def test_signing_out_ends_only_that_session(session: Session) -> None:
    user = make_staff(session)
    ended = staff_auth.start_session(session, staff=user, max_age=timedelta(hours=8))
    kept = staff_auth.start_session(session, staff=user, max_age=timedelta(hours=8))
    staff_auth.end_session(session, cookie=ended.cookie)
    with pytest.raises(NotAuthenticatedError):
        staff_auth.session_for(session, cookie=ended.cookie, idle=timedelta(hours=1))
    assert staff_auth.session_for(session, cookie=kept.cookie, idle=timedelta(hours=1)).id == kept.record.id


def test_a_token_signs_in_until_it_is_revoked(session: Session) -> None:
    user = make_staff(session, role=StaffRole.SUPERVISOR)
    value, record = staff_auth.create_token(session, staff_id=user.id, name="ERP", actor=SYSTEM)
    assert staff_auth.authenticate_token(session, token=value) is user
    staff_auth.revoke_token(session, token_id=record.id, staff_id=user.id, actor=SYSTEM)
    with pytest.raises(NotAuthenticatedError):
        staff_auth.authenticate_token(session, token=value)


def test_only_a_hash_and_a_prefix_of_a_token_are_kept(session: Session) -> None:
    user = make_staff(session)
    value, record = staff_auth.create_token(session, staff_id=user.id, name="ERP", actor=SYSTEM)
    assert value.startswith("hs_") and record.prefix == value[:10] and value not in record.token_hash


def test_someone_elses_token_cannot_be_revoked(session: Session) -> None:
    owner, other = make_staff(session), make_staff(session)
    _value, record = staff_auth.create_token(session, staff_id=owner.id, name="ERP", actor=SYSTEM)
    with pytest.raises(NotFoundError):
        staff_auth.revoke_token(session, token_id=record.id, staff_id=other.id, actor=SYSTEM)
    assert record.revoked_at is None


def test_listed_tokens_are_the_live_ones_of_that_person(session: Session) -> None:
    owner, other = make_staff(session), make_staff(session)
    _v1, kept = staff_auth.create_token(session, staff_id=owner.id, name="ERP", actor=SYSTEM)
    _v2, revoked = staff_auth.create_token(session, staff_id=owner.id, name="old", actor=SYSTEM)
    staff_auth.create_token(session, staff_id=other.id, name="theirs", actor=SYSTEM)
    staff_auth.revoke_token(session, token_id=revoked.id, staff_id=owner.id, actor=SYSTEM)
    assert [t.id for t in staff_auth.list_tokens(session, staff_id=owner.id)] == [kept.id]

"""Signing in to the JSON API: a password buys a named token, throttled; staff see and revoke their tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import ApiToken, LoginAttempt
from tests.api.conftest import signed_in
from tests.factories import PASSWORD, make_staff, row_counts


def _login(client: TestClient, username: str, password: str = PASSWORD, **extra: str) -> object:
    return client.post("/api/auth/token", json={"username": username, "password": password, **extra})


def test_a_password_buys_a_named_token_that_signs_in(client: TestClient, session: Session) -> None:
    user = make_staff(session, username="li.na", password=PASSWORD, role=StaffRole.SUPERVISOR)
    session.commit()
    response = client.post(
        "/api/auth/token", json={"username": "li.na", "password": PASSWORD, "token_name": "ERP 对接"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["staff"]["id"], body["prefix"]) == ("ERP 对接", user.id, body["token"][:10])
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert (me.status_code, me.json()["role"]) == (200, "supervisor")


def test_a_wrong_password_is_a_401_that_says_nothing_more(client: TestClient, session: Session) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    session.commit()
    response = client.post("/api/auth/token", json={"username": "li.na", "password": "wrong-password-1"})
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "bad_credentials", "message": "用户名或密码不正确"}
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_five_failed_logins_are_answered_429_with_retry_after(client: TestClient, session: Session) -> None:
    make_staff(session, username="li.na", password=PASSWORD)
    session.commit()
    for _ in range(5):
        failed = client.post("/api/auth/token", json={"username": "li.na", "password": "wrong-password-1"})
        assert failed.status_code == 401
    refused = client.post("/api/auth/token", json={"username": "li.na", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    failures = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    assert session.scalar(failures) == 5


@pytest.mark.parametrize(
    "body",
    [
        {"username": "li.na"},
        {"password": PASSWORD},
        {"username": "", "password": PASSWORD},
        {"username": "li.na", "password": PASSWORD, "token_name": ""},
    ],
)
def test_a_malformed_login_is_a_422_and_stores_nothing(
    client: TestClient, session: Session, body: dict[str, str]
) -> None:
    before = row_counts(session)
    response = client.post("/api/auth/token", json=body)
    assert response.status_code == 422 and row_counts(session) == before


def test_me_says_who_the_token_belongs_to(client: TestClient, session: Session) -> None:
    user, headers = signed_in(session, StaffRole.MANAGER, display_name="陈经理")
    body = client.get("/api/me", headers=headers).json()
    assert (body["id"], body["display_name"], body["role"]) == (user.id, "陈经理", "manager")


def test_a_new_token_is_shown_once_and_then_listed_by_prefix(client: TestClient, session: Session) -> None:
    _user, headers = signed_in(session)
    created = client.post("/api/auth/tokens", headers=headers, json={"name": "报表脚本"})
    assert created.status_code == 201
    value = created.json()["token"]
    listed = client.get("/api/auth/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["API", "报表脚本"]
    assert all("token" not in t for t in listed) and listed[1]["prefix"] == value[:10]


def test_a_revoked_token_no_longer_signs_in(client: TestClient, session: Session) -> None:
    _user, headers = signed_in(session)
    created = client.post("/api/auth/tokens", headers=headers, json={"name": "临时"}).json()
    revoked = client.delete(f"/api/auth/tokens/{created['id']}", headers=headers)
    assert revoked.status_code == 204
    assert client.get("/api/me", headers={"Authorization": f"Bearer {created['token']}"}).status_code == 401
    assert client.get("/api/me", headers=headers).status_code == 200


def test_someone_elses_token_cannot_be_revoked(client: TestClient, session: Session) -> None:
    _owner, owner_headers = signed_in(session)
    _other, other_headers = signed_in(session, StaffRole.ADMIN)
    theirs = client.post("/api/auth/tokens", headers=owner_headers, json={"name": "我的"}).json()
    response = client.delete(f"/api/auth/tokens/{theirs['id']}", headers=other_headers)
    assert response.status_code == 404
    assert client.get("/api/me", headers={"Authorization": f"Bearer {theirs['token']}"}).status_code == 200


def test_a_token_name_that_is_too_long_is_a_422(client: TestClient, session: Session) -> None:
    _user, headers = signed_in(session)
    before = row_counts(session)
    response = client.post("/api/auth/tokens", headers=headers, json={"name": "长" * 101})
    assert response.status_code == 422 and row_counts(session) == before

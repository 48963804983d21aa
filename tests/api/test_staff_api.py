"""Admins manage staff accounts over the JSON API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from tests.api.conftest import signed_in
from tests.factories import PASSWORD, make_staff, row_counts

NEW = {"username": "wang.fang", "display_name": "王芳", "role": "agent", "password": "fresh-secret-2026"}


def test_an_admin_lists_every_account(client: TestClient, session: Session) -> None:
    admin, headers = signed_in(session, StaffRole.ADMIN)
    agent = make_staff(session)
    session.commit()
    ids = [u["id"] for u in client.get("/api/staff", headers=headers).json()]
    assert sorted(ids) == sorted([admin.id, agent.id])


def test_an_admin_creates_an_account_that_can_sign_in(client: TestClient, session: Session) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    response = client.post("/api/staff", headers=headers, json=NEW)
    assert response.status_code == 201, response.text
    assert (response.json()["username"], response.json()["role"]) == ("wang.fang", "agent")
    login = client.post("/api/auth/token", json={"username": "wang.fang", "password": "fresh-secret-2026"})
    assert login.status_code == 201


def test_a_taken_username_is_a_409_and_stores_nothing(client: TestClient, session: Session) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    make_staff(session, username="wang.fang")
    session.commit()
    before = row_counts(session)
    response = client.post("/api/staff", headers=headers, json=NEW)
    assert response.status_code == 409 and row_counts(session) == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"password": "short"}, "weak_password"),
        ({"username": "Wang Fang"}, "invalid_input"),
        ({"role": "boss"}, "invalid_input"),
        ({"email": "not-an-email"}, "invalid_input"),
        ({"display_name": ""}, "invalid_input"),
    ],
)
def test_a_bad_account_is_a_422_and_stores_nothing(
    client: TestClient, session: Session, change: dict[str, str], code: str
) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    before = row_counts(session)
    response = client.post("/api/staff", headers=headers, json={**NEW, **change})
    assert response.status_code == 422 and response.json()["error"]["code"] == code
    assert row_counts(session) == before


def test_an_admin_changes_a_role(client: TestClient, session: Session) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    agent = make_staff(session)
    session.commit()
    response = client.patch(f"/api/staff/{agent.id}", headers=headers, json={"role": "supervisor"})
    assert response.status_code == 200 and response.json()["role"] == "supervisor"


def test_a_disabled_account_is_signed_out_of_the_api(client: TestClient, session: Session) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    agent, agent_headers = signed_in(session)
    response = client.patch(f"/api/staff/{agent.id}", headers=headers, json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/me", headers=agent_headers).status_code == 401


def test_the_last_admin_cannot_be_demoted(client: TestClient, session: Session) -> None:
    admin, headers = signed_in(session, StaffRole.ADMIN)
    response = client.patch(f"/api/staff/{admin.id}", headers=headers, json={"role": "agent"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "last_admin"
    session.expire_all()
    assert session.get_one(StaffUser, admin.id).role is StaffRole.ADMIN


@pytest.mark.parametrize("body", [{}, {"role": None}, {"nickname": "x"}])
def test_a_change_with_nothing_to_change_is_a_422(
    client: TestClient, session: Session, body: dict[str, object]
) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    agent = make_staff(session)
    session.commit()
    assert client.patch(f"/api/staff/{agent.id}", headers=headers, json=body).status_code == 422


def test_changing_an_unknown_account_is_a_404(client: TestClient, session: Session) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    assert client.patch("/api/staff/99999", headers=headers, json={"role": "agent"}).status_code == 404


def test_a_new_password_replaces_the_old_and_ends_the_accounts_tokens(
    client: TestClient, session: Session
) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    agent, agent_headers = signed_in(session, username="li.na", password=PASSWORD)
    response = client.post(
        f"/api/staff/{agent.id}/password", headers=headers, json={"password": "another-secret-9"}
    )
    assert response.status_code == 204
    assert client.get("/api/me", headers=agent_headers).status_code == 401
    assert client.post("/api/auth/token", json={"username": "li.na", "password": PASSWORD}).status_code == 401
    assert (
        client.post("/api/auth/token", json={"username": "li.na", "password": "another-secret-9"}).status_code
        == 201
    )


def test_a_weak_new_password_is_a_422_and_keeps_the_old(client: TestClient, session: Session) -> None:
    _admin, headers = signed_in(session, StaffRole.ADMIN)
    agent, agent_headers = signed_in(session, password=PASSWORD)
    response = client.post(f"/api/staff/{agent.id}/password", headers=headers, json={"password": "1234"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "weak_password"
    assert client.get("/api/me", headers=agent_headers).status_code == 200

"""Every route says who may call it; the README's role matrix is the one the routes give; and every staff
route refuses a caller without a token (401) and one whose role is below its floor (403)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.access import ROLES, RouteRule, matrix_in, matrix_markdown, open_to, route_rules
from api.app import create_app
from api.deps import require_role
from crm_store.enums import StaffRole
from huisheng.settings import load_settings
from tests.api.conftest import token_for

README = Path(__file__).resolve().parents[2] / "README.md"
ROUTES = route_rules(create_app(load_settings(app={"environment": "test"})))
TOKEN_ROUTES = [
    r for r in ROUTES if r.rule is not None and r.rule.minimum is not None and r.rule.via == "token"
]
ABOVE_AGENT = [r for r in TOKEN_ROUTES if r.rule is not None and r.rule.minimum is not StaffRole.AGENT]
SESSION_ROUTES = [r for r in ROUTES if r.rule is not None and r.rule.via == "session"]


def _id(row: RouteRule) -> str:
    return f"{row.method} {row.path}"


def _url(row: RouteRule) -> str:
    return re.sub(r"\{[^}]+\}", "1", row.path)


def _unruled(app: FastAPI) -> list[str]:
    return [_id(row) for row in route_rules(app) if row.rule is None]


def test_every_route_of_the_app_has_a_rule() -> None:
    assert _unruled(create_app(load_settings(app={"environment": "test"}))) == []


def test_a_route_without_a_rule_is_found() -> None:
    app = FastAPI()
    guarded = APIRouter(dependencies=[Depends(require_role(StaffRole.AGENT))])

    @guarded.get("/guarded")
    def guarded_route() -> None: ...

    @app.get("/open", dependencies=[Depends(open_to("anyone"))])
    def open_route() -> None: ...

    @app.get("/forgotten")
    def forgotten() -> None: ...

    app.include_router(guarded, prefix="/api")
    assert _unruled(app) == ["GET /forgotten"]


def test_a_stricter_route_rule_wins_over_its_routers() -> None:
    rules = {_id(r): r.rule.minimum for r in ROUTES if r.rule is not None}
    assert rules["POST /api/escalations/{escalation_id}/assign"] is StaffRole.SUPERVISOR
    assert rules["GET /api/escalations/{escalation_id}"] is StaffRole.AGENT


def test_the_readme_role_matrix_is_the_one_the_routes_give() -> None:
    generated = matrix_markdown(create_app(load_settings(app={"environment": "test"})))
    assert matrix_in(README.read_text(encoding="utf-8")) == generated, (
        "README.md's role matrix is out of date: run .venv/bin/python scripts/role_matrix.py --write"
    )


@pytest.mark.parametrize("row", TOKEN_ROUTES, ids=_id)
def test_a_staff_route_refuses_a_caller_without_a_token(client: TestClient, row: RouteRule) -> None:
    response = client.request(row.method, _url(row), json={})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("row", ABOVE_AGENT, ids=_id)
def test_a_staff_route_refuses_the_role_just_below_its_floor(
    client: TestClient, session: Session, row: RouteRule
) -> None:
    assert row.rule is not None and row.rule.minimum is not None
    below = ROLES[ROLES.index(row.rule.minimum) - 1]
    response = client.request(row.method, _url(row), json={}, headers=token_for(session, below))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "permission_denied"


def test_the_floor_itself_gets_past_the_role_check(client: TestClient, session: Session) -> None:
    # Proves the 403s above come from the role: the same empty body from a supervisor is judged on its merits.
    response = client.post(
        "/api/escalations/1/assign", json={}, headers=token_for(session, StaffRole.SUPERVISOR)
    )
    assert response.status_code == 422


def test_console_pages_are_in_the_matrix_with_a_session_rule() -> None:
    matrix = matrix_markdown(create_app(load_settings(app={"environment": "test"})))
    for row in SESSION_ROUTES:
        assert f"| {row.method} | `{row.path}` |" in matrix and row.path.startswith("/console")

"""Canned replies over the JSON API: agents use them, supervisors keep the shop's list."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from huisheng.services import canned_replies
from huisheng.services.audit import SYSTEM
from tests.api.conftest import signed_in
from tests.factories import make_case, make_customer, make_order, row_counts

REPLY = {"title": "发货通知", "body": "{客户名}您好，订单{订单号}已发货。{客服名}", "shortcut": "发货"}


def test_agents_see_the_shops_replies_by_title(client: TestClient, session: Session) -> None:
    canned_replies.create_reply(session, title="问候", body="您好", actor=SYSTEM)
    canned_replies.create_reply(session, title="道歉", body="非常抱歉", actor=SYSTEM)
    _user, agent = signed_in(session)
    body = client.get("/api/canned-replies", headers=agent).json()
    assert [r["title"] for r in body] == sorted(["问候", "道歉"])


def test_a_supervisor_adds_a_reply(client: TestClient, session: Session) -> None:
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    response = client.post("/api/canned-replies", headers=supervisor, json=REPLY)
    assert response.status_code == 201
    assert {k: response.json()[k] for k in REPLY} == REPLY


def test_an_unknown_placeholder_is_a_422_naming_the_known_ones(client: TestClient, session: Session) -> None:
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    before = row_counts(session)
    response = client.post(
        "/api/canned-replies", headers=supervisor, json={**REPLY, "body": "{客户名}，快递{运单号}已发出"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (
        error["code"] == "unknown_placeholder"
        and "{运单号}" in error["message"]
        and "{订单号}" in error["message"]
    )
    assert row_counts(session) == before


def test_a_duplicate_title_is_a_409(client: TestClient, session: Session) -> None:
    canned_replies.create_reply(session, title="发货通知", body="已发货", actor=SYSTEM)
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    before = row_counts(session)
    response = client.post("/api/canned-replies", headers=supervisor, json=REPLY)
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate_canned_reply"
    assert row_counts(session) == before


def test_a_supervisor_replaces_a_reply(client: TestClient, session: Session) -> None:
    reply = canned_replies.create_reply(session, title="问候", body="您好", actor=SYSTEM)
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    response = client.put(f"/api/canned-replies/{reply.id}", headers=supervisor, json=REPLY)
    assert response.status_code == 200 and response.json()["title"] == "发货通知"


def test_a_removed_reply_leaves_the_list(client: TestClient, session: Session) -> None:
    reply = canned_replies.create_reply(session, title="问候", body="您好", actor=SYSTEM)
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    assert client.delete(f"/api/canned-replies/{reply.id}", headers=supervisor).status_code == 204
    assert client.get("/api/canned-replies", headers=supervisor).json() == []
    assert client.delete(f"/api/canned-replies/{reply.id}", headers=supervisor).status_code == 404


def test_a_reply_renders_for_a_case(client: TestClient, session: Session) -> None:
    customer = make_customer(session, name="李四")
    order = make_order(session, customer=customer)
    case = make_case(session, customer=customer)
    reply = canned_replies.create_reply(session, title="发货通知", body=REPLY["body"], actor=SYSTEM)
    _user, agent = signed_in(session, display_name="小王")
    response = client.get(
        f"/api/canned-replies/{reply.id}/render", params={"escalation_id": case.id}, headers=agent
    )
    assert response.status_code == 200
    assert response.json() == {"text": f"李四您好，订单{order.order_no}已发货。小王", "unfilled": []}


def test_a_reply_rendered_without_a_case_lists_what_is_unfilled(client: TestClient, session: Session) -> None:
    reply = canned_replies.create_reply(session, title="发货通知", body=REPLY["body"], actor=SYSTEM)
    _user, agent = signed_in(session, display_name="小王")
    body = client.get(f"/api/canned-replies/{reply.id}/render", headers=agent).json()
    assert body == {"text": "您您好，订单{订单号}已发货。小王", "unfilled": ["订单号"]}


def test_rendering_for_an_unknown_case_is_a_404(client: TestClient, session: Session) -> None:
    reply = canned_replies.create_reply(session, title="问候", body="您好", actor=SYSTEM)
    _user, agent = signed_in(session)
    response = client.get(
        f"/api/canned-replies/{reply.id}/render", params={"escalation_id": 99999}, headers=agent
    )
    assert response.status_code == 404

"""Staff look up customers: authentication, search, the 360 view and clear errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import Channel, EscalationCategory, OrderStatus, StaffRole
from huisheng.services import customers, escalations, tags
from tests.api.conftest import token_for
from tests.factories import make_customer, make_order


def test_customer_endpoints_need_a_staff_token(client: TestClient) -> None:
    response = client.get("/api/customers", params={"q": "张"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_refused(client: TestClient) -> None:
    response = client.get("/api/customers", params={"q": "张"}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_the_360_view_shows_identities_orders_tags_and_open_cases(
    client: TestClient, session: Session, agent_headers: dict[str, str]
) -> None:
    customer = make_customer(session, external_id="visitor-360", name="李四")
    customers.link_identity(session, customer_id=customer.id, channel=Channel.WECHAT, external_id="oLisi")
    order = make_order(session, customer=customer, status=OrderStatus.SHIPPED)
    tags.tag_customer(session, customer_id=customer.id, tag="VIP")
    case = escalations.open_escalation(
        session, customer_id=customer.id, category=EscalationCategory.COMPLAINT, description="发错货"
    )
    session.commit()

    response = client.get(f"/api/customers/{customer.id}", headers=agent_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "李四"
    assert {(i["channel"], i["external_id"]) for i in body["identities"]} == {
        ("web", "visitor-360"),
        ("wechat", "oLisi"),
    }
    assert [o["order_no"] for o in body["recent_orders"]] == [order.order_no]
    assert body["tags"] == ["VIP"]
    assert [e["ticket_no"] for e in body["open_escalations"]] == [case.ticket_no]


def test_lookup_by_wechat_openid(client: TestClient, session: Session, agent_headers: dict[str, str]) -> None:
    customer = make_customer(session, channel=Channel.WECHAT, external_id="oFindMe")
    session.commit()
    response = client.get(
        "/api/customers/by-identity",
        params={"channel": "wechat", "external_id": "oFindMe"},
        headers=agent_headers,
    )
    assert response.status_code == 200 and response.json()["id"] == customer.id


def test_an_unknown_customer_is_a_404_with_a_message(
    client: TestClient, agent_headers: dict[str, str]
) -> None:
    response = client.get("/api/customers/987654", headers=agent_headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "customer 987654 does not exist"}}


def test_a_bad_channel_is_a_422_naming_the_field(client: TestClient, agent_headers: dict[str, str]) -> None:
    response = client.get(
        "/api/customers/by-identity", params={"channel": "fax", "external_id": "1"}, headers=agent_headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query.channel"


def test_search_finds_by_name(client: TestClient, session: Session, agent_headers: dict[str, str]) -> None:
    customer = make_customer(session, name="王小明")
    session.commit()
    response = client.get("/api/customers", params={"q": "小明"}, headers=agent_headers)
    assert [c["id"] for c in response.json()] == [customer.id]


def test_a_supervisor_merges_two_records_and_keeps_both_histories(
    client: TestClient, session: Session
) -> None:
    target = make_customer(session, channel=Channel.WEB, external_id="web-merge-a")
    source = make_customer(session, channel=Channel.WECHAT, external_id="oMergeB")
    make_order(session, customer=source, order_no="202412019999")
    session.commit()
    response = client.post(
        f"/api/customers/{target.id}/merge",
        headers=token_for(session, StaffRole.SUPERVISOR),
        json={"source_customer_id": source.id, "reason": "客户来电确认两个账号都是本人"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(i["channel"] for i in body["identities"]) == ["web", "wechat"]
    assert [o["order_no"] for o in body["recent_orders"]] == ["202412019999"]


def test_an_agent_may_not_merge_customers(client: TestClient, session: Session) -> None:
    target = make_customer(session, external_id="web-merge-c")
    source = make_customer(session, external_id="web-merge-d")
    session.commit()
    response = client.post(
        f"/api/customers/{target.id}/merge",
        headers=token_for(session, StaffRole.AGENT),
        json={"source_customer_id": source.id, "reason": "同一人"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("body", [{"source_customer_id": 0, "reason": "x"}, {"source_customer_id": 5}])
def test_a_malformed_merge_is_a_422(client: TestClient, session: Session, body: dict[str, object]) -> None:
    target = make_customer(session, external_id="web-merge-e")
    session.commit()
    response = client.post(
        f"/api/customers/{target.id}/merge", headers=token_for(session, StaffRole.SUPERVISOR), json=body
    )
    assert response.status_code == 422

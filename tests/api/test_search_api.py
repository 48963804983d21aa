"""One search box over the JSON API: customers and messages, masked per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from huisheng.services import customers
from tests.api.conftest import signed_in
from tests.factories import make_customer, make_order


def test_search_finds_a_customer_by_order_number_with_the_phone_masked(
    client: TestClient, session: Session
) -> None:
    customer = make_customer(session, name="李四")
    customers.update_contact(session, customer_id=customer.id, phone="13800138000")
    make_order(session, customer=customer, order_no="202412240007")
    _user, agent = signed_in(session)
    response = client.get("/api/search", params={"q": "20241224"}, headers=agent)
    assert response.status_code == 200
    assert response.json()["customers"] == [
        {
            "customer_id": customer.id,
            "name": "李四",
            "phone": "138****8000",
            "tier": "regular",
            "matched": ["订单号 202412240007"],
        }
    ]


def test_a_supervisor_sees_the_phone_in_full(client: TestClient, session: Session) -> None:
    customer = make_customer(session, name="李四")
    customers.update_contact(session, customer_id=customer.id, phone="13800138000")
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    body = client.get("/api/search", params={"q": "李四"}, headers=supervisor).json()
    assert body["customers"][0]["phone"] == "13800138000"


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "长" * 101}])
def test_a_missing_or_oversized_query_is_a_422(
    client: TestClient, session: Session, params: dict[str, str]
) -> None:
    _user, agent = signed_in(session)
    assert client.get("/api/search", params=params, headers=agent).status_code == 422

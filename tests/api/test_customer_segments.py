"""The customer 360 page and JSON view show the computed segments: the RFM value tier and the behaviour tags,
each with its reason and when it was computed."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import SegmentKind
from crm_store.models import Customer, CustomerSegment
from tests.api.test_console_pages import sign_in
from tests.factories import make_customer

COMPUTED_AT = datetime(2026, 11, 30, 6, 15, tzinfo=UTC)


def segmented(session: Session) -> Customer:
    customer = make_customer(session)
    session.add_all(
        [
            CustomerSegment(
                customer_id=customer.id,
                kind=SegmentKind.RFM,
                name="重要挽留",
                reason="上次购买在 75 天前（阈值 30 天），消费 ¥1200（阈值 ¥300）",
                computed_at=COMPUTED_AT,
            ),
            CustomerSegment(
                customer_id=customer.id,
                kind=SegmentKind.BEHAVIOUR,
                name="价格敏感",
                reason="3 条评价抱怨价格",
                computed_at=COMPUTED_AT,
            ),
        ]
    )
    session.commit()
    return customer


def test_the_customer_page_shows_the_value_tier_and_behaviour_tags_with_reasons(
    client: TestClient, session: Session
) -> None:
    sign_in(client, session)
    customer = segmented(session)
    page = client.get(f"/console/customers/{customer.id}")
    assert page.status_code == 200
    assert 'RFM 价值分层</span> <span class="chip tag">重要挽留</span>' in page.text
    assert '行为标签</span> <span class="chip tag">价格敏感</span>' in page.text
    assert "上次购买在 75 天前（阈值 30 天）" in page.text and "3 条评价抱怨价格" in page.text
    assert "计算于 2026-11-30 14:15" in page.text  # shown in China time


def test_a_customer_without_computed_segments_says_so(client: TestClient, session: Session) -> None:
    sign_in(client, session)
    customer = make_customer(session)
    session.commit()
    page = client.get(f"/console/customers/{customer.id}").text
    assert "还没有计算分群" in page and "RFM 价值分层" not in page


def test_the_json_360_view_has_the_value_tier_and_behaviour_tags(
    client: TestClient, session: Session, agent_headers: dict[str, str]
) -> None:
    customer = segmented(session)
    body = client.get(f"/api/customers/{customer.id}", headers=agent_headers).json()
    assert body["value_tier"] == {
        "kind": "rfm",
        "name": "重要挽留",
        "reason": "上次购买在 75 天前（阈值 30 天），消费 ¥1200（阈值 ¥300）",
        "computed_at": "2026-11-30T06:15:00Z",
    }
    assert [(t["name"], t["reason"]) for t in body["behaviour_tags"]] == [("价格敏感", "3 条评价抱怨价格")]


def test_the_json_360_view_without_segments_has_no_tier(
    client: TestClient, session: Session, agent_headers: dict[str, str]
) -> None:
    customer = make_customer(session)
    session.commit()
    body = client.get(f"/api/customers/{customer.id}", headers=agent_headers).json()
    assert body["value_tier"] is None and body["behaviour_tags"] == []

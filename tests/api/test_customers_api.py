"""Staff look up customers: authentication, search, the 360 view and clear errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, EscalationCategory, OrderStatus, SentimentLabel, StaffRole
from crm_store.models import AuditEntry
from huisheng.services import conversations, csat, customer_notes, customers, escalations, reviews, tags
from huisheng.services.audit import SYSTEM
from huisheng.services.reviews import AspectResult, ReviewAnalysis
from tests.api.conftest import token_for
from tests.factories import make_customer, make_order, row_counts


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


def _analysis(score: float) -> ReviewAnalysis:
    return ReviewAnalysis(
        tokens=["物流", "太慢"],
        keywords=["物流"],
        sentiment_label=SentimentLabel.NEGATIVE,
        sentiment_score=score,
        model_version="stub@1",
        aspects=[AspectResult("物流", SentimentLabel.NEGATIVE, 0.05, "物流太慢")],
    )


def test_the_360_view_shows_reviews_with_aspects_cases_csat_and_notes(
    client: TestClient, session: Session
) -> None:
    customer = make_customer(session, name="李四")
    reviews.store_review(
        session, source="shop", text="物流太慢", customer_id=customer.id, rating=2, analysis=_analysis(0.05)
    )
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    csat.record_csat(session, conversation_id=conversation.id, score=4, comment="还行")
    case = escalations.open_escalation(
        session, customer_id=customer.id, category=EscalationCategory.LOGISTICS, description="催物流"
    )
    customer_notes.add_note(session, customer_id=customer.id, text="老客户，语气要客气", actor=SYSTEM)
    session.commit()
    body = client.get(f"/api/customers/{customer.id}", headers=token_for(session, StaffRole.AGENT)).json()
    assert body["masked"] is True
    assert [
        (r["text"], r["sentiment_label"], [a["aspect"] for a in r["aspects"]]) for r in body["reviews"]
    ] == [("物流太慢", "negative", ["物流"])]
    assert [e["ticket_no"] for e in body["escalations"]] == [case.ticket_no]
    assert [(c["conversation_id"], c["score"], c["comment"]) for c in body["csat_history"]] == [
        (conversation.id, 4, "还行")
    ]
    assert (body["average_csat"], [n["text"] for n in body["notes"]]) == (4.0, ["老客户，语气要客气"])


def test_the_look_up_box_masks_the_phone_for_an_agent(client: TestClient, session: Session) -> None:
    customer = make_customer(session, name="王小明")
    customers.update_contact(session, customer_id=customer.id, phone="13800138000")
    session.commit()
    body = client.get(
        "/api/customers", params={"q": "小明"}, headers=token_for(session, StaffRole.AGENT)
    ).json()
    assert [(c["id"], c["phone"]) for c in body] == [(customer.id, "138****8000")]


def test_revealing_the_phone_shows_it_and_is_audited(client: TestClient, session: Session) -> None:
    customer = make_customer(session)
    customers.update_contact(session, customer_id=customer.id, phone="13800138000")
    session.commit()
    response = client.post(
        f"/api/customers/{customer.id}/reveal",
        headers=token_for(session, StaffRole.AGENT),
        json={"field": "phone"},
    )
    assert response.status_code == 200 and response.json() == {"field": "phone", "values": ["13800138000"]}
    revealed = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.pii_revealed")).one()
    assert (revealed.entity_id, revealed.details) == (customer.id, {"field": "phone"})


@pytest.mark.parametrize("body", [{"field": "id_card"}, {}, {"field": "phone", "why": "x"}])
def test_a_bad_reveal_is_a_422_and_not_audited(
    client: TestClient, session: Session, body: dict[str, str]
) -> None:
    customer = make_customer(session)
    headers = token_for(session, StaffRole.AGENT)
    before = row_counts(session)
    response = client.post(f"/api/customers/{customer.id}/reveal", headers=headers, json=body)
    assert response.status_code == 422 and row_counts(session) == before


def test_a_note_on_the_customer_is_kept_with_its_author(client: TestClient, session: Session) -> None:
    customer = make_customer(session)
    session.commit()
    response = client.post(
        f"/api/customers/{customer.id}/notes",
        headers=token_for(session, StaffRole.AGENT),
        json={"text": "只接受顺丰"},
    )
    assert response.status_code == 201
    assert response.json()["text"] == "只接受顺丰" and response.json()["author_label"].startswith("agent")


def test_an_empty_customer_note_is_a_422_and_stores_nothing(client: TestClient, session: Session) -> None:
    customer = make_customer(session)
    headers = token_for(session, StaffRole.AGENT)
    before = row_counts(session)
    response = client.post(f"/api/customers/{customer.id}/notes", headers=headers, json={"text": ""})
    assert response.status_code == 422 and row_counts(session) == before


def test_customer_tags_are_added_and_removed(client: TestClient, session: Session) -> None:
    customer = make_customer(session)
    headers = token_for(session, StaffRole.AGENT)
    added = client.post(f"/api/customers/{customer.id}/tags", headers=headers, json={"tag": "批发客户"})
    assert added.status_code == 200 and added.json() == {"customer_id": customer.id, "tags": ["批发客户"]}
    removed = client.delete(f"/api/customers/{customer.id}/tags/批发客户", headers=headers)
    assert removed.status_code == 200 and removed.json()["tags"] == []


def test_tagging_an_unknown_customer_is_a_404(client: TestClient, session: Session) -> None:
    headers = token_for(session, StaffRole.AGENT)
    before = row_counts(session)
    response = client.post("/api/customers/99999/tags", headers=headers, json={"tag": "VIP"})
    assert response.status_code == 404 and row_counts(session) == before

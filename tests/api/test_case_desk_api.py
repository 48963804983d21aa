"""Working a case's conversation over the JSON API: replies that reach the widget, hand-back to the bot,
resolve that closes the conversation, internal notes and tags."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import ConversationStatus, EscalationStatus, ResolutionReason, StaffRole
from crm_store.models import Conversation, Escalation
from huisheng.services import case_work, conversations
from tests.api.conftest import signed_in
from tests.factories import make_case, make_staff, row_counts
from tests.stubs import FakeRasa

pytestmark = pytest.mark.usefixtures("fake_rasa")


def _visitor(client: TestClient) -> dict[str, str]:
    token = client.post("/api/chat/visitors", json={}).json()["visitor_token"]
    return {"Authorization": f"Bearer {token}"}


def _widget_case(client: TestClient, session: Session, visitor: dict[str, str]) -> Escalation:
    """A widget customer who complained and asked for a person: their handed-over case."""
    turn = client.post(
        "/api/chat/messages", headers=visitor, json={"text": "东西太差了，我要投诉", "client_id": "c-1"}
    ).json()
    case = conversations.hand_over(session, conversation_id=turn["conversation_id"], reason="asked")
    session.commit()
    return case


def _widget_texts(client: TestClient, visitor: dict[str, str]) -> list[str]:
    return [m["text"] for m in client.get("/api/chat/history", headers=visitor).json()["messages"]]


def _fresh(session: Session, case: Escalation) -> Escalation:
    session.expire_all()
    return session.get_one(Escalation, case.id)


def _claimed(client: TestClient, session: Session) -> tuple[Escalation, dict[str, str], dict[str, str]]:
    visitor = _visitor(client)
    case = _widget_case(client, session, visitor)
    me, agent = signed_in(session)
    case_work.claim(session, escalation_id=case.id, staff=me, version=case.version)
    session.commit()
    return case, agent, visitor


def test_a_reply_reaches_the_customers_widget_and_starts_the_work(
    client: TestClient, session: Session
) -> None:
    case, agent, visitor = _claimed(client, session)
    response = client.post(
        f"/api/escalations/{case.id}/replies",
        headers=agent,
        json={"text": "您好，马上为您处理", "client_id": "r-1"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["case"]["status"], body["conversation"]["status"]) == ("in_progress", "with_staff")
    assert body["case"]["version"] == _fresh(session, case).version
    assert _widget_texts(client, visitor)[-1] == "您好，马上为您处理"


def test_a_double_submitted_reply_posts_once(client: TestClient, session: Session) -> None:
    case, agent, visitor = _claimed(client, session)
    answers = [
        client.post(
            f"/api/escalations/{case.id}/replies", headers=agent, json={"text": "稍等", "client_id": "r-dup"}
        )
        for _ in range(2)
    ]
    assert [a.json()["conversation"]["duplicate"] for a in answers] == [False, True]
    assert _widget_texts(client, visitor).count("稍等") == 1


def test_a_reply_with_an_unfilled_placeholder_is_refused_and_sends_nothing(
    client: TestClient, session: Session
) -> None:
    case, agent, visitor = _claimed(client, session)
    before, shown = row_counts(session), _widget_texts(client, visitor)
    response = client.post(
        f"/api/escalations/{case.id}/replies",
        headers=agent,
        json={"text": "您的订单{订单号}已发货", "client_id": "r-2"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unfilled_placeholder" and "{订单号}" in error["message"]
    assert row_counts(session) == before and _widget_texts(client, visitor) == shown


@pytest.mark.parametrize(
    "body", [{"text": "好的"}, {"text": "", "client_id": "r-3"}, {"text": "好", "client_id": "a b"}]
)
def test_a_malformed_reply_is_a_422(client: TestClient, session: Session, body: dict[str, str]) -> None:
    case, agent, _visitor_headers = _claimed(client, session)
    response = client.post(f"/api/escalations/{case.id}/replies", headers=agent, json=body)
    assert response.status_code == 422


def test_an_agent_may_not_reply_on_someone_elses_case(client: TestClient, session: Session) -> None:
    case, _agent, visitor = _claimed(client, session)
    _other, other_headers = signed_in(session)
    shown = _widget_texts(client, visitor)
    response = client.post(
        f"/api/escalations/{case.id}/replies",
        headers=other_headers,
        json={"text": "我来", "client_id": "r-4"},
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_your_case"
    assert _widget_texts(client, visitor) == shown


def test_a_case_without_a_conversation_cannot_be_replied_to(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    response = client.post(
        f"/api/escalations/{case.id}/replies", headers=agent, json={"text": "您好", "client_id": "r-5"}
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "no_conversation"


def test_release_hands_the_conversation_back_to_the_bot(
    client: TestClient, session: Session, fake_rasa: FakeRasa
) -> None:
    case, agent, _visitor_headers = _claimed(client, session)
    client.post(
        f"/api/escalations/{case.id}/replies", headers=agent, json={"text": "您好", "client_id": "r-6"}
    )
    response = client.post(f"/api/escalations/{case.id}/release", headers=agent)
    assert response.status_code == 200
    assert response.json()["conversation"]["status"] == "bot"
    assert "resume" in [event for _sender, event in fake_rasa.events]


def test_resolve_closes_the_conversation_and_asks_the_customer_for_a_rating(
    client: TestClient, session: Session
) -> None:
    case, agent, visitor = _claimed(client, session)
    response = client.post(
        f"/api/escalations/{case.id}/resolve",
        headers=agent,
        json={"version": case.version, "reason": "refunded", "resolution": "已全额退款"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["case"]["status"], body["case"]["resolution_reason"]) == ("resolved", "refunded")
    assert body["conversation"]["status"] == "closed"
    assert body["conversation"]["messages"][-1]["presentation"] == "rating"
    stored = _fresh(session, case)
    assert (stored.status, stored.resolution_reason, stored.resolution) == (
        EscalationStatus.RESOLVED,
        ResolutionReason.REFUNDED,
        "已全额退款",
    )
    assert session.get_one(Conversation, case.conversation_id).status is ConversationStatus.CLOSED
    assert len(_widget_texts(client, visitor)) >= 3


def test_a_stale_resolve_is_a_409_and_leaves_case_and_conversation_open(
    client: TestClient, session: Session
) -> None:
    case, agent, visitor = _claimed(client, session)
    seen = case.version
    case_work.add_tag(session, escalation_id=case.id, staff=make_staff(session), tag="加急")
    session.commit()
    before, shown = row_counts(session), _widget_texts(client, visitor)
    response = client.post(
        f"/api/escalations/{case.id}/resolve",
        headers=agent,
        json={"version": seen, "reason": "solved", "resolution": "已处理"},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "stale_version"
    assert row_counts(session) == before and _widget_texts(client, visitor) == shown
    assert session.get_one(Conversation, case.conversation_id).status is ConversationStatus.WAITING_FOR_STAFF


def test_resolving_a_case_without_a_conversation_answers_no_conversation(
    client: TestClient, session: Session
) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    response = client.post(
        f"/api/escalations/{case.id}/resolve",
        headers=agent,
        json={"version": case.version, "reason": "explained", "resolution": "电话说明了退货规则"},
    )
    assert response.status_code == 200
    assert (response.json()["case"]["status"], response.json()["conversation"]) == ("resolved", None)


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "solved", "resolution": "好"},
        {"version": 1, "reason": "lucky", "resolution": "好"},
        {"version": 1, "reason": "solved", "resolution": ""},
    ],
)
def test_a_malformed_resolve_is_a_422(client: TestClient, session: Session, body: dict[str, object]) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    before = row_counts(session)
    response = client.post(f"/api/escalations/{case.id}/resolve", headers=agent, json=body)
    assert response.status_code == 422 and row_counts(session) == before


def test_the_conversation_route_records_a_reason_on_its_case(client: TestClient, session: Session) -> None:
    case, agent, _visitor_headers = _claimed(client, session)
    response = client.post(
        f"/api/conversations/{case.conversation_id}/resolve", headers=agent, json={"resolution": "已补发"}
    )
    assert response.status_code == 200
    stored = _fresh(session, case)
    assert (stored.status, stored.resolution_reason) == (EscalationStatus.RESOLVED, ResolutionReason.SOLVED)


def test_a_note_is_kept_on_the_case_and_never_shown_to_the_customer(
    client: TestClient, session: Session
) -> None:
    case, agent, visitor = _claimed(client, session)
    response = client.post(
        f"/api/escalations/{case.id}/notes", headers=agent, json={"text": "客户情绪激动，先安抚"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["note"]["kind"], body["note"]["note"]) == ("note", "客户情绪激动，先安抚")
    assert body["case"]["version"] == _fresh(session, case).version
    assert "客户情绪激动，先安抚" not in _widget_texts(client, visitor)


def test_an_empty_note_is_a_422_and_stores_nothing(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    before = row_counts(session)
    response = client.post(f"/api/escalations/{case.id}/notes", headers=agent, json={"text": "   "})
    assert response.status_code == 422 and row_counts(session) == before


def test_tags_are_added_and_removed(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    added = client.post(f"/api/escalations/{case.id}/tags", headers=agent, json={"tag": "加急"})
    assert added.status_code == 200 and added.json()["tags"] == ["加急"]
    removed = client.delete(f"/api/escalations/{case.id}/tags/加急", headers=agent)
    assert removed.status_code == 200 and removed.json()["tags"] == []


def test_removing_a_tag_the_case_lacks_keeps_its_version(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    response = client.delete(f"/api/escalations/{case.id}/tags/VIP", headers=agent)
    assert response.status_code == 200 and response.json()["version"] == case.version


def test_a_supervisor_may_reply_on_any_case(client: TestClient, session: Session) -> None:
    case, _agent, visitor = _claimed(client, session)
    _boss, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    response = client.post(
        f"/api/escalations/{case.id}/replies",
        headers=supervisor,
        json={"text": "我是主管", "client_id": "r-7"},
    )
    assert response.status_code == 200 and _widget_texts(client, visitor)[-1] == "我是主管"

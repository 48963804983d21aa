"""The website widget's endpoints: signed visitors, messages, buttons, history, and the staff loop."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import Conversation
from huisheng.runtime import Runtime
from huisheng.services import conversations
from tests.api.conftest import token_for
from tests.factories import row_counts
from tests.stubs import FakeRasa, install_fake_rasa, shop_answers


@pytest.fixture()
def rasa(runtime: Runtime) -> FakeRasa:
    rasa = FakeRasa(shop_answers)
    install_fake_rasa(runtime, rasa)
    return rasa


@pytest.fixture()
def visitor(client: TestClient) -> dict[str, str]:
    token = client.post("/api/chat/visitors", json={}).json()["visitor_token"]
    return {"Authorization": f"Bearer {token}"}


def _send(client: TestClient, headers: dict[str, str], text: str, client_id: str, **extra: object) -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/api/chat/messages", headers=headers, json={"text": text, "client_id": client_id, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_new_visitor_gets_a_signed_token_and_the_shop_greeting(client: TestClient) -> None:
    body = client.post("/api/chat/visitors", json={"visitor_token": None}).json()
    assert body["visitor_token"].startswith("v1.") and body["shop"]["name"] == "回声小店"


def test_a_returning_visitor_keeps_their_token(client: TestClient, visitor: dict[str, str]) -> None:
    token = visitor["Authorization"].removeprefix("Bearer ")
    assert client.post("/api/chat/visitors", json={"visitor_token": token}).json()["visitor_token"] == token


def test_a_forged_token_is_not_accepted_but_answered_with_a_new_visitor(
    client: TestClient, visitor: dict[str, str]
) -> None:
    token = visitor["Authorization"].removeprefix("Bearer ")
    forged = token.rsplit(".", 1)[0] + ".AAAA"
    fresh = client.post("/api/chat/visitors", json={"visitor_token": forged}).json()["visitor_token"]
    assert fresh != forged and fresh.split(".")[1] != token.split(".")[1]
    response = client.post(
        "/api/chat/messages",
        headers={"Authorization": f"Bearer {forged}"},
        json={"text": "你好", "client_id": "c1"},
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_visitor_token"


def test_a_message_without_a_visitor_token_is_a_401_and_nothing_is_stored(
    client: TestClient, rasa: FakeRasa, session: Session
) -> None:
    before = row_counts(session)
    response = client.post("/api/chat/messages", json={"text": "你好", "client_id": "c1"})
    assert response.status_code == 401
    assert row_counts(session) == before and rasa.received == []


def test_a_widget_message_gets_the_bots_reply(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str]
) -> None:
    body = _send(client, visitor, "你好", "c-1")
    assert [r["text"] for r in body["replies"]] == ["收到: 你好"] and body["status"] == "bot"
    assert body["message"]["client_id"] == "c-1" and body["message"]["sender"] == "customer"
    assert rasa.received[0]["sender"].startswith("web:v")


def test_a_resent_message_returns_the_stored_replies_of_the_original(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str]
) -> None:
    first = _send(client, visitor, "你好", "c-same")
    again = _send(client, visitor, "你好", "c-same")
    assert again["duplicate"] is True and again["replies"] == first["replies"]
    assert len(rasa.received) == 1


def test_a_tapped_chip_sends_the_buttons_payload(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str]
) -> None:
    offer = _send(client, visitor, "改地址", "c-1")["replies"][0]
    assert (
        offer["buttons"] == [{"title": "转人工"}, {"title": "不用了"}] and offer["presentation"] == "buttons"
    )
    assert "payload" not in str(offer)
    turn = _send(client, visitor, "不用了", "c-2", choice={"message_id": offer["id"], "index": 1})
    assert rasa.received[-1]["message"] == "/deny" and turn["message"]["text"] == "不用了"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "", "client_id": "c1"}, "text"),
        ({"text": "   ", "client_id": "c1"}, "text"),
        ({"text": "好" * 10_001, "client_id": "c1"}, "text"),
        ({"text": "你好", "client_id": ""}, "client_id"),
        ({"text": "你好", "client_id": "a b"}, "client_id"),
        ({"text": "你好"}, "client_id"),
        ({"text": "你好", "client_id": "c1", "choice": {"message_id": 0, "index": 0}}, "choice.message_id"),
    ],
)
def test_bad_messages_are_a_422_naming_the_field_and_store_nothing(
    client: TestClient,
    rasa: FakeRasa,
    visitor: dict[str, str],
    session: Session,
    body: dict,
    field: str,  # type: ignore[type-arg]
) -> None:
    before = row_counts(session)
    response = client.post("/api/chat/messages", headers=visitor, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert field in (error.get("details", {}) and str(error["details"])) or field in error["message"]
    assert row_counts(session) == before and rasa.received == []


def test_a_body_that_is_not_utf8_json_is_a_400_saying_so(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str]
) -> None:
    response = client.post(
        "/api/chat/messages",
        headers={**visitor, "Content-Type": "application/json"},
        content=b'{"text": "\xff\xfe", "client_id": "c1"}',
    )
    assert response.status_code == 400 and rasa.received == []
    assert response.json()["error"]["message"] == "the request body is not valid JSON in UTF-8"


def test_history_shows_the_visitors_messages_oldest_first(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str]
) -> None:
    assert client.get("/api/chat/history", headers=visitor).json() == {
        "status": None,
        "agent": None,
        "messages": [],
    }
    _send(client, visitor, "你好", "c-1")
    _send(client, visitor, "在吗", "c-2")
    history = client.get("/api/chat/history", headers=visitor).json()
    assert [m["text"] for m in history["messages"]] == ["你好", "收到: 你好", "在吗", "收到: 在吗"]
    assert history["status"] == "bot"


def test_one_visitor_never_sees_another_visitors_history(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str]
) -> None:
    _send(client, visitor, "我的手机号是13800138000", "c-1")
    other = client.post("/api/chat/visitors", json={}).json()["visitor_token"]
    history = client.get("/api/chat/history", headers={"Authorization": f"Bearer {other}"}).json()
    assert history["messages"] == []


def test_staff_reply_release_and_resolve_close_the_loop(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str], session: Session
) -> None:
    turn = _send(client, visitor, "你好", "c-1")
    conversations.hand_over(session, conversation_id=turn["conversation_id"], reason="asked")
    session.commit()
    agent = token_for(session, StaffRole.AGENT)
    cid = turn["conversation_id"]

    waiting = _send(client, visitor, "人呢", "c-2")
    assert waiting["status"] == "waiting_for_staff" and [r["text"] for r in waiting["replies"]] == [
        "已收到，客服马上回复您。"
    ]

    reply = client.post(
        f"/api/conversations/{cid}/replies", headers=agent, json={"text": "您好，我是客服", "client_id": "s1"}
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["status"] == "with_staff" and body["agent"]["display_name"]
    assert [m["sender"] for m in body["messages"]] == ["system", "staff"]
    assert "已接入" in body["messages"][0]["text"]

    history = client.get("/api/chat/history", headers=visitor).json()
    assert history["status"] == "with_staff" and history["messages"][-1]["text"] == "您好，我是客服"
    assert history["messages"][-1]["staff_name"] == body["agent"]["display_name"]

    # The bot stays silent while the person is there.
    assert _send(client, visitor, "好的", "c-3")["replies"] == []

    released = client.post(f"/api/conversations/{cid}/release", headers=agent)
    assert released.status_code == 200 and released.json()["status"] == "bot"
    assert "resume" in [event for _sender, event in rasa.events]
    assert [r["text"] for r in _send(client, visitor, "查订单", "c-4")["replies"]] == ["收到: 查订单"]

    conversations.hand_over(session, conversation_id=cid, reason="asked again")
    session.commit()
    resolved = client.post(f"/api/conversations/{cid}/resolve", headers=agent, json={"resolution": "已补发"})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "closed"
    question = resolved.json()["messages"][-1]
    assert question["presentation"] == "rating" and len(question["buttons"]) == 5

    # The stars are answered from the customer's next conversation and rate the resolved one.
    asked = len(rasa.received)
    rated = _send(client, visitor, "4分", "c-5", choice={"message_id": question["id"], "index": 1})
    assert rated["conversation_id"] != cid and "感谢您的评价" in rated["replies"][0]["text"]
    assert len(rasa.received) == asked
    assert session.get(Conversation, cid).csat_score == 4  # type: ignore[union-attr]


def test_a_double_submitted_staff_reply_posts_once(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str], session: Session
) -> None:
    cid = _send(client, visitor, "你好", "c-1")["conversation_id"]
    conversations.hand_over(session, conversation_id=cid, reason="asked")
    session.commit()
    agent = token_for(session, StaffRole.AGENT)
    for _ in range(2):
        client.post(
            f"/api/conversations/{cid}/replies", headers=agent, json={"text": "稍等", "client_id": "s-dup"}
        )
    texts = [m["text"] for m in client.get("/api/chat/history", headers=visitor).json()["messages"]]
    assert texts.count("稍等") == 1


def test_an_agent_may_not_reply_to_a_conversation_that_is_not_in_the_queue(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str], session: Session
) -> None:
    cid = _send(client, visitor, "你好", "c-1")["conversation_id"]
    agent = token_for(session, StaffRole.AGENT)
    before = row_counts(session)
    response = client.post(f"/api/conversations/{cid}/replies", headers=agent, json={"text": "hi"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_your_conversation"
    assert row_counts(session) == before


def test_a_supervisor_may_step_into_a_bot_conversation(
    client: TestClient, rasa: FakeRasa, visitor: dict[str, str], session: Session
) -> None:
    cid = _send(client, visitor, "你好", "c-1")["conversation_id"]
    supervisor = token_for(session, StaffRole.SUPERVISOR)
    response = client.post(f"/api/conversations/{cid}/replies", headers=supervisor, json={"text": "我来帮您"})
    assert response.status_code == 200 and response.json()["status"] == "with_staff"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/conversations/999999/replies", {"text": "hi"}, 404),
        ("/api/conversations/0/replies", {"text": "hi"}, 422),
        ("/api/conversations/abc/replies", {"text": "hi"}, 422),
        ("/api/conversations/999999/release", None, 404),
        ("/api/conversations/999999/resolve", {"resolution": "ok"}, 404),
    ],
)
def test_unknown_or_malformed_conversation_ids_are_clear_4xx(
    client: TestClient, session: Session, path: str, body: object, status: int
) -> None:
    agent = token_for(session, StaffRole.AGENT)
    response = client.post(path, headers=agent, json=body)
    assert response.status_code == status and response.json()["error"]["message"]


@pytest.mark.parametrize("body", [{"text": ""}, {"text": " \n "}, {"text": "好" * 10_001}, {}])
def test_bad_staff_replies_are_a_422(
    client: TestClient,
    rasa: FakeRasa,
    visitor: dict[str, str],
    session: Session,
    body: dict,  # type: ignore[type-arg]
) -> None:
    cid = _send(client, visitor, "你好", "c-1")["conversation_id"]
    supervisor = token_for(session, StaffRole.SUPERVISOR)
    response = client.post(f"/api/conversations/{cid}/replies", headers=supervisor, json=body)
    assert response.status_code == 422


def test_staff_routes_need_a_staff_token(client: TestClient, visitor: dict[str, str]) -> None:
    assert client.post("/api/conversations/1/replies", json={"text": "hi"}).status_code == 401
    # A visitor token is not a staff token.
    assert (
        client.post("/api/conversations/1/replies", headers=visitor, json={"text": "hi"}).status_code == 401
    )

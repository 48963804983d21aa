"""The website widget's chat endpoint."""

from __future__ import annotations

from fastapi.testclient import TestClient

from huisheng.clients.rasa import RasaClient
from huisheng.runtime import Runtime
from huisheng.services.chat import ChatService
from tests.stubs import FakeRasa, stub_analyzer


def _use_fake_rasa(runtime: Runtime) -> FakeRasa:
    rasa = FakeRasa(lambda text: ["您好，请问有什么可以帮您？"])
    analyzer = stub_analyzer()
    runtime._chat = ChatService(
        session_scope=runtime.session,
        analyzer=lambda: analyzer,
        rasa=RasaClient("http://rasa.test", transport=rasa.transport()),
    )
    return rasa


def test_a_widget_message_gets_the_bots_reply(client: TestClient, runtime: Runtime) -> None:
    _use_fake_rasa(runtime)
    response = client.post("/api/chat/messages", json={"visitor_id": "visitor-0001", "text": "你好"})
    assert response.status_code == 200
    body = response.json()
    assert body["replies"] == ["您好，请问有什么可以帮您？"] and body["status"] == "bot"


def test_a_malformed_visitor_id_is_a_422_naming_the_field(client: TestClient, runtime: Runtime) -> None:
    rasa = _use_fake_rasa(runtime)
    response = client.post("/api/chat/messages", json={"visitor_id": "x y", "text": "你好"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "visitor_id"
    assert rasa.received == []


def test_an_empty_message_is_a_422(client: TestClient, runtime: Runtime) -> None:
    _use_fake_rasa(runtime)
    response = client.post("/api/chat/messages", json={"visitor_id": "visitor-0001", "text": ""})
    assert response.status_code == 422

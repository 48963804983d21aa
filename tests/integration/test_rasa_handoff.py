"""Straight to the Rasa server: silent after a handoff until resumed, closed to anyone without Huisheng's tokens,
and a restart in the middle of a form loses nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from huisheng.clients.rasa import WEBHOOK_PATH
from tests.bot_stack import BotStack, restart_rasa

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@dataclass(frozen=True)
class Rasa:
    url: str
    token: str


@pytest.fixture()
def rasa(bot_stack: BotStack) -> Rasa:
    return Rasa(bot_stack.rasa_url, bot_stack.rasa_token)


def say(rasa: Rasa, sender: str, text: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{rasa.url}{WEBHOOK_PATH}",
        json={"sender": sender, "message": text},
        headers={"Authorization": f"Bearer {rasa.token}"},
        timeout=60,
    )
    response.raise_for_status()
    replies: list[dict[str, Any]] = response.json()
    return replies


def new_sender() -> str:
    return f"web:live-{uuid.uuid4().hex[:10]}"


def test_greeting_is_answered(rasa: Rasa) -> None:
    assert say(rasa, new_sender(), "你好") != []


def test_bot_is_silent_after_handoff(rasa: Rasa) -> None:
    sender = new_sender()

    handoff = say(rasa, sender, "转人工")

    assert any("人工" in reply.get("text", "") for reply in handoff)
    assert say(rasa, sender, "你好") == []
    assert say(rasa, sender, "我的订单到哪了") == []


def test_bot_answers_again_once_staff_resume_the_conversation(rasa: Rasa) -> None:
    sender = new_sender()
    say(rasa, sender, "转人工")

    httpx.post(
        f"{rasa.url}/conversations/{sender}/tracker/events",
        params={"token": rasa.token},
        json={"event": "resume"},
        timeout=30,
    ).raise_for_status()

    assert say(rasa, sender, "你好") != []


def test_two_misunderstandings_in_a_row_hand_over(rasa: Rasa) -> None:
    sender = new_sender()

    # "/nlu_fallback" injects the intent directly, as if NLU had failed: gibberish is not reliably unclear.
    first = say(rasa, sender, "/nlu_fallback")
    second = say(rasa, sender, "/nlu_fallback")

    assert first and "没太明白" in first[0].get("text", "")
    assert any("人工" in reply.get("text", "") for reply in second)
    assert say(rasa, sender, "你好") == []


def test_the_bot_does_not_answer_a_caller_without_huishengs_token(rasa: Rasa) -> None:
    for headers in ({}, {"Authorization": "Bearer guessed-token-guessed-token"}):
        response = httpx.post(
            f"{rasa.url}{WEBHOOK_PATH}",
            json={"sender": "web:someone-else", "message": "我的订单"},
            headers=headers,
        )
        assert response.status_code == 401
    # Rasa's stock REST channel, which answered anyone as anyone, is not there at all.
    assert (
        httpx.post(f"{rasa.url}/webhooks/rest/webhook", json={"sender": "x", "message": "hi"}).status_code
        == 404
    )


def test_a_customers_tracker_is_not_readable_without_the_token(rasa: Rasa) -> None:
    sender = new_sender()
    say(rasa, sender, "你好")
    assert httpx.get(f"{rasa.url}/conversations/{sender}/tracker").status_code == 401
    assert (
        httpx.get(f"{rasa.url}/conversations/{sender}/tracker", params={"token": rasa.token}).status_code
        == 200
    )


def test_the_action_server_refuses_calls_without_the_shared_token(bot_stack: BotStack) -> None:
    call = {"next_action": "action_handoff", "sender_id": "web:someone-else", "tracker": {}, "domain": {}}
    assert httpx.post(bot_stack.action_url, json=call).status_code == 401
    wrong = httpx.post(bot_stack.action_url, params={"token": "nope"}, json=call)
    assert wrong.status_code == 401
    # It listens on loopback only.
    assert bot_stack.action_url.startswith("http://127.0.0.1:")


def test_a_rasa_restart_in_the_middle_of_the_complaint_form_loses_nothing(
    rasa: Rasa, bot_stack: BotStack
) -> None:
    sender = new_sender()
    say(rasa, sender, "我要投诉")
    asked = say(rasa, sender, "快递员态度特别差，把包裹扔在门口就走了")
    assert any("订单" in reply.get("text", "") for reply in asked)  # the form asks for the order next

    restart_rasa(bot_stack)

    tracker = httpx.get(f"{rasa.url}/conversations/{sender}/tracker", params={"token": rasa.token}).json()
    assert tracker["active_loop"].get("name") == "complaint_form"
    assert tracker["slots"]["complaint_text"] == "快递员态度特别差，把包裹扔在门口就走了"

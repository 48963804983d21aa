"""Straight to Rasa's REST webhook: after a handoff the bot stays silent until staff resume the conversation."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.integration.conftest import BotStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture()
def rasa(bot_stack: BotStack) -> str:
    return bot_stack.rasa_url


def say(rasa: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    replies: list[dict[str, Any]] = response.json()
    return replies


def new_sender() -> str:
    return f"web:live-{uuid.uuid4().hex[:10]}"


def test_greeting_is_answered(rasa: str) -> None:
    assert say(rasa, new_sender(), "你好") != []


def test_bot_is_silent_after_handoff(rasa: str) -> None:
    sender = new_sender()

    handoff = say(rasa, sender, "转人工")

    assert any("人工" in reply.get("text", "") for reply in handoff)
    assert say(rasa, sender, "你好") == []
    assert say(rasa, sender, "我的订单到哪了") == []


def test_bot_answers_again_once_staff_resume_the_conversation(rasa: str) -> None:
    sender = new_sender()
    say(rasa, sender, "转人工")

    httpx.post(
        f"{rasa}/conversations/{sender}/tracker/events", json={"event": "resume"}, timeout=30
    ).raise_for_status()

    assert say(rasa, sender, "你好") != []


def test_two_misunderstandings_in_a_row_hand_over(rasa: str) -> None:
    sender = new_sender()

    # "/nlu_fallback" injects the intent directly, as if NLU had failed: gibberish is not reliably unclear.
    first = say(rasa, sender, "/nlu_fallback")
    second = say(rasa, sender, "/nlu_fallback")

    assert first and "没太明白" in first[0].get("text", "")
    assert any("人工" in reply.get("text", "") for reply in second)
    assert say(rasa, sender, "你好") == []

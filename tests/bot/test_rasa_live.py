"""Against a running Rasa server and action server: after a handoff the bot stays silent until resumed.

Runs only when HUISHENG_TEST_RASA_URL points at `rasa run --enable-api` (e.g. http://127.0.0.1:5005) whose
action server uses a migrated database; see bot/README.md for the commands.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx
import pytest

RASA_URL = os.environ.get("HUISHENG_TEST_RASA_URL", "")

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.slow,
    pytest.mark.skipif(not RASA_URL, reason="set HUISHENG_TEST_RASA_URL to a running Rasa server"),
]


def say(sender: str, text: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{RASA_URL}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    replies: list[dict[str, Any]] = response.json()
    return replies


def new_sender() -> str:
    return f"web:live-{uuid.uuid4().hex[:10]}"


def test_greeting_is_answered() -> None:
    assert say(new_sender(), "你好") != []


def test_bot_is_silent_after_handoff() -> None:
    sender = new_sender()

    handoff = say(sender, "转人工")

    assert any("人工" in reply.get("text", "") for reply in handoff)
    assert say(sender, "你好") == []
    assert say(sender, "我的订单到哪了") == []


def test_bot_answers_again_once_staff_resume_the_conversation() -> None:
    sender = new_sender()
    say(sender, "转人工")

    httpx.post(
        f"{RASA_URL}/conversations/{sender}/tracker/events", json={"event": "resume"}, timeout=30
    ).raise_for_status()

    assert say(sender, "你好") != []


def test_two_misunderstandings_in_a_row_hand_over() -> None:
    sender = new_sender()

    # "/nlu_fallback" injects the intent directly, as if NLU had failed: gibberish is not reliably unclear.
    first = say(sender, "/nlu_fallback")
    second = say(sender, "/nlu_fallback")

    assert first and "没太明白" in first[0].get("text", "")
    assert any("人工" in reply.get("text", "") for reply in second)
    assert say(sender, "你好") == []

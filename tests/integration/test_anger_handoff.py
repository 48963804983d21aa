"""The anger handoff through the widget relay, the real sentiment model and the real Rasa bot: a return request
and a complaint go through the complaint form, anger inside that form stays there, and real anger outside it
reaches a person at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from crm_store.enums import Channel, ConversationStatus
from huisheng.runtime import Runtime
from huisheng.services.chat_turn import ChatTurn
from huisheng.settings import load_settings
from tests.integration.conftest import BotStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture(scope="module")
def runtime(bot_stack: BotStack) -> Iterator[Runtime]:
    settings = load_settings(
        database={"url": bot_stack.database_url},
        rasa={"url": bot_stack.rasa_url, "timeout_seconds": 90, "token": bot_stack.rasa_token},
    )
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def say(runtime: Runtime, visitor: str, text: str) -> ChatTurn:
    return runtime.chat.handle(channel=Channel.WEB, external_id=visitor, text=text)


def test_a_return_request_then_a_complaint_go_through_the_complaint_form(runtime: Runtime) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    assert say(runtime, visitor, "我想退货，衣服太小了").status is ConversationStatus.BOT

    complaint = say(runtime, visitor, "我要投诉")
    assert complaint.status is ConversationStatus.BOT
    assert "发生了什么" in " ".join(complaint.reply_texts)

    # Anger written into the form stays in the form, which files it as a case.
    angry = say(runtime, visitor, "衣服穿了一次就开线了，客服还说是我弄的，简直是骗子！")
    assert angry.status is ConversationStatus.BOT
    assert "订单" in " ".join(angry.reply_texts)


def test_real_anger_outside_a_form_hands_over_at_once(runtime: Runtime) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    say(runtime, visitor, "我的快递怎么还没到")

    turn = say(runtime, visitor, "都问了三次了还没人管，你们这什么破店，骗子！我要去12315投诉")

    assert turn.status is ConversationStatus.WAITING_FOR_STAFF
    assert "转接人工客服" in turn.reply_texts[0]

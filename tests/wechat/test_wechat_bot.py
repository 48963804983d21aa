"""A WeChat follower talking to the real Rasa bot through /wechat in safe mode, as WeChat's servers would.

Without the Rasa env and model this skips locally; in CI (CI=true) a missing Rasa is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from crm_store.enums import Channel, MessageSender
from crm_store.models import ChannelIdentity, Conversation, Message
from huisheng.demo.shop import DEMO_DELIVERED_ORDER, WECHAT_DEMO_OPENID
from huisheng.runtime import Runtime
from huisheng.settings import load_settings
from tests.bot_stack import BotStack
from tests.wechat.conftest import FakeWeChat, Reply, WeChatSide, text_xml, wechat_settings

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture()
def runtime(bot_stack: BotStack, fake_wechat: FakeWeChat, tmp_path: Path) -> Iterator[Runtime]:
    settings = load_settings(
        app={"environment": "test", "data_dir": tmp_path},
        database={"url": bot_stack.database_url},
        rasa={"url": bot_stack.rasa_url, "timeout_seconds": 90, "token": bot_stack.rasa_token},
        wechat=wechat_settings(fake_wechat, passive_reply_seconds=4.0),
    )
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture()
def follower(runtime: Runtime) -> Iterator[WeChatSide]:
    with TestClient(create_app(runtime=runtime)) as client:
        yield WeChatSide(client.post, aes=True)


def _answer(follower: WeChatSide, response: Reply, fake: FakeWeChat, sent_before: int) -> str:
    """The passive reply or, when the bot took longer than WeChat waits, what the customer-service API got."""
    passive = follower.reply_text(response)
    if passive is not None:
        return passive
    sends = fake.wait_for_sends(sent_before + 1, timeout=90)
    assert len(sends) > sent_before, "the reply was neither passive nor sent through the API"
    return " ".join(s["text"]["content"] for s in sends[sent_before:])


def test_a_follower_asks_about_their_order_and_the_bot_answers_from_the_store(
    follower: WeChatSide, fake_wechat: FakeWeChat, runtime: Runtime
) -> None:
    # The first turn may load the sentiment model and warm Rasa up: either way it must reach the follower.
    assert _answer(follower, follower.send(text_xml(WECHAT_DEMO_OPENID, "你好")), fake_wechat, 0)
    sent = len(fake_wechat.sends())
    question = text_xml(WECHAT_DEMO_OPENID, f"我的订单{DEMO_DELIVERED_ORDER}到哪了")
    assert DEMO_DELIVERED_ORDER in _answer(follower, follower.send(question), fake_wechat, sent)

    with runtime.session() as session:
        messages = session.scalars(
            select(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .join(ChannelIdentity, ChannelIdentity.customer_id == Conversation.customer_id)
            .where(
                ChannelIdentity.channel == Channel.WECHAT,
                ChannelIdentity.external_id == WECHAT_DEMO_OPENID,
                Conversation.channel == Channel.WECHAT,
            )
            .order_by(Message.id)
        ).all()
        customer_turns = [m for m in messages if m.sender is MessageSender.CUSTOMER]
        assert [m.text for m in customer_turns][-2:] == ["你好", f"我的订单{DEMO_DELIVERED_ORDER}到哪了"]
        assert customer_turns[-1].intent == "order_status" and customer_turns[-1].external_id
        assert any(m.sender is MessageSender.BOT and DEMO_DELIVERED_ORDER in m.text for m in messages)

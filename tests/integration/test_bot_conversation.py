"""A whole conversation through the widget relay and the real Rasa bot, stored in the customer store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    EscalationEventKind,
    MessageSender,
)
from crm_store.models import ChannelIdentity, Conversation, Escalation, Message, Order
from huisheng.runtime import Runtime
from huisheng.services.chat_texts import STAFF_ACK_TEXT
from huisheng.settings import load_settings
from tests.integration.conftest import BotStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
VISITOR = "web-demo-visitor"  # seeded: owns order 202400000001 (shipped with 顺丰速运)


@pytest.fixture(scope="module")
def runtime(bot_stack: BotStack) -> Iterator[Runtime]:
    # A generous timeout: the first complaint loads the sentiment model inside the action server.
    settings = load_settings(
        database={"url": bot_stack.database_url},
        rasa={"url": bot_stack.rasa_url, "timeout_seconds": 90, "token": bot_stack.rasa_token},
    )
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def say(runtime: Runtime, text: str, visitor: str = VISITOR, channel: Channel = Channel.WEB) -> list[str]:
    return runtime.chat.handle(channel=channel, external_id=visitor, text=text).reply_texts


def test_greeting_order_status_complaint_and_handoff_are_answered_and_stored(runtime: Runtime) -> None:
    assert say(runtime, "你好")

    status_reply = " ".join(say(runtime, "我的订单202400000001到哪了"))
    assert "202400000001" in status_reply and "顺丰" in status_reply

    complaint = say(runtime, "东西是坏的,我要投诉")
    assert "订单" in " ".join(complaint)  # the form asks which order
    assert say(runtime, "202400000001")  # then asks for a phone number
    opened = " ".join(say(runtime, "不用"))

    handoff = " ".join(say(runtime, "转人工"))
    assert "人工" in handoff

    with runtime.session() as session:
        conversation = session.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
        assert conversation is not None
        assert conversation.status is ConversationStatus.WAITING_FOR_STAFF
        messages = session.scalars(select(Message).where(Message.conversation_id == conversation.id)).all()
        customer_turns = [m for m in messages if m.sender is MessageSender.CUSTOMER]
        assert len(customer_turns) == 6
        assert all(m.sentiment_label is not None for m in customer_turns)
        assert customer_turns[1].intent == "order_status"
        cases = session.scalars(
            select(Escalation).where(Escalation.customer_id == conversation.customer_id)
        ).all()
        complaint_case = next(c for c in cases if c.category is EscalationCategory.COMPLAINT)
        assert complaint_case.ticket_no in opened
        assert complaint_case.order is not None and complaint_case.order.order_no == "202400000001"
        assert complaint_case.sentiment_label is not None and complaint_case.sla_due_at is not None
        # Asking for a person while the complaint is open joins that case rather than opening a second one.
        assert [c.category for c in cases].count(EscalationCategory.HANDOFF) == 0
        assert any(event.kind is EscalationEventKind.JOINED for event in complaint_case.events)


def test_another_customers_order_is_not_revealed(runtime: Runtime) -> None:
    reply = " ".join(say(runtime, "我的订单202400000001到哪了", visitor="visitor-stranger-1"))
    assert "顺丰" not in reply and "SF" not in reply


def test_the_bot_stays_silent_after_handing_over(runtime: Runtime) -> None:
    visitor = "visitor-silent-1"
    assert "人工" in " ".join(say(runtime, "转人工", visitor=visitor))
    # Stored and acknowledged, never answered by the bot.
    assert say(runtime, "还在吗", visitor=visitor) == [STAFF_ACK_TEXT]


def test_a_wechat_follower_proves_an_order_by_its_phone_and_joins_that_customer(runtime: Runtime) -> None:
    with runtime.session() as session:
        order = session.scalars(select(Order).where(Order.order_no == "202400000001")).one()
        owner_id, phone = order.customer_id, order.customer.phone
    assert phone, "the seeded owner of 202400000001 has a phone number"
    follower = "oLinkFollower-1"

    asked = " ".join(say(runtime, "我的订单202400000001到哪了", visitor=follower, channel=Channel.WECHAT))
    assert "没有找到" in asked and "手机号" in asked and "顺丰" not in asked

    wrong = " ".join(say(runtime, "13000000000", visitor=follower, channel=Channel.WECHAT))
    assert "对不上" in wrong and "顺丰" not in wrong
    say(runtime, "我的订单202400000001到哪了", visitor=follower, channel=Channel.WECHAT)
    linked = " ".join(say(runtime, phone, visitor=follower, channel=Channel.WECHAT))
    assert "验证通过" in linked and "顺丰" in linked

    with runtime.session() as session:
        identity = session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.external_id == follower)
        ).one()
        assert identity.customer_id == owner_id

"""Bot messages produced later: stored in the open conversation and pushed live, never while staff own it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, MessageSender
from crm_store.models import Message
from huisheng.errors import InvalidInputError
from huisheng.live.bus import identity_topic
from huisheng.runtime import Runtime
from huisheng.services import conversations
from huisheng.services.audit import SYSTEM
from huisheng.services.bot_push import push_bot_message
from tests.factories import make_customer, make_staff


def test_a_pushed_bot_message_is_stored_and_published_to_the_visitors_stream(
    runtime: Runtime, session: Session
) -> None:
    make_customer(session, channel=Channel.WEB, external_id="visitor-push")
    session.commit()

    async def push_and_listen() -> dict[str, object]:
        async with runtime.bus.subscribe(identity_topic("web", "visitor-push")) as queue:
            await asyncio.to_thread(
                push_bot_message,
                runtime.session,
                runtime.delivery,
                sender="web:visitor-push",
                text="您的包裹已到达驿站",
                buttons=[{"title": "谢谢", "payload": "/thank"}],
            )
            return await asyncio.wait_for(queue.get(), timeout=5)

    event = asyncio.run(push_and_listen())
    assert event["type"] == "message"
    message = event["message"]
    assert isinstance(message, dict) and message["text"] == "您的包裹已到达驿站"
    assert message["buttons"] == [{"title": "谢谢"}]
    stored = session.scalar(select(Message).where(Message.text == "您的包裹已到达驿站"))
    assert stored is not None and stored.sender is MessageSender.BOT


def test_the_bot_stays_silent_while_a_person_owns_the_conversation(
    runtime: Runtime, session: Session
) -> None:
    customer = make_customer(session, channel=Channel.WECHAT, external_id="oPushStaff")
    conversation = conversations.current_conversation(
        session, customer_id=customer.id, channel=Channel.WECHAT
    )
    agent = make_staff(session)
    conversations.hand_over(session, conversation_id=conversation.id, reason="asked")
    conversations.take_over(session, conversation_id=conversation.id, staff_id=agent.id, actor=SYSTEM)
    session.commit()
    pushed = push_bot_message(
        runtime.session, runtime.delivery, sender="wechat:oPushStaff", text="还有什么可以帮您？", buttons=[]
    )
    assert pushed is None
    assert session.scalar(select(Message).where(Message.text == "还有什么可以帮您？")) is None


def test_a_push_for_an_unknown_identity_is_refused(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match="no customer has the identity"):
        push_bot_message(runtime.session, runtime.delivery, sender="web:nobody", text="hi", buttons=[])

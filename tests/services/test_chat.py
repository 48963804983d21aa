"""The chat relay: every turn stored, the bot asked, silence while staff own the conversation, anger handoff."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, ConversationStatus, EscalationCategory, MessageDirection, MessageSender
from crm_store.models import Escalation, Message
from huisheng.clients.rasa import RasaClient
from huisheng.errors import InvalidInputError
from huisheng.runtime import Runtime
from huisheng.services import conversations
from huisheng.services.chat import AngerRule, ChatService, parse_sender_id
from tests.stubs import FakeRasa, stub_analyzer


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def chat(runtime: Runtime, rasa: FakeRasa) -> Iterator[ChatService]:
    analyzer = stub_analyzer()
    service = ChatService(
        session_scope=runtime.session,
        analyzer=lambda: analyzer,
        rasa=RasaClient("http://rasa.test", transport=rasa.transport()),
        anger=AngerRule(below=0.15, turns=2),
    )
    yield service
    service.close()


def _messages(session: Session, conversation_id: int) -> list[tuple[MessageSender, str]]:
    rows = session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
    )
    return [(m.sender, m.text) for m in rows]


def test_a_message_is_stored_answered_by_the_bot_and_the_answer_stored(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    turn = chat.handle(channel=Channel.WEB, external_id="visitor-abc", text="我的订单到哪了")
    assert turn.replies == ["收到: 我的订单到哪了"] and turn.status is ConversationStatus.BOT
    assert rasa.received[0]["sender"] == "web:visitor-abc"
    assert _messages(session, turn.conversation_id) == [
        (MessageSender.CUSTOMER, "我的订单到哪了"),
        (MessageSender.BOT, "收到: 我的订单到哪了"),
    ]
    inbound = session.scalar(select(Message).where(Message.direction == MessageDirection.INBOUND))
    assert inbound is not None and (inbound.intent, inbound.intent_confidence) == ("order_status", 0.91)


def test_the_bot_is_silent_while_staff_own_the_conversation(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    first = chat.handle(channel=Channel.WEB, external_id="visitor-abc", text="你好")
    conversations.hand_over(session, conversation_id=first.conversation_id, reason="asked")
    session.commit()
    turn = chat.handle(channel=Channel.WEB, external_id="visitor-abc", text="人呢?")
    assert turn.replies == [] and turn.status is ConversationStatus.WAITING_FOR_STAFF
    assert len(rasa.received) == 1
    assert _messages(session, turn.conversation_id)[-1] == (MessageSender.CUSTOMER, "人呢?")


def test_two_angry_messages_in_a_row_hand_over_without_asking_the_bot(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    chat.handle(channel=Channel.WEB, external_id="visitor-angry", text="东西太差了")
    turn = chat.handle(channel=Channel.WEB, external_id="visitor-angry", text="气死我了,垃圾店")
    assert turn.status is ConversationStatus.WAITING_FOR_STAFF
    assert "转接人工客服" in turn.replies[0]
    assert len(rasa.received) == 1
    case = session.scalar(select(Escalation).where(Escalation.conversation_id == turn.conversation_id))
    assert case is not None and case.category is EscalationCategory.HANDOFF
    assert case.ticket_no in turn.replies[0]


def test_one_angry_message_among_calm_ones_does_not_hand_over(chat: ChatService) -> None:
    chat.handle(channel=Channel.WEB, external_id="visitor-calm", text="东西太差了")
    turn = chat.handle(channel=Channel.WEB, external_id="visitor-calm", text="能退货吗")
    assert turn.status is ConversationStatus.BOT


def test_a_resent_message_id_is_stored_once_and_not_answered_twice(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    chat.handle(channel=Channel.WECHAT, external_id="oRetry", text="在吗", message_id="6912345678901234567")
    again = chat.handle(
        channel=Channel.WECHAT, external_id="oRetry", text="在吗", message_id="6912345678901234567"
    )
    assert again.duplicate and again.replies == []
    assert len(rasa.received) == 1
    assert len(_messages(session, again.conversation_id)) == 2


def test_when_rasa_is_down_the_message_is_kept_and_the_customer_told(
    runtime: Runtime, session: Session
) -> None:
    analyzer = stub_analyzer()
    service = ChatService(
        session_scope=runtime.session,
        analyzer=lambda: analyzer,
        rasa=RasaClient("http://rasa.test", transport=FakeRasa(down=True).transport()),
    )
    turn = service.handle(channel=Channel.WEB, external_id="visitor-x", text="你好")
    assert "暂时无法回复" in turn.replies[0]
    assert _messages(session, turn.conversation_id)[0] == (MessageSender.CUSTOMER, "你好")


def test_an_over_long_message_is_refused_before_anything_is_stored(
    chat: ChatService, session: Session
) -> None:
    with pytest.raises(InvalidInputError, match="limit is 4000"):
        chat.handle(channel=Channel.WEB, external_id="visitor-long", text="好" * 4001)
    assert session.scalar(select(Message)) is None


@pytest.mark.parametrize(
    ("value", "expected"), [("web:v-1", (Channel.WEB, "v-1")), ("wechat:oAb:c", (Channel.WECHAT, "oAb:c"))]
)
def test_sender_ids_name_the_channel_and_the_identity(value: str, expected: tuple[Channel, str]) -> None:
    assert parse_sender_id(value) == expected


@pytest.mark.parametrize("value", ["no-colon", "fax:123", "web:"])
def test_malformed_sender_ids_are_refused(value: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_sender_id(value)

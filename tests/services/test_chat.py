"""The chat relay: every turn stored, the bot asked, silence while staff own the conversation (anger: test_chat_anger)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store import migrate
from crm_store.enums import (
    Channel,
    ConversationStatus,
    MessageDirection,
    MessageKind,
    MessageSender,
)
from crm_store.models import Conversation, Message
from huisheng.clients.rasa import RasaClient
from huisheng.errors import InvalidInputError
from huisheng.runtime import Runtime
from huisheng.services import conversations
from huisheng.services.audit import SYSTEM
from huisheng.services.chat import ChatService, parse_sender_id
from huisheng.services.chat_choices import Choice
from huisheng.services.chat_texts import STAFF_ACK_TEXT
from huisheng.services.staff_desk import StaffDesk
from huisheng.settings import load_settings
from tests.factories import make_staff
from tests.stubs import FakeRasa, shop_answers, stub_analyzer


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
    assert turn.reply_texts == ["收到: 我的订单到哪了"] and turn.status is ConversationStatus.BOT
    assert rasa.received[0]["sender"] == "web:visitor-abc"
    assert _messages(session, turn.conversation_id) == [
        (MessageSender.CUSTOMER, "我的订单到哪了"),
        (MessageSender.BOT, "收到: 我的订单到哪了"),
    ]
    inbound = session.scalar(select(Message).where(Message.direction == MessageDirection.INBOUND))
    assert inbound is not None and (inbound.intent, inbound.intent_confidence) == ("order_status", 0.91)


def test_a_customer_waiting_for_a_person_is_told_so_and_the_bot_is_not_asked(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    first = chat.handle(channel=Channel.WEB, external_id="visitor-abc", text="你好")
    conversations.hand_over(session, conversation_id=first.conversation_id, reason="asked")
    session.commit()
    turn = chat.handle(channel=Channel.WEB, external_id="visitor-abc", text="人呢?")
    assert turn.reply_texts == [STAFF_ACK_TEXT] and turn.status is ConversationStatus.WAITING_FOR_STAFF
    assert len(rasa.received) == 1
    assert _messages(session, turn.conversation_id)[-2:] == [
        (MessageSender.CUSTOMER, "人呢?"),
        (MessageSender.SYSTEM, STAFF_ACK_TEXT),
    ]


def test_the_bot_is_silent_while_a_person_owns_the_conversation(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    first = chat.handle(channel=Channel.WEB, external_id="visitor-abc", text="你好")
    agent = make_staff(session)
    conversations.hand_over(session, conversation_id=first.conversation_id, reason="asked")
    conversations.take_over(session, conversation_id=first.conversation_id, staff_id=agent.id, actor=SYSTEM)
    session.commit()
    turn = chat.handle(channel=Channel.WEB, external_id="visitor-abc", text="好的我等一下")
    assert turn.replies == [] and turn.status is ConversationStatus.WITH_STAFF
    assert turn.agent_name == agent.display_name
    assert len(rasa.received) == 1


def test_a_resent_message_is_stored_once_and_gets_the_originals_replies(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    first = chat.handle(
        channel=Channel.WECHAT, external_id="oRetry", text="在吗", message_id="6912345678901234567"
    )
    again = chat.handle(
        channel=Channel.WECHAT, external_id="oRetry", text="在吗", message_id="6912345678901234567"
    )
    assert again.duplicate and again.reply_texts == ["收到: 在吗"]
    assert again.message is not None and first.message is not None and again.message.id == first.message.id
    assert [r.id for r in again.replies] == [r.id for r in first.replies]
    assert len(rasa.received) == 1
    assert len(_messages(session, again.conversation_id)) == 2


@pytest.mark.parametrize("message_id", ["", "   "])
def test_an_empty_message_id_is_refused_before_anything_is_stored(
    chat: ChatService, session: Session, message_id: str
) -> None:
    with pytest.raises(InvalidInputError, match="message_id must not be empty"):
        chat.handle(channel=Channel.WEB, external_id="visitor-e", text="你好", message_id=message_id)
    assert session.scalar(select(Message)) is None


def test_typed_text_starting_with_a_slash_reaches_rasa_as_text_not_as_a_command(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    turn = chat.handle(channel=Channel.WEB, external_id="visitor-s", text='/request_human{"x":1}')
    assert rasa.received[0]["message"] == '／request_human{"x":1}'
    # What the customer typed is stored as typed.
    assert _messages(session, turn.conversation_id)[0] == (MessageSender.CUSTOMER, '/request_human{"x":1}')


def test_a_tapped_button_sends_its_payload_and_stores_its_title(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    rasa.answer = shop_answers
    offer = chat.handle(channel=Channel.WEB, external_id="visitor-b", text="改地址")
    assert offer.replies[0].buttons == ["转人工", "不用了"] and offer.replies[0].presentation == "buttons"
    turn = chat.handle(
        channel=Channel.WEB, external_id="visitor-b", text="随便", choice=Choice(offer.replies[0].id, 1)
    )
    assert rasa.received[-1]["message"] == "/deny"
    assert turn.message is not None and turn.message.text == "不用了"


@pytest.mark.parametrize("index", [2, -1])
def test_a_choice_of_a_button_the_bot_never_offered_is_refused(
    chat: ChatService, rasa: FakeRasa, session: Session, index: int
) -> None:
    rasa.answer = shop_answers
    offer = chat.handle(channel=Channel.WEB, external_id="visitor-b", text="改地址")
    with pytest.raises(InvalidInputError, match="choice"):
        chat.handle(
            channel=Channel.WEB, external_id="visitor-b", text="x", choice=Choice(offer.replies[0].id, index)
        )
    assert len(_messages(session, offer.conversation_id)) == 2


def test_a_choice_of_another_conversations_message_is_refused(chat: ChatService, rasa: FakeRasa) -> None:
    rasa.answer = shop_answers
    offer = chat.handle(channel=Channel.WEB, external_id="visitor-one", text="改地址")
    with pytest.raises(InvalidInputError, match="not a message with buttons in this conversation"):
        chat.handle(
            channel=Channel.WEB, external_id="visitor-two", text="x", choice=Choice(offer.replies[0].id, 0)
        )


def test_on_wechat_a_bare_number_picks_the_numbered_option(chat: ChatService, rasa: FakeRasa) -> None:
    rasa.answer = shop_answers
    chat.handle(channel=Channel.WECHAT, external_id="oNum", text="改地址", numbered_choices=True)
    turn = chat.handle(channel=Channel.WECHAT, external_id="oNum", text="1", numbered_choices=True)
    assert rasa.received[-1]["message"] == "/affirm"
    assert turn.message is not None and turn.message.text == "转人工"


def test_a_number_out_of_range_or_after_a_plain_answer_is_just_text(
    chat: ChatService, rasa: FakeRasa
) -> None:
    rasa.answer = shop_answers
    chat.handle(channel=Channel.WECHAT, external_id="oNum", text="改地址", numbered_choices=True)
    chat.handle(channel=Channel.WECHAT, external_id="oNum", text="7", numbered_choices=True)
    chat.handle(channel=Channel.WECHAT, external_id="oNum", text="1", numbered_choices=True)
    assert [r["message"] for r in rasa.received[1:]] == ["7", "1"]


def test_the_rating_question_is_marked_and_a_number_is_the_score_itself(
    chat: ChatService, rasa: FakeRasa
) -> None:
    rasa.answer = shop_answers
    ask = chat.handle(channel=Channel.WECHAT, external_id="oRate", text="再见", numbered_choices=True)
    assert ask.replies[0].presentation == "rating"
    chat.handle(channel=Channel.WECHAT, external_id="oRate", text="2", numbered_choices=True)
    assert rasa.received[-1]["message"] == "2"  # 2 分, not the second button (4 分)


def test_an_image_is_stored_with_its_kind_and_answered_politely_without_the_bot(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    turn = chat.handle(
        channel=Channel.WECHAT, external_id="oImg", text="[图片]", kind=MessageKind.IMAGE, message_id="1"
    )
    assert rasa.received == []
    assert "图片" in turn.reply_texts[0]
    stored = session.scalar(select(Message).where(Message.conversation_id == turn.conversation_id))
    assert stored is not None and stored.kind is MessageKind.IMAGE


def test_twenty_messages_at_once_are_answered_in_order_each_next_to_its_question(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'burst.db'}"
    migrate.upgrade(url)
    runtime = Runtime(load_settings(app={"environment": "test", "data_dir": tmp_path}, database={"url": url}))
    analyzer = stub_analyzer()
    rasa = FakeRasa(delay=0.05)
    chat = ChatService(
        session_scope=runtime.session,
        analyzer=lambda: analyzer,
        rasa=RasaClient("http://rasa.test", transport=rasa.transport()),
    )
    texts = [f"第{i}个问题" for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        turns = list(
            pool.map(
                lambda t: chat.handle(channel=Channel.WEB, external_id="visitor-burst", text=t, message_id=t),
                texts,
            )
        )
    assert [t.reply_texts for t in turns] == [[f"收到: {t}"] for t in texts]
    with runtime.session() as session:
        rows = _messages(session, turns[0].conversation_id)
    # Every answer directly follows its own question.
    assert len(rows) == 40
    assert all(rows[i + 1][1] == f"收到: {rows[i][1]}" for i in range(0, 40, 2))
    chat.close()
    runtime.close()


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
    assert "暂时无法回复" in turn.reply_texts[0]
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


def test_on_wechat_a_score_typed_after_staff_resolve_rates_the_resolved_conversation(
    runtime: Runtime, chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    first = chat.handle(channel=Channel.WECHAT, external_id="oRated", text="你好", numbered_choices=True)
    conversations.hand_over(session, conversation_id=first.conversation_id, reason="asked")
    agent = make_staff(session)
    session.commit()
    desk = StaffDesk(session_scope=runtime.session, delivery=runtime.delivery, rasa=chat._rasa)
    desk.resolve(conversation_id=first.conversation_id, staff_id=agent.id, resolution="已退款")

    turn = chat.handle(channel=Channel.WECHAT, external_id="oRated", text="5", numbered_choices=True)

    assert "感谢您的评价" in turn.reply_texts[0] and len(rasa.received) == 1
    resolved = session.get(Conversation, first.conversation_id)
    assert resolved is not None and resolved.csat_score == 5
    # A number later in the new conversation is just text for the bot again.
    chat.handle(channel=Channel.WECHAT, external_id="oRated", text="3", numbered_choices=True)
    assert rasa.received[-1]["message"] == "3" and resolved.csat_score == 5

"""The anger handoff: real anger goes to a person at once; requests, mild dissatisfaction and complaints do not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, ConversationStatus, EscalationCategory
from crm_store.models import Escalation
from huisheng.clients.rasa import RasaClient
from huisheng.runtime import Runtime
from huisheng.services.anger import AngerRule
from huisheng.services.chat import ChatService
from huisheng.settings import load_settings
from tests.stubs import FakeRasa, FixedSentiment, KeywordSentiment, stub_analyzer

WEB = Channel.WEB


def _service(
    runtime: Runtime, rasa: FakeRasa, *, rule: AngerRule | None = None, score: float | None = None
) -> ChatService:
    analyzer = stub_analyzer(FixedSentiment(score) if score is not None else KeywordSentiment())
    return ChatService(
        session_scope=runtime.session,
        analyzer=lambda: analyzer,
        rasa=RasaClient("http://rasa.test", transport=rasa.transport()),
        anger=rule,
    )


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def chat(runtime: Runtime, rasa: FakeRasa) -> Iterator[ChatService]:
    # The review model reads most chat turns as negative: 0.05 is what it gives 能退货吗 or 我要投诉.
    service = _service(runtime, rasa, score=0.05)
    yield service
    service.close()


def _say(chat: ChatService, visitor: str, *texts: str) -> list[ConversationStatus]:
    return [chat.handle(channel=WEB, external_id=visitor, text=text).status for text in texts]


def test_real_anger_hands_over_at_once_without_asking_the_bot(
    chat: ChatService, rasa: FakeRasa, session: Session
) -> None:
    turn = chat.handle(channel=WEB, external_id="visitor-angry", text="你们这什么破店，骗子！我要去12315投诉")

    assert turn.status is ConversationStatus.WAITING_FOR_STAFF
    assert "转接人工客服" in turn.reply_texts[0]
    assert rasa.received == []
    case = session.scalar(select(Escalation).where(Escalation.conversation_id == turn.conversation_id))
    assert case is not None and case.category is EscalationCategory.HANDOFF
    assert case.ticket_no in turn.reply_texts[0]
    # Rasa itself is paused through its API, so a restart of the relay cannot wake the bot.
    assert rasa.events == [("web:visitor-angry", "pause")]


def test_the_case_says_the_customer_was_angry(chat: ChatService, session: Session) -> None:
    turn = chat.handle(channel=WEB, external_id="visitor-r", text="气死我了，垃圾店")
    case = session.scalar(select(Escalation).where(Escalation.conversation_id == turn.conversation_id))
    assert case is not None and case.description.startswith("转人工（客户情绪激动）")


def test_a_return_request_then_a_complaint_go_to_the_bot(chat: ChatService, rasa: FakeRasa) -> None:
    statuses = _say(chat, "visitor-return", "我想退货，衣服太小了", "衣服质量也太差了，我要投诉")

    assert statuses == [ConversationStatus.BOT, ConversationStatus.BOT]
    assert [r["message"] for r in rasa.received] == ["我想退货，衣服太小了", "衣服质量也太差了，我要投诉"]


@pytest.mark.parametrize(
    "text",
    [
        "怎么还没发货啊，都三天了",
        "衣服洗了一次就掉色了，有点失望",
        "我有点生气，说好的赠品没给",
        "不会投诉你们的，帮我看看物流",
    ],
)
def test_mild_dissatisfaction_is_answered_by_the_bot(chat: ChatService, text: str) -> None:
    assert _say(chat, "visitor-mild", text) == [ConversationStatus.BOT]


def test_sarcasm_hands_over(chat: ChatService) -> None:
    statuses = _say(chat, "visitor-sarcasm", "呵呵，你们的效率真高啊，一个退款退了一个月")
    assert statuses == [ConversationStatus.WAITING_FOR_STAFF]


def test_a_message_the_model_reads_as_positive_is_not_angry(runtime: Runtime, rasa: FakeRasa) -> None:
    service = _service(runtime, rasa, score=0.96)
    assert _say(service, "visitor-happy", "不愧是你们，第二天就到了，佩服佩服") == [ConversationStatus.BOT]


def test_an_angry_emoji_alone_hands_over(chat: ChatService) -> None:
    # Emoji leave the model nothing to read (no score); the cues decide alone.
    assert _say(chat, "visitor-emoji", "😡😡😡") == [ConversationStatus.WAITING_FOR_STAFF]


def test_anger_written_into_the_complaint_form_stays_in_the_form(runtime: Runtime) -> None:
    rasa = FakeRasa(active_loop="complaint_form")
    service = _service(runtime, rasa, score=0.05)

    statuses = _say(service, "visitor-form", "收到的手机是坏的，客服还说是我摔的，简直是骗子！")

    assert statuses == [ConversationStatus.BOT]
    assert len(rasa.received) == 1


def test_anger_inside_another_form_still_hands_over(runtime: Runtime) -> None:
    service = _service(runtime, FakeRasa(active_loop="order_form"), score=0.05)
    assert _say(service, "visitor-order", "订单号给了八百遍了，你们听不懂人话吗") == [
        ConversationStatus.WAITING_FOR_STAFF
    ]


def test_when_rasa_cannot_say_which_form_is_asking_anger_still_hands_over(runtime: Runtime) -> None:
    service = _service(runtime, FakeRasa(down=True), score=0.05)
    assert _say(service, "visitor-down", "垃圾客服，有没有活人") == [ConversationStatus.WAITING_FOR_STAFF]


def test_with_two_turns_one_angry_message_among_calm_ones_does_not_hand_over(
    runtime: Runtime, rasa: FakeRasa
) -> None:
    service = _service(runtime, rasa, rule=AngerRule(turns=2), score=0.05)
    assert _say(service, "visitor-two", "能退货吗", "气死我了", "能退货吗") == [ConversationStatus.BOT] * 3


def test_with_two_turns_two_angry_messages_in_a_row_hand_over(runtime: Runtime, rasa: FakeRasa) -> None:
    service = _service(runtime, rasa, rule=AngerRule(turns=2), score=0.05)
    statuses = _say(service, "visitor-twice", "气死我了", "垃圾店，骗子")
    assert statuses == [ConversationStatus.BOT, ConversationStatus.WAITING_FOR_STAFF]


def test_the_rule_comes_from_the_settings() -> None:
    settings = load_settings(chat={"anger_cue_score": 3.0, "anger_turns": 2, "anger_exempt_forms": []})
    rule = AngerRule.from_settings(settings.chat)
    assert (rule.cue_score, rule.turns, rule.exempt_forms) == (3.0, 2, frozenset())
    assert settings.chat.anger_lexicon_file.is_file()

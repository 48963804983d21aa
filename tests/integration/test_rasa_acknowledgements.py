"""Straight to the Rasa server: a bare 好的 / 嗯 / ok / 不用了 / 没事了 gets exactly one sensible reply, wherever
it comes (the first message, after an answer, inside a form), and never a string of "抱歉，我没太明白"."""

from __future__ import annotations

import pytest

from tests.bot_stack import BotStack
from tests.integration.test_rasa_handoff import Rasa, new_sender, say

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

NOT_UNDERSTOOD = "没太明白"
BARE = ["好的", "嗯", "ok", "不用了", "没事了"]


@pytest.fixture()
def rasa(bot_stack: BotStack) -> Rasa:
    return Rasa(bot_stack.rasa_url, bot_stack.rasa_token)


def texts(replies: list[dict[str, object]]) -> list[str]:
    return [str(reply.get("text", "")) for reply in replies]


@pytest.mark.parametrize("text", BARE)
def test_a_bare_reply_opening_the_chat_gets_one_answer(rasa: Rasa, text: str) -> None:
    replies = texts(say(rasa, new_sender(), text))

    assert len(replies) == 1, replies
    assert NOT_UNDERSTOOD not in replies[0]


@pytest.mark.parametrize("text", BARE)
def test_a_bare_reply_after_an_answer_gets_one_answer(rasa: Rasa, text: str) -> None:
    sender = new_sender()
    assert say(rasa, sender, "满多少包邮啊")

    replies = texts(say(rasa, sender, text))

    assert len(replies) == 1, replies
    assert NOT_UNDERSTOOD not in replies[0]


def test_ok_twice_in_a_row_is_not_two_misunderstandings(rasa: Rasa) -> None:
    sender = new_sender()
    say(rasa, sender, "好的")
    second = texts(say(rasa, sender, "好的"))
    assert len(second) == 1 and "人工" not in second[0]


@pytest.mark.parametrize(("opening", "asks"), [("我的快递到哪了", "订单号"), ("我要投诉", "发生了什么")])
def test_ok_inside_a_form_asks_the_question_again_once(rasa: Rasa, opening: str, asks: str) -> None:
    sender = new_sender()
    assert any(asks in t for t in texts(say(rasa, sender, opening)))

    replies = texts(say(rasa, sender, "好的"))

    assert len(replies) == 1 and asks in replies[0], replies


def test_no_thanks_inside_the_order_form_drops_it(rasa: Rasa) -> None:
    sender = new_sender()
    say(rasa, sender, "我的快递到哪了")

    replies = texts(say(rasa, sender, "不用了"))

    assert len(replies) == 1 and "订单号" not in replies[0], replies
    # The form is gone: the next question is answered, not taken for an order number.
    assert not any("订单号格式" in t for t in texts(say(rasa, sender, "满多少包邮啊")))

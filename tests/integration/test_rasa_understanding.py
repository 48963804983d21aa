"""The shipped NLU model (DIET averaged with the fine-tuned e5) on the failure kinds issue #14 named, through
the Rasa server's own parse endpoint, and what the bot does with a withdrawn request."""

from __future__ import annotations

import httpx
import pytest

from tests.bot_stack import BotStack
from tests.integration.test_rasa_handoff import Rasa, new_sender, say

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture()
def rasa(bot_stack: BotStack) -> Rasa:
    return Rasa(bot_stack.rasa_url, bot_stack.rasa_token)


def parse(rasa: Rasa, text: str) -> dict[str, object]:
    response = httpx.post(
        f"{rasa.url}/model/parse", params={"token": rasa.token}, json={"text": text}, timeout=60
    )
    response.raise_for_status()
    intent: dict[str, object] = response.json()["intent"]
    return intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # A return question that names the goods used to read as product_info.
        ("靴子偏大想退 寄回去邮费算谁的", "return_policy"),
        ("我想退货，衣服太小了", "return_policy"),
        # A refund "still processing" used to read as order_status.
        ("退款还在处理中，怎么这么慢", "refund_status"),
        ("好的", "affirm"),
        ("不用了", "deny"),
    ],
)
def test_the_issues_failure_kinds_get_their_intent_above_the_fallback_threshold(
    rasa: Rasa, text: str, intent: str
) -> None:
    parsed = parse(rasa, text)

    assert parsed["name"] == intent, parsed


def test_every_ranked_intent_has_a_probability_and_they_sum_to_at_most_one(rasa: Rasa) -> None:
    response = httpx.post(
        f"{rasa.url}/model/parse", params={"token": rasa.token}, json={"text": "这双鞋有43码吗"}, timeout=60
    )
    ranking = response.json()["intent_ranking"]

    assert ranking[0]["name"] == "product_info"
    assert all(0.0 <= item["confidence"] <= 1.0 for item in ranking)
    assert sum(item["confidence"] for item in ranking) <= 1.0 + 1e-6


def test_withdrawing_a_complaint_inside_its_form_drops_the_form(rasa: Rasa) -> None:
    sender = new_sender()
    assert any("发生了什么" in str(reply.get("text", "")) for reply in say(rasa, sender, "我要投诉"))

    replies = [str(reply.get("text", "")) for reply in say(rasa, sender, "算了不投诉了")]

    assert replies and not any("没太明白" in text for text in replies), replies
    # The form is gone: the next question is answered, not taken as the complaint's description.
    answer = [str(reply.get("text", "")) for reply in say(rasa, sender, "可以开发票吗")]
    assert any("发票" in text for text in answer) and not any("订单有关" in text for text in answer), answer


def test_withdrawing_at_the_order_question_drops_the_form_too(rasa: Rasa) -> None:
    sender = new_sender()
    say(rasa, sender, "我要投诉")
    asked = [str(r.get("text", "")) for r in say(rasa, sender, "杯子收到的时候就是碎的，客服一直不回我")]
    assert any("订单" in text for text in asked), asked

    replies = [str(reply.get("text", "")) for reply in say(rasa, sender, "算了不投诉了")]

    assert replies and not any("电话" in text or "没太明白" in text for text in replies), replies
    answer = [str(reply.get("text", "")) for reply in say(rasa, sender, "可以开发票吗")]
    assert any("发票" in text for text in answer), answer

"""WeChat retries and its five seconds, on a real server: each message stored once, late replies sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from api.app import create_app
from crm_store import migrate
from crm_store.enums import Channel, MessageSender
from crm_store.models import ChannelIdentity, Conversation, InboundReceipt, Message
from huisheng.runtime import Runtime
from huisheng.settings import load_settings
from tests.bot_stack import free_port
from tests.conftest import fresh_database_url
from tests.stubs import FakeRasa
from tests.wechat.conftest import (
    FakeWeChat,
    WeChatSide,
    new_msg_id,
    shop_answers,
    text_xml,
    wechat_settings,
    wire_fake_rasa,
)

# Generous where the bot is quick, so a loaded machine cannot turn a passive reply into `success`;
# tests about a slow bot narrow it and make the bot slower than it by a wide margin.
PASSIVE_SECONDS = 3.0
SHORT_PASSIVE_SECONDS = 0.8
SLOW_BOT_SECONDS = 2.5


@dataclass
class Live:
    runtime: Runtime
    rasa: FakeRasa
    wechat: WeChatSide

    def stored(self, openid: str) -> list[tuple[MessageSender, str]]:
        with self.runtime.session() as session:
            rows = session.scalars(
                select(Message)
                .join(Conversation, Message.conversation_id == Conversation.id)
                .join(ChannelIdentity, ChannelIdentity.customer_id == Conversation.customer_id)
                .where(ChannelIdentity.channel == Channel.WECHAT, ChannelIdentity.external_id == openid)
                .order_by(Message.id)
            )
            return [(m.sender, m.text) for m in rows]

    def receipts(self, openid: str) -> int:
        with self.runtime.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(InboundReceipt)
                    .where(InboundReceipt.sender_key == openid)
                )
                or 0
            )


@pytest.fixture(scope="module")
def live_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    # Its own store: these tests run turns in several threads at once, which one rolled-back connection can't.
    url = fresh_database_url(tmp_path_factory.mktemp("wechat-live"), "wechat_live")
    migrate.upgrade(url)
    return url


@pytest.fixture()
def passive_seconds() -> float:
    return PASSIVE_SECONDS


@pytest.fixture()
def live(
    live_database: str, tmp_path: object, fake_wechat: FakeWeChat, passive_seconds: float
) -> Iterator[Live]:
    settings = load_settings(
        app={"environment": "test", "data_dir": tmp_path},
        database={"url": live_database},
        wechat=wechat_settings(fake_wechat, passive_reply_seconds=passive_seconds),
    )
    runtime = Runtime(settings)
    rasa = FakeRasa(shop_answers)
    wire_fake_rasa(runtime, rasa)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
        yield Live(runtime, rasa, WeChatSide(http.post))
    server.should_exit = True
    thread.join(timeout=20)
    runtime.close()


def test_three_retries_in_a_row_are_stored_once_and_answered_alike(live: Live) -> None:
    xml = text_xml("oSeq", "在吗", new_msg_id())
    answers = [live.wechat.reply_text(live.wechat.send(xml, nonce=f"try{i}")) for i in range(3)]
    assert answers == ["收到: 在吗"] * 3
    assert live.stored("oSeq") == [(MessageSender.CUSTOMER, "在吗"), (MessageSender.BOT, "收到: 在吗")]
    assert len(live.rasa.received) == 1 and live.receipts("oSeq") == 1


def test_three_retries_at_once_are_stored_once_and_all_answered_with_the_same_reply(live: Live) -> None:
    live.rasa.delay = 0.3  # the original is still with the bot when the repeats arrive
    xml = text_xml("oBurst", "在吗", new_msg_id())
    start = threading.Barrier(3)

    def deliver(attempt: int) -> str | None:
        start.wait()
        return live.wechat.reply_text(live.wechat.send(xml, nonce=f"try{attempt}"))

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(deliver, range(3)))
    assert answers == ["收到: 在吗"] * 3
    assert live.stored("oBurst") == [(MessageSender.CUSTOMER, "在吗"), (MessageSender.BOT, "收到: 在吗")]
    assert len(live.rasa.received) == 1 and live.receipts("oBurst") == 1


@pytest.mark.parametrize("passive_seconds", [SHORT_PASSIVE_SECONDS])
def test_a_slow_bot_is_answered_success_at_once_and_its_reply_sent_through_the_api(
    live: Live, fake_wechat: FakeWeChat
) -> None:
    live.rasa.delay = SLOW_BOT_SECONDS
    started = time.monotonic()
    response = live.wechat.send(text_xml("oSlow", "慢一点"))
    took = time.monotonic() - started
    assert response.text == "success" and took < SLOW_BOT_SECONDS
    assert fake_wechat.sends() == []  # nothing yet: the bot is still thinking
    sends = fake_wechat.wait_for_sends(1)
    assert sends == [{"touser": "oSlow", "msgtype": "text", "text": {"content": "收到: 慢一点"}}]
    assert [r.json().get("appid") for r in fake_wechat.token_fetches()] == ["wx0123456789abcdef"]
    assert live.stored("oSlow") == [(MessageSender.CUSTOMER, "慢一点"), (MessageSender.BOT, "收到: 慢一点")]


@pytest.mark.parametrize("passive_seconds", [SHORT_PASSIVE_SECONDS])
def test_retries_of_a_slow_message_never_send_its_reply_twice(live: Live, fake_wechat: FakeWeChat) -> None:
    live.rasa.delay = SLOW_BOT_SECONDS
    xml = text_xml("oSlowRetry", "慢一点", new_msg_id())
    assert live.wechat.send(xml, nonce="try0").text == "success"
    assert live.wechat.send(xml, nonce="try1").text == "success"  # arrives while the first is with the bot
    assert len(fake_wechat.wait_for_sends(1)) == 1
    # Once the original is answered, a late retry gets its reply passively, and nothing more is sent.
    assert live.wechat.reply_text(live.wechat.send(xml, nonce="try2")) == "收到: 慢一点"
    time.sleep(SHORT_PASSIVE_SECONDS)
    assert len(fake_wechat.sends()) == 1 and len(live.rasa.received) == 1
    assert live.receipts("oSlowRetry") == 1

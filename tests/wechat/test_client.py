"""The customer-service API client against the fake WeChat server: token cache, refresh, errcodes, secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from crm_store.enums import MessageSender
from huisheng.channels.wechat import WeChatSender
from huisheng.clients.wechat import ReplyWindowClosedError, WeChatApiError, WeChatClient
from huisheng.services.transcript import MessageView
from tests.wechat.conftest import APP_ID, APP_SECRET, FakeWeChat


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def client(fake_wechat: FakeWeChat, clock: Clock) -> Iterator[WeChatClient]:
    client = WeChatClient(fake_wechat.url, app_id=APP_ID, app_secret=APP_SECRET, clock=clock)
    yield client
    client.close()


def _view(text: str) -> MessageView:
    return MessageView(id=1, conversation_id=1, sender=MessageSender.STAFF, text=text)


def test_the_token_is_fetched_once_and_used_for_every_send(
    client: WeChatClient, fake_wechat: FakeWeChat
) -> None:
    client.send_text(openid="o1", content="一")
    client.send_text(openid="o1", content="二")
    fetch = fake_wechat.token_fetches()
    assert len(fetch) == 1
    assert fetch[0].method == "POST" and fetch[0].json() == {
        "grant_type": "client_credential",
        "appid": APP_ID,
        "secret": APP_SECRET,
        "force_refresh": False,
    }
    sends = [r for r in fake_wechat.received if r.path.endswith("/send")]
    assert [r.query["access_token"] for r in sends] == ["ACCESS-1", "ACCESS-1"]


def test_chinese_is_sent_as_utf8_characters_not_escapes(
    client: WeChatClient, fake_wechat: FakeWeChat
) -> None:
    client.send_text(openid="o1", content="您的快递已发出")
    body = next(r.body for r in fake_wechat.received if r.path.endswith("/send"))
    assert "您的快递已发出".encode() in body and b"\\u" not in body


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_a_refused_token_is_replaced_once_and_the_message_sent_again(
    client: WeChatClient, fake_wechat: FakeWeChat, errcode: int
) -> None:
    fake_wechat.send_errors = [errcode]
    client.send_text(openid="o1", content="你好")
    sends = [r for r in fake_wechat.received if r.path.endswith("/send")]
    assert [r.query["access_token"] for r in sends] == ["ACCESS-1", "ACCESS-2"]
    assert len(fake_wechat.token_fetches()) == 2


def test_a_token_refused_twice_is_an_error_not_a_loop(client: WeChatClient, fake_wechat: FakeWeChat) -> None:
    fake_wechat.send_errors = [42001, 42001, 42001]
    with pytest.raises(WeChatApiError) as raised:
        client.send_text(openid="o1", content="你好")
    assert raised.value.errcode == 42001
    assert len([r for r in fake_wechat.received if r.path.endswith("/send")]) == 2


def test_a_token_past_its_expiry_is_fetched_again(
    client: WeChatClient, fake_wechat: FakeWeChat, clock: Clock
) -> None:
    client.send_text(openid="o1", content="一")
    clock.now += 7200 - 301  # just before the safety margin ahead of WeChat's own expiry
    client.send_text(openid="o1", content="二")
    clock.now += 2  # inside it
    client.send_text(openid="o1", content="三")
    sends = [r for r in fake_wechat.received if r.path.endswith("/send")]
    assert [r.query["access_token"] for r in sends] == ["ACCESS-1", "ACCESS-1", "ACCESS-2"]


def test_a_closed_48_hour_window_is_raised_without_a_retry(
    client: WeChatClient, fake_wechat: FakeWeChat
) -> None:
    fake_wechat.send_errors = [45015]
    with pytest.raises(ReplyWindowClosedError):
        client.send_text(openid="o1", content="你好")
    assert len([r for r in fake_wechat.received if r.path.endswith("/send")]) == 1


def test_the_sender_stops_at_a_closed_window_and_logs_it(
    client: WeChatClient, fake_wechat: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    fake_wechat.send_errors = [45015]
    with caplog.at_level(logging.WARNING, logger="huisheng.channels.wechat"):
        WeChatSender(client).send(external_id="o1", messages=[_view("一"), _view("二"), _view("三")])
    assert len(fake_wechat.sends()) == 1
    assert "48-hour" in caplog.text and "3 message(s) not delivered" in caplog.text


def test_the_app_secret_and_token_never_reach_the_logs(
    client: WeChatClient, fake_wechat: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.send_text(openid="o1", content="一")  # fetches a token, sends once
        fake_wechat.send_errors = [48001]
        with pytest.raises(WeChatApiError) as raised:
            client.send_text(openid="o1", content="二")
    assert "/cgi-bin/stable_token" in caplog.text  # httpx did log the request
    assert APP_SECRET not in caplog.text and "ACCESS-1" not in caplog.text
    assert APP_SECRET not in str(raised.value)


def test_an_unreachable_wechat_is_an_upstream_error_without_the_secret(clock: Clock) -> None:
    client = WeChatClient("http://127.0.0.1:9", app_id=APP_ID, app_secret=APP_SECRET, timeout=1, clock=clock)
    with pytest.raises(WeChatApiError) as raised:
        client.send_text(openid="o1", content="你好")
    assert raised.value.code == "wechat_api_error" and APP_SECRET not in str(raised.value)
    client.close()

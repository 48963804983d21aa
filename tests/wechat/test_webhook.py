"""The /wechat webhook's protocol: URL verification, signatures, replay window, safe mode, and bad input."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from crm_store.enums import Channel, MessageKind, MessageSender
from crm_store.models import ChannelIdentity, Message
from huisheng.runtime import Runtime
from huisheng.settings import load_settings
from tests.factories import row_counts
from tests.stubs import FakeRasa
from tests.wechat.conftest import (
    ACCOUNT,
    TOKEN,
    FakeWeChat,
    WeChatSide,
    event_xml,
    message_xml,
    new_msg_id,
    sign,
    text_xml,
    wechat_settings,
)


def _verify(client: TestClient, **overrides: str) -> tuple[int, str]:
    stamp = str(int(time.time()))
    params = {
        "signature": sign(TOKEN, stamp, "abc"),
        "timestamp": stamp,
        "nonce": "abc",
        "echostr": "echo-42",
    }
    response = client.get("/wechat", params=params | overrides)
    return response.status_code, response.text


def _stored(session: Session, openid: str) -> list[Message]:
    identity = session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == Channel.WECHAT, ChannelIdentity.external_id == openid
        )
    )
    if identity is None:
        return []
    return [m for c in identity.customer.conversations for m in c.messages]


def test_url_verification_answers_echostr_unchanged(client: TestClient) -> None:
    assert _verify(client) == (200, "echo-42")


def test_url_verification_with_a_wrong_signature_is_a_403(client: TestClient) -> None:
    status, body = _verify(client, signature="0" * 40)
    assert status == 403 and "signature" in body


def test_a_text_message_is_answered_passively_with_the_bots_reply(
    wechat: WeChatSide, rasa: FakeRasa, session: Session
) -> None:
    msg_id = new_msg_id()
    reply = wechat.reply(wechat.send(text_xml("oText1", "你好", msg_id)))
    assert reply.content == "收到: 你好"
    assert reply.source == ACCOUNT and reply.target == "oText1"  # the envelope turned round
    assert rasa.received[0]["sender"] == "wechat:oText1"
    stored = _stored(session, "oText1")
    assert [(m.sender, m.kind, m.text) for m in stored] == [
        (MessageSender.CUSTOMER, MessageKind.TEXT, "你好"),
        (MessageSender.BOT, MessageKind.TEXT, "收到: 你好"),
    ]
    assert stored[0].external_id == str(msg_id)


def test_a_reply_holding_the_cdata_end_marker_still_parses(plain: WeChatSide, rasa: FakeRasa) -> None:
    rasa.answer = lambda text: ["代码 a]]>b 原样"]
    assert plain.reply_text(plain.send(text_xml("oCdata", "看看"))) == "代码 a]]>b 原样"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"signature": "0" * 40}, "bad_signature"),
        ({"signature": ""}, "bad_signature"),
        ({"signature": "签名"}, "bad_signature"),
    ],
    ids=["wrong", "missing", "not-ascii"],
)
def test_a_wrong_signature_is_a_403_and_nothing_is_stored(
    wechat: WeChatSide,
    rasa: FakeRasa,
    session: Session,
    params: dict[str, str],
    code: str,
) -> None:
    before = row_counts(session)
    response = wechat.send(text_xml("oForged", "你好"), tamper=params)
    assert response.status_code == 403 and response.json()["error"]["code"] == code
    assert row_counts(session) == before and rasa.received == []


@pytest.mark.parametrize("msg_signature", ["0" * 40, ""], ids=["wrong", "missing"])
def test_a_safe_mode_message_with_a_wrong_msg_signature_is_a_403(
    client: TestClient, rasa: FakeRasa, session: Session, msg_signature: str
) -> None:
    before = row_counts(session)
    response = WeChatSide(client.post, aes=True).send(
        text_xml("oForged", "你好"), tamper={"msg_signature": msg_signature}
    )
    assert response.status_code == 403 and "msg_signature" in response.json()["error"]["message"]
    assert row_counts(session) == before and rasa.received == []


def test_a_message_signed_with_another_token_is_a_403(wechat: WeChatSide, rasa: FakeRasa) -> None:
    response = wechat.send(text_xml("oForged", "你好"), token="someone-elses-token")
    assert response.status_code == 403 and rasa.received == []


@pytest.mark.parametrize("age", [-3600, 301, 86_400 * 30], ids=["future", "just-outside", "a-month-old"])
def test_a_signed_message_outside_the_replay_window_is_refused(
    wechat: WeChatSide, rasa: FakeRasa, session: Session, age: int
) -> None:
    before = row_counts(session)
    response = wechat.send(text_xml("oReplay", "你好"), timestamp=int(time.time()) - age)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "stale_timestamp" and "replay" in error["message"]
    assert row_counts(session) == before and rasa.received == []


def test_a_signed_message_inside_the_replay_window_is_accepted(plain: WeChatSide, rasa: FakeRasa) -> None:
    response = plain.send(text_xml("oLate", "你好"), timestamp=int(time.time()) - 250)
    assert plain.reply_text(response) == "收到: 你好"


_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "hahahahaha">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&c;</Content><MsgId>1</MsgId></xml>"
)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"", 400, "empty"),
        (b"  \n\t ", 400, "empty"),
        (b"<xml><Content>\xff\xfe</Content></xml>", 400, "UTF-8"),
        (b"<xml><ToUserName>gh</ToUserName>", 400, "well-formed"),
        (b"not xml at all", 400, "well-formed"),
        (b"<message><Content>hi</Content></message>", 400, "<xml>"),
        (_LAUGHS.encode(), 400, "DOCTYPE"),
        (b"<xml>" + b"a" * (70 * 1024) + b"</xml>", 413, "limit"),
        (text_xml("oBad", "好" * 10_001).encode(), 422, "Content"),
        (text_xml("oBad", "   ").encode(), 422, "Content must not be empty"),
        (message_xml("oBad", "text", {"Content": "你好"}).encode(), 422, "MsgId"),
        (message_xml("oBad", "text", {"Content": "你好", "MsgId": "12x"}).encode(), 422, "MsgId"),
        (message_xml("", "text", {"Content": "你好", "MsgId": "7"}).encode(), 422, "FromUserName"),
        (b"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>", 422, "ToUserName"),
        (
            text_xml("oBad", "你好").replace("<MsgType><![CDATA[text]]>", "<MsgType><a>1</a>").encode(),
            422,
            "MsgType",
        ),
        (
            event_xml("oBad", "subscribe").replace("<![CDATA[subscribe]]>", "<k>1</k>").encode(),
            422,
            "shaped",
        ),
        (text_xml("oBad", "你好").replace("<![CDATA[你好]]>", "<b>你好</b>").encode(), 422, "content"),
        (
            text_xml("oBad", "你好").replace("<Content>", "<Content>a</Content><Content>").encode(),
            422,
            "content",
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "not-utf8",
        "unclosed",
        "not-xml",
        "wrong-root",
        "entity-expansion",
        "oversized",
        "over-long-text",
        "whitespace-text",
        "no-msgid",
        "msgid-not-a-number",
        "no-sender",
        "missing-fields",
        "nested-msgtype",
        "nested-event",
        "nested-content",
        "repeated-content",
    ],
)
def test_bad_bodies_are_a_clear_4xx_and_nothing_is_stored(
    plain: WeChatSide, rasa: FakeRasa, session: Session, body: bytes, status: int, words: str
) -> None:
    before = row_counts(session)
    stamp = str(int(time.time()))
    params = {"signature": sign(TOKEN, stamp, "n"), "timestamp": stamp, "nonce": "n"}
    response = plain.post("/wechat", params=params, content=body)
    assert response.status_code == status, response.text
    assert words in response.json()["error"]["message"]
    assert row_counts(session) == before and rasa.received == []


def test_a_body_streamed_without_a_length_is_cut_off_at_the_limit(plain: WeChatSide, rasa: FakeRasa) -> None:
    stamp = str(int(time.time()))
    params = {"signature": sign(TOKEN, stamp, "n"), "timestamp": stamp, "nonce": "n"}
    chunks = (b"<xml>" + b"a" * 8192 for _ in range(20))
    response = plain.post("/wechat", params=params, content=chunks)
    assert response.status_code == 413 and rasa.received == []


def test_an_unknown_encrypt_type_is_a_400(plain: WeChatSide, rasa: FakeRasa) -> None:
    stamp = str(int(time.time()))
    params = {"signature": sign(TOKEN, stamp, "n"), "timestamp": stamp, "nonce": "n", "encrypt_type": "rsa"}
    response = plain.post("/wechat", params=params, content=text_xml("o1", "你好").encode())
    assert response.status_code == 400 and "encrypt_type" in response.json()["error"]["message"]


def test_a_safe_mode_body_that_does_not_decrypt_is_a_400(plain: WeChatSide, rasa: FakeRasa) -> None:
    stamp, encrypted = str(int(time.time())), "bm90IGEgY2lwaGVydGV4dA=="
    params = {
        "signature": sign(TOKEN, stamp, "n"),
        "timestamp": stamp,
        "nonce": "n",
        "encrypt_type": "aes",
        "msg_signature": sign(TOKEN, stamp, "n", encrypted),
    }
    body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{encrypted}</Encrypt></xml>"
    response = plain.post("/wechat", params=params, content=body.encode())
    assert response.status_code == 400 and "decrypted" in response.json()["error"]["message"]
    assert rasa.received == []


@pytest.fixture()
def unconfigured_client(database_url: str, tmp_path: Path, fake_wechat: FakeWeChat) -> Iterator[TestClient]:
    settings = load_settings(
        app={"environment": "test", "data_dir": tmp_path},
        database={"url": database_url},
        wechat=wechat_settings(fake_wechat, token=None),
    )
    runtime = Runtime(settings)
    with TestClient(create_app(runtime=runtime)) as client:
        yield client
    runtime.close()


def test_without_a_token_the_webhook_refuses_everything_with_a_503(unconfigured_client: TestClient) -> None:
    stamp = str(int(time.time()))
    # Signed with an empty token: exactly what an unconfigured server must not accept.
    params = {"signature": sign("", stamp, "n"), "timestamp": stamp, "nonce": "n", "echostr": "x"}
    for response in (
        unconfigured_client.get("/wechat", params=params),
        unconfigured_client.post("/wechat", params=params, content=text_xml("o1", "你好").encode()),
    ):
        assert response.status_code == 503
        assert "HUISHENG_WECHAT_TOKEN" in response.json()["error"]["message"]

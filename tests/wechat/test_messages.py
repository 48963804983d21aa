"""What followers send and get on WeChat: kinds of message, follow events, numbered options, staff replies."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, MessageDirection, MessageKind, MessageSender, StaffRole
from crm_store.models import ChannelIdentity, Message
from huisheng.services.chat_texts import KIND_REPLIES
from tests.api.conftest import token_for
from tests.stubs import FakeRasa
from tests.wechat.conftest import (
    WELCOME,
    FakeWeChat,
    WeChatSide,
    event_xml,
    message_xml,
    new_msg_id,
    text_xml,
)


def _stored(session: Session, openid: str) -> list[Message]:
    identity = session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == Channel.WECHAT, ChannelIdentity.external_id == openid
        )
    )
    if identity is None:
        return []
    session.expire_all()
    return sorted((m for c in identity.customer.conversations for m in c.messages), key=lambda m: m.id)


@pytest.mark.parametrize(
    ("msg_type", "fields", "kind", "stored_text"),
    [
        (
            "image",
            {"PicUrl": "http://mmbiz.qpic.cn/p.jpg", "MediaId": "m1"},
            MessageKind.IMAGE,
            "[图片] http://mmbiz.qpic.cn/p.jpg",
        ),
        (
            "voice",
            {"MediaId": "m2", "Format": "amr", "Recognition": "我要退货"},
            MessageKind.VOICE,
            "[语音] 我要退货",
        ),
        ("shortvideo", {"MediaId": "m3", "ThumbMediaId": "t3"}, MessageKind.VIDEO, "[视频]"),
        (
            "location",
            {"Location_X": "31.23", "Location_Y": "121.47", "Scale": "15", "Label": "上海市浦东新区"},
            MessageKind.LOCATION,
            "[位置] 上海市浦东新区 (31.23, 121.47)",
        ),
        (
            "link",
            {"Title": "商品页", "Description": "d", "Url": "https://shop.example/p/1"},
            MessageKind.LINK,
            "[链接] 商品页 https://shop.example/p/1",
        ),
    ],
    ids=["image", "voice", "video", "location", "link"],
)
def test_other_kinds_are_stored_with_their_kind_and_get_a_polite_text(
    wechat: WeChatSide,
    rasa: FakeRasa,
    session: Session,
    msg_type: str,
    fields: dict[str, str],
    kind: MessageKind,
    stored_text: str,
) -> None:
    xml = message_xml("oKinds", msg_type, {**fields, "MsgId": str(new_msg_id())})
    assert wechat.reply_text(wechat.send(xml)) == KIND_REPLIES[kind]
    stored = _stored(session, "oKinds")
    assert [(m.kind, m.text) for m in stored] == [(kind, stored_text), (MessageKind.TEXT, KIND_REPLIES[kind])]
    assert rasa.received == []  # the bot reads text only


def test_a_new_follower_gets_the_shops_welcome(wechat: WeChatSide, rasa: FakeRasa, session: Session) -> None:
    assert wechat.reply_text(wechat.send(event_xml("oFollow", "subscribe"))) == WELCOME
    stored = _stored(session, "oFollow")
    assert [(m.kind, m.direction) for m in stored] == [
        (MessageKind.EVENT, MessageDirection.INBOUND),
        (MessageKind.TEXT, MessageDirection.OUTBOUND),
    ]
    assert stored[0].external_id is not None and stored[0].external_id.endswith(":subscribe")


def test_following_through_a_qr_code_also_gets_the_welcome(plain: WeChatSide, rasa: FakeRasa) -> None:
    xml = event_xml("oScan", "subscribe", EventKey="qrscene_shop-door", Ticket="t")
    assert plain.reply_text(plain.send(xml)) == WELCOME


def test_unfollowing_is_stored_once_and_answered_success(
    wechat: WeChatSide, rasa: FakeRasa, session: Session
) -> None:
    xml = event_xml("oLeave", "unsubscribe", create_time=1_790_000_000)
    # The same event delivered twice, as WeChat does when an answer is slow.
    for response in (wechat.send(xml), wechat.send(xml)):
        assert response.status_code == 200 and response.text == "success"
    stored = _stored(session, "oLeave")
    assert [(m.kind, m.direction, m.text) for m in stored] == [
        (MessageKind.EVENT, MessageDirection.INBOUND, "[取消关注]")
    ]


def test_menu_clicks_are_acknowledged_and_not_stored(
    plain: WeChatSide, rasa: FakeRasa, session: Session
) -> None:
    response = plain.send(event_xml("oMenu", "CLICK", EventKey="V1001_TODAY"))
    assert response.text == "success" and _stored(session, "oMenu") == [] and rasa.received == []


def test_buttons_become_numbered_options_and_a_bare_number_picks_one(
    wechat: WeChatSide, rasa: FakeRasa, session: Session
) -> None:
    offer = wechat.reply_text(wechat.send(text_xml("oNum", "改地址")))
    assert offer == "需要转人工吗？\n1. 转人工\n2. 不用了\n（回复 1、2 选择）"
    wechat.send(text_xml("oNum", "2"))
    assert rasa.received[-1]["message"] == "/deny"
    customer_texts = [m.text for m in _stored(session, "oNum") if m.sender is MessageSender.CUSTOMER]
    assert customer_texts == ["改地址", "不用了"]


def test_a_number_out_of_range_is_sent_to_the_bot_as_typed(plain: WeChatSide, rasa: FakeRasa) -> None:
    plain.send(text_xml("oNum7", "改地址"))
    plain.send(text_xml("oNum7", "7"))
    assert rasa.received[-1]["message"] == "7"


def test_the_rating_question_asks_for_a_score_and_the_number_goes_through_as_the_score(
    wechat: WeChatSide, rasa: FakeRasa
) -> None:
    question = wechat.reply_text(wechat.send(text_xml("oRate", "再见")))
    assert question == "请为本次服务打分\n回复 1-5 分（5 分最满意）"
    wechat.send(text_xml("oRate", "4"))
    assert rasa.received[-1]["message"] == "4"  # the CSAT form reads the score itself


def test_a_staff_reply_reaches_the_follower_through_the_customer_service_api(
    client: TestClient, plain: WeChatSide, rasa: FakeRasa, session: Session, fake_wechat: FakeWeChat
) -> None:
    plain.send(text_xml("oStaff", "在吗"))
    conversation_id = _stored(session, "oStaff")[0].conversation_id
    supervisor = token_for(session, StaffRole.SUPERVISOR)
    response = client.post(
        f"/api/conversations/{conversation_id}/replies",
        headers=supervisor,
        json={"text": "您好，我是客服小王"},
    )
    assert response.status_code == 200, response.text
    sends = fake_wechat.wait_for_sends(2)
    assert [s["touser"] for s in sends] == ["oStaff", "oStaff"]
    assert (
        sends[0]["text"]["content"].startswith("客服") and sends[1]["text"]["content"] == "您好，我是客服小王"
    )
    assert all(
        r.query["access_token"] == "ACCESS-1" for r in fake_wechat.received if r.path.endswith("/send")
    )
    assert len(fake_wechat.token_fetches()) == 1

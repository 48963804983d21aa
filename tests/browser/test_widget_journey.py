"""The issue's whole visit, on a desktop and on a 375 px phone: answers, chips, a complaint, a person, history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DEVICES, LiveShop, open_context
from tests.browser.widget_page import WidgetPage

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
TICKET = re.compile(r"HS\d{12}")
STAFF_TEXT = "您好，我是客服张敏，已经看到您的投诉，马上为您处理。"


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_a_visitor_is_answered_handed_over_and_finds_the_conversation_after_a_reload(
    device: str, browser: Browser, live_shop: LiveShop, artifacts: Path
) -> None:
    context = open_context(browser, device)
    try:
        widget = WidgetPage(context.new_page(), artifacts)
        widget.visit(live_shop.url)
        widget.shot("shop")
        widget.open()
        expect(widget.status).to_have_text("智能客服")
        widget.shot("open")
        shipped, _paid = live_shop.give_orders(widget.visitor_id())

        # Without an order number the bot offers the visitor's own orders as quick replies.
        widget.say("我的订单到哪了")
        expect(widget.chips().filter(has_text=shipped)).to_be_visible()
        widget.shot("order-chips")
        answer = widget.tap(widget.chips().filter(has_text=shipped))
        assert any(shipped in reply and "顺丰" in reply for reply in answer.replies)
        expect(widget.page.get_by_role("group", name="快捷回复")).to_have_count(0)
        widget.shot("order-answer")

        widget.say("东西是坏的，我要投诉")
        widget.say(shipped)
        opened = widget.say("不用")
        ticket = TICKET.search(" ".join(opened.replies))
        assert ticket is not None, opened.replies
        expect(widget.bubbles("bot").filter(has_text=ticket.group())).to_be_visible()
        widget.shot("ticket")

        handoff = widget.say("转人工")
        assert handoff.status == "waiting_for_staff"
        expect(widget.status).to_have_text("已转人工，请稍候")
        widget.shot("waiting")

        # A person answers through the staff API; the open stream brings it without a reload.
        live_shop.staff_reply(handoff.conversation_id, STAFF_TEXT)
        expect(widget.bubbles("staff").filter(has_text=STAFF_TEXT)).to_have_count(1)
        expect(widget.status).to_have_text("客服 张敏 为您服务")
        expect(widget.page.locator(".msg.from-staff .sender").last).to_have_text("张敏")
        widget.shot("staff-reply")

        widget.page.reload()
        widget.open()
        expect(widget.bubbles("customer").filter(has_text="我的订单到哪了")).to_have_count(1)
        expect(widget.bubbles("bot").filter(has_text=f"工单号 {ticket.group()}，优先级")).to_have_count(1)
        expect(widget.bubbles("staff").filter(has_text=STAFF_TEXT)).to_have_count(1)
        expect(widget.status).to_have_text("客服 张敏 为您服务")
        widget.shot("after-reload")
    finally:
        context.close()


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_the_panel_fits_the_screen(
    device: str, browser: Browser, live_shop: LiveShop, artifacts: Path
) -> None:
    context = open_context(browser, device)
    try:
        widget = WidgetPage(context.new_page(), artifacts)
        widget.visit(live_shop.url)
        widget.open()
        box = widget.panel.bounding_box()
        viewport = DEVICES[device]["viewport"]
        assert box is not None
        if device == "phone":
            # Full screen, and the launcher steps aside so it cannot cover the send button.
            assert (box["x"], box["y"]) == (0, 0)
            assert (box["width"], box["height"]) == (viewport["width"], viewport["height"])
            expect(widget.launcher).to_be_hidden()
            # Focus lands in the dialog, not the input: no keyboard popping up over the conversation.
            assert widget.active_element_id() == "hs-panel"
        else:
            assert box["width"] == 380 and box["x"] + box["width"] <= viewport["width"]
            assert widget.active_element_id() == "hs-input"
        send = widget.page.get_by_role("button", name="发送").bounding_box()
        assert send is not None and send["x"] + send["width"] <= viewport["width"]
        assert send["y"] + send["height"] <= viewport["height"]
    finally:
        context.close()

"""What makes the widget a product: nothing sent twice, reconnects, stars, keyboard use, isolation, no HTML injection."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Request, Route, expect

from tests.browser.conftest import LiveShop
from tests.browser.widget_page import WidgetPage

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def test_a_message_whose_answer_was_lost_is_resent_once_with_the_same_client_id(
    widget: WidgetPage, live_shop: LiveShop
) -> None:
    sent: list[str] = []

    def lose_the_first_answer(route: Route, request: Request) -> None:
        sent.append(json.loads(request.post_data or "{}")["client_id"])
        response = route.fetch()  # the server stores the message and answers ...
        if len(sent) == 1:
            route.abort("connectionreset")  # ... but the browser never hears it
        else:
            route.fulfill(response=response)

    widget.page.route("**/api/chat/messages", lose_the_first_answer)
    turn = widget.say("运费怎么算")
    assert len(sent) == 2 and sent[0] == sent[1]
    expect(widget.bubbles("customer").filter(has_text="运费怎么算")).to_have_count(1)
    expect(widget.bubbles("bot").filter(has_text="包邮")).to_have_count(1)
    stored = live_shop.stored_messages(turn.conversation_id)
    assert [m["text"] for m in stored if m["sender"] == "customer"] == ["运费怎么算"]


def test_a_message_left_unsent_is_delivered_after_a_reload(widget: WidgetPage) -> None:
    stuck: list[Route] = []
    widget.page.route("**/api/chat/messages", lambda route: stuck.append(route))  # never answered
    widget.input.fill("怎么退货")
    widget.input.press("Enter")
    expect(widget.page.locator(".msg.sending")).to_contain_text("发送中…")
    widget.page.unroute_all(behavior="ignoreErrors")

    widget.page.reload()
    widget.open()
    expect(widget.bubbles("bot").filter(has_text="7天无理由")).to_have_count(1)
    expect(widget.bubbles("customer").filter(has_text="怎么退货")).to_have_count(1)
    expect(widget.page.locator(".msg.sending")).to_have_count(0)


def test_replies_sent_while_offline_arrive_once_the_network_is_back(
    widget: WidgetPage, live_shop: LiveShop
) -> None:
    handoff = widget.say("转人工")
    widget.page.context.set_offline(True)
    expect(widget.page.get_by_text("网络已断开，恢复后将自动重连")).to_be_visible()
    live_shop.staff_reply(handoff.conversation_id, "网络断开时发出的回复")
    widget.shot("offline")

    widget.page.context.set_offline(False)
    expect(widget.bubbles("staff").filter(has_text="网络断开时发出的回复")).to_have_count(1)
    expect(widget.page.get_by_text("网络已断开，恢复后将自动重连")).to_be_hidden()
    widget.wait_until_connected()
    live_shop.staff_reply(handoff.conversation_id, "重连之后的回复")
    expect(widget.bubbles("staff").filter(has_text="重连之后的回复")).to_have_count(1)
    expect(widget.bubbles("staff")).to_have_count(2)


def test_the_satisfaction_question_is_five_stars_chosen_by_keyboard(widget: WidgetPage) -> None:
    widget.say("再见")
    stars = widget.stars()
    expect(stars).to_have_count(5)
    expect(stars.first).to_have_attribute("aria-label", "1 分，很不满意")
    expect(stars.last).to_have_attribute("aria-label", "5 分，非常满意")
    stars.nth(3).focus()
    widget.shot("rating")
    with widget.page.expect_response(lambda r: r.url.endswith("/api/chat/messages")) as answer:
        widget.page.keyboard.press("Enter")
    body: dict[str, Any] = answer.value.json()
    assert body["message"]["text"] == "4分"
    expect(widget.bubbles("customer").last).to_have_text("我：4分")
    for star in stars.all():
        expect(star).to_be_disabled()
    expect(widget.page.locator(".star.lit")).to_have_count(4)


def test_the_widget_works_by_keyboard_alone(widget: WidgetPage) -> None:
    widget.input.press_sequentially("第一行")
    widget.input.press("Shift+Enter")
    widget.input.press_sequentially("第二行")
    assert widget.input.input_value() == "第一行\n第二行"
    widget.page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    widget.page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    assert widget.active_element_id() == "hs-input"
    log = widget.page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")


def test_the_shop_pages_own_css_does_not_reach_the_widget(widget: WidgetPage) -> None:
    # The page sets html { font-size: 20px }, * { line-height: 2 } and
    # button { border: 3px solid … !important; border-radius: 0 !important }.
    style = (
        "el => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderTopLeftRadius, s.width]; }"
    )
    assert widget.launcher.evaluate(style) == ["0px", "50%", "60px"]
    assert widget.page.get_by_role("button", name="发送").evaluate(style) == ["0px", "12px", "40px"]
    text = widget.input.evaluate("el => [getComputedStyle(el).fontSize, getComputedStyle(el).lineHeight]")
    assert text == ["14px", "20px"]


def test_a_reply_while_the_panel_is_closed_shows_an_unread_badge(
    widget: WidgetPage, live_shop: LiveShop
) -> None:
    handoff = widget.say("转人工")
    widget.page.get_by_role("button", name="关闭客服窗口").click()
    live_shop.staff_reply(handoff.conversation_id, "您好，请问还在吗？")
    badge = widget.page.locator(".badge")
    expect(badge).to_have_text("1")  # the staff reply; the "joined" notice is not a message to read
    widget.shot("unread")
    widget.launcher.click()
    expect(badge).to_be_hidden()
    widget.page.reload()
    expect(widget.launcher).to_be_visible()
    expect(badge).to_be_hidden()  # read before the reload stays read


def test_server_text_is_shown_as_text_never_as_html(widget: WidgetPage, live_shop: LiveShop) -> None:
    handoff = widget.say("转人工")
    hostile = '<img src=x onerror="window.__pwned=1"><b>粗体</b>'
    live_shop.staff_reply(handoff.conversation_id, hostile)
    expect(widget.bubbles("staff").last).to_contain_text(hostile)
    assert widget.page.evaluate("window.__pwned") is None
    assert widget.page.locator(".msg.from-staff img, .msg.from-staff b").count() == 0


def test_reduced_motion_turns_the_animations_off(widget: WidgetPage) -> None:
    animation = "el => getComputedStyle(el).animationName"
    assert widget.panel.evaluate(animation) == "hs-rise"
    widget.page.emulate_media(reduced_motion="reduce")
    assert widget.panel.evaluate(animation) == "none"

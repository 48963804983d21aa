"""Order status: the customer's own orders are shown, anyone else's read as not found."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from sqlalchemy.orm import Session

from bot.actions.orders import ActionAskOrderNo, ActionOrderStatus, ValidateOrderForm
from crm_store.enums import Channel, OrderStatus
from huisheng.runtime import Runtime
from tests.bot.conftest import make_tracker, run_action
from tests.factories import make_customer, make_order


def test_shipped_order_shows_carrier_and_tracking(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, channel=Channel.WEB, external_id="visitor-1")
    make_order(session, customer=customer, status=OrderStatus.SHIPPED, order_no="202411050012")
    tracker = make_tracker("web:visitor-1", intent="order_status", slots={"order_no": "202411050012"})

    result = run_action(ActionOrderStatus(), tracker, domain)

    assert result.events == []
    assert result.responses == ["utter_order_shipped"]
    message = result.messages[0]
    assert message["order_no"] == "202411050012"
    assert message["carrier"] == "顺丰速运"
    assert message["tracking_no"] == "SF1234567890"
    assert message["items"] == "蓝牙耳机×1"


def test_another_customers_order_is_not_revealed(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    owner = make_customer(session, external_id="owner")
    make_order(session, customer=owner, status=OrderStatus.SHIPPED, order_no="202411050099")
    make_customer(session, external_id="stranger")
    tracker = make_tracker("web:stranger", intent="order_status", slots={"order_no": "202411050099"})

    result = run_action(ActionOrderStatus(), tracker, domain)

    # Nothing is shown; the account-link form may ask for the phone on the order next.
    assert result.events == [
        SlotSet("order_no", None),
        SlotSet("link_order_no", "202411050099"),
        FollowupAction("link_account_form"),
    ]
    assert result.responses == ["utter_order_not_found"]
    assert "tracking_no" not in result.messages[0]
    assert "carrier" not in result.messages[0]


def test_wechat_sender_id_finds_the_wechat_customer(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, channel=Channel.WECHAT, external_id="oAbC123")
    make_order(session, customer=customer, status=OrderStatus.PAID, order_no="202412180345")
    tracker = make_tracker("wechat:oAbC123", slots={"order_no": "202412180345"})

    result = run_action(ActionOrderStatus(), tracker, domain)

    assert result.responses == ["utter_order_paid"]


def test_asking_for_the_order_offers_recent_orders_as_buttons(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="visitor-2")
    make_order(session, customer=customer, status=OrderStatus.SHIPPED, order_no="202411050012")
    tracker = make_tracker("web:visitor-2", intent="order_status", active_loop="order_form")

    result = run_action(ActionAskOrderNo(), tracker, domain)

    assert result.responses == ["utter_ask_order_no_recent"]
    assert result.messages[0]["buttons"] == [
        {"title": "202411050012 已发货", "payload": '/order_status{"order_no":"202411050012"}'}
    ]


def test_asking_a_customer_without_orders_just_asks(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    tracker = make_tracker("web:new-visitor", intent="order_status", active_loop="order_form")

    result = run_action(ActionAskOrderNo(), tracker, domain)

    assert result.responses == ["utter_ask_order_no"]


def test_order_form_reads_a_number_typed_with_spaces(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="2024 1105 0012",
        intent="nlu_fallback",
        slots={"requested_slot": "order_no"},
        active_loop="order_form",
    )

    result = run_action(ValidateOrderForm(), tracker, domain)

    assert result.events == [SlotSet("order_no", "202411050012")]
    assert result.messages == []


def test_order_form_explains_a_malformed_number(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="12345",
        intent="out_of_scope",
        slots={"requested_slot": "order_no"},
        active_loop="order_form",
    )

    result = run_action(ValidateOrderForm(), tracker, domain)

    assert result.events == [SlotSet("order_no", None)]
    assert result.responses == ["utter_invalid_order_no"]


def test_order_form_lets_a_new_topic_through(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="转人工",
        intent="request_human",
        slots={"requested_slot": "order_no"},
        active_loop="order_form",
    )

    result = run_action(ValidateOrderForm(), tracker, domain)

    assert result.events == []
    assert result.messages == []

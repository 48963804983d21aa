"""Change of address: applied before shipping; refused afterwards with the policy text and an offer of a person."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot.actions.address import ActionChangeAddress, ValidateAddressForm
from crm_store.enums import OrderStatus
from huisheng.runtime import Runtime
from huisheng.services import orders
from tests.bot.conftest import make_tracker, run_action
from tests.factories import make_customer, make_order

NEW_ADDRESS = "北京市朝阳区建国路88号 李四 13912345678"


def test_address_is_changed_before_shipping(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="mover")
    make_order(session, customer=customer, status=OrderStatus.PAID, order_no="202412180345")
    tracker = make_tracker("web:mover", slots={"order_no": "202412180345", "new_address": NEW_ADDRESS})

    result = run_action(ActionChangeAddress(), tracker, domain)

    assert result.events == [SlotSet("new_address", None), SlotSet("address_changeable", None)]
    assert result.responses == ["utter_address_changed"]
    order = orders.get_order_for_customer(session, customer_id=customer.id, order_no="202412180345")
    assert order.address == NEW_ADDRESS


def test_shipped_order_is_found_unchangeable_before_the_address_is_asked(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="late")
    make_order(session, customer=customer, status=OrderStatus.SHIPPED, order_no="202411050012")
    tracker = make_tracker(
        "web:late",
        text="202411050012",
        intent="change_address",
        slots={"requested_slot": "order_no", "order_no": "202411050012"},
        active_loop="address_form",
    )

    result = run_action(ValidateAddressForm(), tracker, domain)

    assert result.events == [
        SlotSet("order_no", "202411050012"),
        SlotSet("address_changeable", False),
        SlotSet("requested_slot", None),
    ]
    assert result.messages == []


def test_unchangeable_order_needs_no_address(domain: dict[str, Any]) -> None:
    tracker = make_tracker("web:late", slots={"address_changeable": False})

    slots = asyncio.run(
        ValidateAddressForm().required_slots(
            ["order_no", "new_address"], CollectingDispatcher(), tracker, domain
        )
    )

    assert slots == ["order_no"]


def test_shipped_order_is_explained_from_the_policy_and_a_person_offered(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="late2")
    make_order(session, customer=customer, status=OrderStatus.SHIPPED, order_no="202411050013")
    tracker = make_tracker("web:late2", slots={"order_no": "202411050013", "address_changeable": False})

    result = run_action(ActionChangeAddress(), tracker, domain)

    assert result.events == [
        SlotSet("new_address", None),
        SlotSet("address_changeable", None),
        SlotSet("human_offered", True),
    ]
    assert result.responses == ["utter_address_change_blocked"]
    message = result.messages[0]
    assert message["status_label"] == "已发货"
    assert message["policy"].startswith("订单发货前可以修改收货地址")
    order = orders.get_order_for_customer(session, customer_id=customer.id, order_no="202411050013")
    assert order.address == "上海市浦东新区世纪大道100号"


def test_someone_elses_order_cannot_be_redirected(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    owner = make_customer(session, external_id="owner-a")
    make_order(session, customer=owner, status=OrderStatus.PAID, order_no="202412180346")
    make_customer(session, external_id="thief")
    tracker = make_tracker(
        "web:thief",
        text="202412180346",
        slots={"requested_slot": "order_no", "order_no": "202412180346"},
        active_loop="address_form",
    )

    result = run_action(ValidateAddressForm(), tracker, domain)

    assert SlotSet("order_no", None) in result.events
    assert result.responses == ["utter_order_not_found"]


def test_too_short_address_is_asked_again(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="北京",
        intent="nlu_fallback",
        slots={"requested_slot": "new_address", "order_no": "202412180345", "address_changeable": True},
        active_loop="address_form",
    )

    result = run_action(ValidateAddressForm(), tracker, domain)

    assert result.events == [SlotSet("new_address", None)]
    assert result.responses == ["utter_invalid_address"]

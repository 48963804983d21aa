"""A bare 好的 / 嗯 inside a form is no answer: the form asks its question again, once, without calling the reply
wrong; 不用了 lets the form go (the rules drop it). An invalid order number is explained once, not twice."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from bot.actions.account_link import ValidateLinkAccountForm
from bot.actions.address import ValidateAddressForm
from bot.actions.complaints import NOT_GIVEN, ValidateComplaintForm
from bot.actions.csat import ValidateCsatForm
from bot.actions.orders import ValidateOrderForm
from huisheng.runtime import Runtime
from tests.bot.conftest import make_tracker, run_action

FILED = {"complaint_text": "杯子是碎的，客服也不回"}
CASES = [
    (ValidateOrderForm(), "order_form", "order_no", {}),
    (ValidateAddressForm(), "address_form", "order_no", {}),
    (
        ValidateAddressForm(),
        "address_form",
        "new_address",
        {"order_no": "202411050012", "address_changeable": True},
    ),
    (ValidateComplaintForm(), "complaint_form", "complaint_text", {}),
    (ValidateComplaintForm(), "complaint_form", "complaint_order_no", FILED),
    (ValidateComplaintForm(), "complaint_form", "contact_phone", {**FILED, "complaint_order_no": NOT_GIVEN}),
    (ValidateCsatForm(), "csat_form", "csat_score", {}),
    (ValidateLinkAccountForm(), "link_account_form", "link_phone", {"link_order_no": "202411050012"}),
]


@pytest.mark.parametrize(("action", "form", "slot", "filled"), CASES)
@pytest.mark.parametrize("text", ["好的", "嗯"])
def test_a_bare_ok_inside_a_form_asks_again_without_a_complaint(
    bot_runtime: Runtime,
    domain: dict[str, Any],
    action: Action,
    form: str,
    slot: str,
    filled: dict[str, Any],
    text: str,
) -> None:
    tracker = make_tracker(
        "web:v", text=text, intent="affirm", slots={**filled, "requested_slot": slot}, active_loop=form
    )

    result = run_action(action, tracker, domain)

    assert SlotSet(slot, None) in result.events
    assert result.messages == []


@pytest.mark.parametrize("action", [ValidateOrderForm(), ValidateAddressForm()])
def test_no_thanks_asked_for_an_order_number_leaves_the_form_to_the_rules(
    bot_runtime: Runtime, domain: dict[str, Any], action: Action
) -> None:
    tracker = make_tracker(
        "web:v", text="不用了", intent="deny", slots={"requested_slot": "order_no"}, active_loop="x"
    )

    result = run_action(action, tracker, domain)

    assert result.events == [] and result.messages == []


@pytest.mark.parametrize(
    ("action", "form", "slot", "filled"),
    [
        (ValidateAddressForm(), "address_form", "order_no", {}),
        (ValidateComplaintForm(), "complaint_form", "complaint_order_no", FILED),
    ],
)
def test_a_malformed_order_number_is_explained_once(
    bot_runtime: Runtime, domain: dict[str, Any], action: Action, form: str, slot: str, filled: dict[str, Any]
) -> None:
    tracker = make_tracker(
        "web:v",
        text="随便写的",
        intent="nlu_fallback",
        slots={**filled, "requested_slot": slot},
        active_loop=form,
    )

    result = run_action(action, tracker, domain)

    # Before, the missing number was also looked up: "在您当前的账户下没有找到订单 None".
    assert result.responses == ["utter_invalid_order_no"]
    assert SlotSet(slot, None) in result.events

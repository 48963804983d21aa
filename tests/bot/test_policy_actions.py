"""Policy answers come from the shop-editable shop_policy.yml, and refunds from the customer's own order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from bot.actions.policy import ActionAnswerPolicy, ActionRefundStatus
from crm_store.enums import OrderStatus
from huisheng.runtime import Runtime
from tests.bot.conftest import make_tracker, run_action
from tests.factories import make_customer, make_order


def test_shipping_question_quotes_the_policy_file(bot_runtime: Runtime, domain: dict[str, Any]) -> None:
    tracker = make_tracker("web:v", text="包邮吗", intent="shipping_info")

    result = run_action(ActionAnswerPolicy(), tracker, domain)

    assert result.events == []
    assert len(result.messages) == 1
    assert result.messages[0]["text"].startswith("全场满99元包邮")


def test_edited_policy_file_changes_the_answer_without_a_restart(
    bot_runtime: Runtime, tmp_path: Path, domain: dict[str, Any]
) -> None:
    policy_file = tmp_path / "shop_policy.yml"
    policy_file.write_text("invoice: 本店暂不开具发票。\n", encoding="utf-8")
    bot_runtime.settings.shop.policy_file = policy_file
    tracker = make_tracker("web:v", text="能开发票吗", intent="invoice")

    first = run_action(ActionAnswerPolicy(), tracker, domain)
    policy_file.write_text("invoice: 可开电子发票，请在订单页申请。\n", encoding="utf-8")
    # Make sure the modification time moves even on coarse-grained filesystems.
    stat = policy_file.stat()
    os.utime(policy_file, (stat.st_atime, stat.st_mtime + 5))
    second = run_action(ActionAnswerPolicy(), tracker, domain)

    assert first.responses == ["本店暂不开具发票。"]
    assert second.responses == ["可开电子发票，请在订单页申请。"]


def test_refund_question_without_order_gives_policy_and_asks_for_number(
    bot_runtime: Runtime, domain: dict[str, Any]
) -> None:
    tracker = make_tracker("web:v", text="退款到哪了", intent="refund_status")

    result = run_action(ActionRefundStatus(), tracker, domain)

    assert result.events == []
    assert result.messages[0]["text"].startswith("退货签收或取消订单后")
    assert result.responses[1] == "utter_refund_ask_order_no"


def test_refund_in_progress_for_own_order(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="refunder")
    make_order(session, customer=customer, status=OrderStatus.REFUND_REQUESTED, order_no="202411050012")
    tracker = make_tracker("web:refunder", text="202411050012退款到哪了", intent="refund_status")

    result = run_action(ActionRefundStatus(), tracker, domain)

    assert result.events == [SlotSet("order_no", "202411050012")]
    assert result.responses == ["utter_refund_in_progress"]


def test_refund_of_someone_elses_order_is_not_revealed(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    owner = make_customer(session, external_id="owner-r")
    make_order(session, customer=owner, status=OrderStatus.REFUNDED, order_no="202411050013")
    make_customer(session, external_id="nosy")
    tracker = make_tracker("web:nosy", text="202411050013退款了吗", intent="refund_status")

    result = run_action(ActionRefundStatus(), tracker, domain)

    assert result.events == []
    assert result.responses == ["utter_order_not_found"]

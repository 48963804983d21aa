"""Account linking in the bot: an order outside this chat's account, proven by its phone, joins the histories."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot.actions.account_link import ActionLinkAccount, ValidateLinkAccountForm
from crm_store.enums import Channel, OrderStatus
from crm_store.models import ChannelIdentity
from huisheng.runtime import Runtime
from huisheng.services import customers
from tests.bot.conftest import make_tracker, run_action
from tests.factories import make_customer, make_order

RESET = [SlotSet("link_order_no", None), SlotSet("link_phone", None)]


def _web_customer_with_an_order(session: Session) -> None:
    owner = make_customer(session, channel=Channel.WEB, external_id="web-visitor-9", name="周洁")
    owner.phone = "13912345678"
    make_order(session, customer=owner, status=OrderStatus.SHIPPED, order_no="202412010777")
    make_customer(session, channel=Channel.WECHAT, external_id="oNewFollower", name=None)
    session.flush()


def test_the_phone_on_the_order_links_the_wechat_follower_and_answers(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    _web_customer_with_an_order(session)
    tracker = make_tracker(
        "wechat:oNewFollower", slots={"link_order_no": "202412010777", "link_phone": "13912345678"}
    )

    result = run_action(ActionLinkAccount(), tracker, domain)

    assert result.responses == ["utter_account_linked", "utter_order_shipped"]
    assert result.events == RESET
    owner = customers.find_by_identity(session, channel=Channel.WEB, external_id="web-visitor-9")
    follower = customers.find_by_identity(session, channel=Channel.WECHAT, external_id="oNewFollower")
    assert owner is not None and follower is not None and owner.id == follower.id


def test_a_wrong_phone_links_nothing_and_reveals_nothing(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    _web_customer_with_an_order(session)
    tracker = make_tracker(
        "wechat:oNewFollower", slots={"link_order_no": "202412010777", "link_phone": "13800000000"}
    )

    result = run_action(ActionLinkAccount(), tracker, domain)

    assert result.responses == ["utter_account_link_failed"]
    assert "carrier" not in result.messages[0]
    identity = session.query(ChannelIdentity).filter_by(external_id="oNewFollower").one()
    owner = customers.find_by_identity(session, channel=Channel.WEB, external_id="web-visitor-9")
    assert owner is not None and identity.customer_id != owner.id


def test_declining_moves_on_without_linking(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    _web_customer_with_an_order(session)
    tracker = make_tracker(
        "wechat:oNewFollower", slots={"link_order_no": "202412010777", "link_phone": "skipped"}
    )
    assert run_action(ActionLinkAccount(), tracker, domain).responses == ["utter_anything_else"]


def test_the_form_reads_a_phone_a_refusal_or_asks_again(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    form = ValidateLinkAccountForm()
    cases = [("手机号是139 1234 5678", "13912345678"), ("不用了", "skipped"), ("嗯嗯", None)]
    for text, expected in cases:
        tracker = make_tracker(
            "wechat:oNewFollower",
            text=text,
            intent="affirm",
            slots={"requested_slot": "link_phone", "link_order_no": "202412010777"},
            active_loop="link_account_form",
        )
        extracted = form.extract_link_phone(CollectingDispatcher(), tracker, domain)
        assert extracted == {"link_phone": expected}, text

"""One customer across channels: links made only on proof, merges that keep everything."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, ConversationStatus
from crm_store.models import AuditEntry, Conversation, Customer, Escalation, Order
from huisheng.services import conversations, tags
from huisheng.services.audit import BOT, SYSTEM
from huisheng.services.identity_links import link_by_order, merge_customers
from tests.factories import make_customer, make_order


def _known_customer(session: Session) -> tuple[Customer, Order]:
    known = make_customer(session, channel=Channel.WEB, external_id="web-old-visitor", name="李娜")
    known.phone = "13800138000"
    order = make_order(session, customer=known, order_no="202412010001")
    session.flush()
    return known, order


def test_an_order_number_with_its_owners_phone_links_the_wechat_user(session: Session) -> None:
    known, _order = _known_customer(session)
    stranger = make_customer(session, channel=Channel.WECHAT, external_id="oWechat1", name=None)
    conversation = conversations.current_conversation(
        session, customer_id=stranger.id, channel=Channel.WECHAT
    )
    result = link_by_order(
        session,
        channel=Channel.WECHAT,
        external_id="oWechat1",
        order_no="202412010001",
        phone="138-0013-8000",
        actor=BOT,
    )
    assert result.linked and result.customer_id == known.id
    assert session.get(Customer, stranger.id) is None
    assert session.get(Conversation, conversation.id).customer_id == known.id  # type: ignore[union-attr]
    assert sorted(i.channel for i in session.get(Customer, known.id).identities) == [  # type: ignore[union-attr]
        Channel.WEB,
        Channel.WECHAT,
    ]


def test_an_order_number_alone_or_with_a_wrong_phone_links_nothing(session: Session) -> None:
    known, _order = _known_customer(session)
    stranger = make_customer(session, channel=Channel.WECHAT, external_id="oWechat2", name=None)
    for order_no, phone in (("202412010001", "13900000000"), ("209999999999", "13800138000")):
        result = link_by_order(
            session, channel=Channel.WECHAT, external_id="oWechat2", order_no=order_no, phone=phone, actor=BOT
        )
        assert not result.linked and result.reason == "order and phone do not match"
    assert session.get(Customer, stranger.id) is not None
    assert [i.channel for i in session.get(Customer, known.id).identities] == [Channel.WEB]  # type: ignore[union-attr]
    refusals = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.link_refused")).all()
    assert len(refusals) == 2


def test_a_merge_keeps_every_conversation_order_escalation_and_tag(session: Session) -> None:
    target, _ = _known_customer(session)
    source = make_customer(session, channel=Channel.WECHAT, external_id="oWechat3", name=None)
    make_order(session, customer=source, order_no="202412010002")
    source_open = conversations.current_conversation(session, customer_id=source.id, channel=Channel.WEB)
    target_open = conversations.current_conversation(session, customer_id=target.id, channel=Channel.WEB)
    conversations.hand_over(session, conversation_id=source_open.id, reason="asked")
    tags.tag_customer(session, customer_id=source.id, tag="物流敏感", actor=SYSTEM)
    session.flush()

    merged = merge_customers(session, source_id=source.id, target_id=target.id, actor=SYSTEM, reason="staff")

    orders = session.scalars(select(Order.order_no).where(Order.customer_id == merged.id)).all()
    assert sorted(orders) == ["202412010001", "202412010002"]
    assert session.scalar(select(Escalation.customer_id)) == merged.id
    assert [t.name for t in merged.tags] == ["物流敏感"]
    # Both conversations are kept; of the two open ones on the web, only the target's stays open.
    assert session.get(Conversation, source_open.id).status is ConversationStatus.CLOSED  # type: ignore[union-attr]
    assert session.get(Conversation, target_open.id).status is ConversationStatus.BOT  # type: ignore[union-attr]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "customer.merged"))
    assert entry is not None and entry.details == {"merged_customer_id": source.id, "reason": "staff"}

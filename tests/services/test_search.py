"""Staff search: a customer by name, phone, order number or WeChat nickname, a message by a word."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import Channel, MessageDirection, MessageSender, StaffRole
from crm_store.models import AuditEntry, Customer
from huisheng.services import conversations, customers, search
from tests.factories import make_customer, make_order, make_staff


def _customer_ids(session: Session, query: str, *, role: StaffRole = StaffRole.AGENT) -> list[int]:
    found = search.search(session, query=query, viewer=make_staff(session, role=role))
    return [hit.customer_id for hit in found.customers]


def _with_phone(session: Session, phone: str, name: str = "张三") -> Customer:
    customer = make_customer(session, name=name)
    customers.update_contact(session, customer_id=customer.id, phone=phone)
    return customer


def test_finds_a_customer_by_part_of_the_name(session: Session) -> None:
    wanted = make_customer(session, name="欧阳娜娜")
    make_customer(session, name="李四")
    assert _customer_ids(session, "阳娜") == [wanted.id]


def test_finds_a_customer_by_part_of_the_phone(session: Session) -> None:
    wanted = _with_phone(session, "13800138000")
    _with_phone(session, "13911112222")
    assert _customer_ids(session, "0138000") == [wanted.id]


def test_finds_a_customer_by_the_start_of_an_order_number(session: Session) -> None:
    wanted = make_customer(session)
    make_order(session, customer=wanted, order_no="202412240001")
    make_order(session, customer=make_customer(session), order_no="202501010002")
    found = search.search(session, query="2024122", viewer=make_staff(session))
    assert [(h.customer_id, h.matched) for h in found.customers] == [(wanted.id, ["订单号 202412240001"])]


def test_finds_a_customer_by_wechat_nickname(session: Session) -> None:
    wanted = make_customer(session, channel=Channel.WECHAT, external_id="oNick", name="小猫咪")
    customers.update_contact(session, customer_id=wanted.id, name="王芳")
    found = search.search(session, query="猫咪", viewer=make_staff(session))
    assert [(h.customer_id, h.matched) for h in found.customers] == [(wanted.id, ["昵称"])]


def test_finds_a_message_by_a_word(session: Session) -> None:
    customer = make_customer(session, name="赵六")
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    conversations.record_message(
        session,
        conversation_id=conversation.id,
        direction=MessageDirection.INBOUND,
        sender=MessageSender.CUSTOMER,
        text="耳机左边没声音",
    )
    found = search.search(session, query="没声音", viewer=make_staff(session))
    assert [(m.customer_id, m.text) for m in found.messages] == [(customer.id, "耳机左边没声音")]


def test_like_wildcards_in_the_query_match_themselves(session: Session) -> None:
    make_customer(session, name="张三")
    make_order(session, customer=make_customer(session, name="李四"), order_no="202400000099")
    literal = make_customer(session, name="百分之100%满意")
    assert _customer_ids(session, "%") == [literal.id]
    assert _customer_ids(session, "_") == []


def test_an_agent_sees_the_phone_masked_and_a_supervisor_in_full(session: Session) -> None:
    _with_phone(session, "13800138000")
    agent = search.search(session, query="138001", viewer=make_staff(session))
    supervisor = search.search(session, query="138001", viewer=make_staff(session, role=StaffRole.SUPERVISOR))
    assert (agent.customers[0].phone, supervisor.customers[0].phone) == ("138****8000", "13800138000")


def test_a_search_is_written_to_the_audit_log(session: Session) -> None:
    viewer = make_staff(session)
    search.search(session, query="张", viewer=viewer)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.searched")).one()
    assert (entry.actor_id, entry.details["query"]) == (viewer.id, "张")

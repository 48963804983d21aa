"""Customers see only their own orders; addresses change only before shipping."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from crm_store.enums import OrderStatus
from huisheng.errors import ConflictError, NotFoundError
from huisheng.services import orders
from tests.factories import make_customer, make_order


def test_a_customer_looks_up_their_own_order(session: Session) -> None:
    customer = make_customer(session)
    order = make_order(session, customer=customer, status=OrderStatus.SHIPPED)
    found = orders.get_order_for_customer(session, customer_id=customer.id, order_no=order.order_no)
    assert found.id == order.id
    assert found.tracking_no == "SF1234567890"


def test_another_customers_order_reads_like_a_missing_one(session: Session) -> None:
    owner = make_customer(session)
    stranger = make_customer(session)
    order = make_order(session, customer=owner)
    with pytest.raises(NotFoundError) as hidden:
        orders.get_order_for_customer(session, customer_id=stranger.id, order_no=order.order_no)
    with pytest.raises(NotFoundError) as missing:
        orders.get_order_for_customer(session, customer_id=stranger.id, order_no="202499999999")
    assert hidden.value.message.replace(order.order_no, "N") == missing.value.message.replace(
        "202499999999", "N"
    )


def test_orders_are_listed_newest_first(session: Session) -> None:
    customer = make_customer(session)
    older = make_order(session, customer=customer)
    newer = make_order(session, customer=customer)
    newer.created_at = older.created_at.replace(year=older.created_at.year + 1)
    session.flush()
    assert [o.id for o in orders.list_orders(session, customer_id=customer.id)] == [newer.id, older.id]


def test_the_address_of_a_paid_order_can_be_changed(session: Session) -> None:
    customer = make_customer(session)
    order = make_order(session, customer=customer, status=OrderStatus.PAID)
    orders.change_address(
        session, customer_id=customer.id, order_no=order.order_no, address="北京市海淀区1号"
    )
    assert order.address == "北京市海淀区1号"


def test_the_address_of_a_shipped_order_cannot_be_changed(session: Session) -> None:
    customer = make_customer(session)
    order = make_order(session, customer=customer, status=OrderStatus.SHIPPED)
    with pytest.raises(ConflictError) as refused:
        orders.change_address(session, customer_id=customer.id, order_no=order.order_no, address="北京市")
    assert refused.value.code == "order_already_shipped"
    assert order.address == "上海市浦东新区世纪大道100号"

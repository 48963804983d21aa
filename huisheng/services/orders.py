"""Orders as a customer sees them: their own orders only, and address changes before shipping."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import OrderStatus
from crm_store.models import Order
from huisheng.errors import ConflictError, NotFoundError
from huisheng.services import audit
from huisheng.services.audit import CUSTOMER, Actor
from huisheng.services.customers import get_customer
from huisheng.services.validation import clean_text

# Once the parcel has left the warehouse the address is the carrier's business, not ours.
ADDRESS_CHANGEABLE = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PAID})


def list_orders(session: Session, *, customer_id: int, limit: int = 50) -> list[Order]:
    get_customer(session, customer_id=customer_id)
    return list(
        session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
    )


def get_order(session: Session, *, order_no: str) -> Order:
    """Any order by number: for staff, never for customer-facing channels."""
    order = session.scalar(select(Order).where(Order.order_no == order_no.strip()))
    if order is None:
        raise NotFoundError(f"order {order_no} does not exist")
    return order


def get_order_for_customer(session: Session, *, customer_id: int, order_no: str) -> Order:
    """The customer's own order; someone else's order reads exactly like a missing one."""
    number = clean_text(order_no, field="order_no", max_length=32)
    order = session.scalar(select(Order).where(Order.order_no == number, Order.customer_id == customer_id))
    if order is None:
        raise NotFoundError(f"no order {number} for this customer")
    return order


def change_address(
    session: Session, *, customer_id: int, order_no: str, address: str, actor: Actor = CUSTOMER
) -> Order:
    order = get_order_for_customer(session, customer_id=customer_id, order_no=order_no)
    new_address = clean_text(address, field="address", max_length=500)
    if order.status not in ADDRESS_CHANGEABLE:
        raise ConflictError(
            f"order {order.order_no} is already {order.status.value}; its address can no longer be changed",
            code="order_already_shipped",
        )
    order.address = new_address
    audit.record(
        session, actor=actor, action="order.address_changed", entity_type="order", entity_id=order.id
    )
    return order

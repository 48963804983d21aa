"""Masking phone, email and address for roles that do not need them, and the audited reveal."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import AuditEntry
from huisheng.errors import InvalidInputError
from huisheng.services import customer_view, customers, masking
from tests.factories import make_customer, make_order, make_staff, row_counts


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13800138000", "138****8000"), ("138-0013-8000", "138****8000"), ("12345", "*****"), (None, None)],
)
def test_a_phone_keeps_its_first_three_and_last_four_digits(value: str | None, expected: str | None) -> None:
    assert masking.mask_phone(value) == expected


def test_an_email_keeps_its_first_letter_and_domain() -> None:
    assert masking.mask_email("zhang.san@example.cn") == "z***@example.cn"


def test_an_address_keeps_the_province_and_city() -> None:
    assert masking.mask_address("上海市浦东新区世纪大道100号") == "上海市浦东新****"


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (StaffRole.AGENT, False),
        (StaffRole.SUPERVISOR, True),
        (StaffRole.MANAGER, False),
        (StaffRole.ADMIN, True),
    ],
)
def test_which_roles_see_personal_data(session: Session, role: StaffRole, sees: bool) -> None:
    assert masking.sees_pii(make_staff(session, role=role)) is sees


def test_the_360_view_is_masked_for_an_agent(session: Session) -> None:
    customer = make_customer(session)
    customers.update_contact(session, customer_id=customer.id, phone="13800138000", email="li@example.cn")
    make_order(session, customer=customer)
    view = customer_view.customer_360(session, customer_id=customer.id, viewer=make_staff(session))
    assert (view["masked"], view["phone"], view["email"]) == (True, "138****8000", "l***@example.cn")
    assert view["recent_orders"][0]["address"] == "上海市浦东新****"


def test_revealing_an_address_gives_each_order_address_once_and_is_audited(session: Session) -> None:
    customer = make_customer(session)
    make_order(session, customer=customer)
    make_order(session, customer=customer)
    agent = make_staff(session)
    assert masking.reveal(session, customer_id=customer.id, field="address", staff=agent) == [
        "上海市浦东新区世纪大道100号"
    ]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.pii_revealed")).one()
    assert (entry.actor_id, entry.entity_id, entry.details) == (agent.id, customer.id, {"field": "address"})


def test_revealing_an_unknown_field_is_refused_and_not_audited(session: Session) -> None:
    customer, agent = make_customer(session), make_staff(session)
    before = row_counts(session)
    with pytest.raises(InvalidInputError):
        masking.reveal(session, customer_id=customer.id, field="id_card", staff=agent)
    assert row_counts(session) == before

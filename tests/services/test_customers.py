"""Finding, creating and linking customers by their channel identities."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from crm_store.enums import Channel
from huisheng.errors import ConflictError, InvalidInputError, NotFoundError
from huisheng.services import customers
from tests.factories import make_customer, row_counts


def test_first_contact_creates_a_customer_with_that_identity(session: Session) -> None:
    customer = customers.get_or_create_by_identity(session, channel=Channel.WECHAT, external_id="oAbc")
    assert customer.id is not None
    assert [(i.channel, i.external_id) for i in customer.identities] == [(Channel.WECHAT, "oAbc")]


def test_the_same_identity_finds_the_same_customer(session: Session) -> None:
    first = customers.get_or_create_by_identity(session, channel="web", external_id="visitor-1")
    again = customers.get_or_create_by_identity(session, channel="web", external_id="visitor-1")
    assert again.id == first.id


def test_linking_a_wechat_identity_lets_either_channel_find_the_customer(session: Session) -> None:
    customer = make_customer(session, external_id="visitor-9")
    customers.link_identity(session, customer_id=customer.id, channel=Channel.WECHAT, external_id="oXyz")
    found = customers.find_by_identity(session, channel=Channel.WECHAT, external_id="oXyz")
    assert found is not None and found.id == customer.id


def test_linking_an_identity_owned_by_another_customer_is_a_conflict_and_changes_nothing(
    session: Session,
) -> None:
    owner = make_customer(session, external_id="taken")
    other = make_customer(session, external_id="free")
    before = row_counts(session)
    with pytest.raises(ConflictError, match=f"belongs to customer {owner.id}"):
        customers.link_identity(session, customer_id=other.id, channel=Channel.WEB, external_id="taken")
    assert row_counts(session) == before


def test_unknown_customer_is_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError, match="customer 999999 does not exist"):
        customers.get_customer(session, customer_id=999999)


def test_unknown_channel_is_invalid_input(session: Session) -> None:
    with pytest.raises(InvalidInputError, match="unknown channel 'fax'"):
        customers.get_or_create_by_identity(session, channel="fax", external_id="1")


def test_an_over_long_external_id_is_refused_before_anything_is_written(session: Session) -> None:
    before = row_counts(session)
    with pytest.raises(InvalidInputError, match="limit is 128"):
        customers.get_or_create_by_identity(session, channel=Channel.WEB, external_id="x" * 129)
    assert row_counts(session) == before


def test_a_bad_phone_number_is_refused(session: Session) -> None:
    customer = make_customer(session)
    with pytest.raises(InvalidInputError, match="not a phone number"):
        customers.update_contact(session, customer_id=customer.id, phone="call me maybe")


def test_search_finds_customers_by_part_of_their_phone(session: Session) -> None:
    customer = make_customer(session)
    customers.update_contact(session, customer_id=customer.id, phone="13812345678")
    assert [c.id for c in customers.search_customers(session, query="1234567")] == [customer.id]

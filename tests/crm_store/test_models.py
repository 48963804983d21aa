"""Constraints the database itself enforces, whatever code writes to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from crm_store.enums import Channel
from crm_store.models import ChannelIdentity, Conversation
from tests.factories import make_customer


def test_a_channel_identity_is_unique_per_channel(session: Session) -> None:
    first = make_customer(session, external_id="same-id")
    other = make_customer(session, external_id="other-id")
    session.add(ChannelIdentity(customer_id=other.id, channel=Channel.WEB, external_id="same-id"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    assert first.id is not None


def test_the_same_external_id_may_exist_on_two_channels(session: Session) -> None:
    web = make_customer(session, channel=Channel.WEB, external_id="abc")
    wechat = make_customer(session, channel=Channel.WECHAT, external_id="abc")
    assert web.id != wechat.id


def test_a_customer_can_hold_several_identities(session: Session) -> None:
    customer = make_customer(session, external_id="v-1")
    customer.identities.append(ChannelIdentity(channel=Channel.WECHAT, external_id="oOpenId"))
    session.flush()
    assert {i.channel for i in customer.identities} == {Channel.WEB, Channel.WECHAT}


def test_csat_outside_one_to_five_is_rejected_by_the_database(session: Session) -> None:
    customer = make_customer(session)
    session.add(Conversation(customer_id=customer.id, channel=Channel.WEB, csat_score=9))
    with pytest.raises(IntegrityError):
        session.flush()


def test_an_unknown_status_string_is_rejected_by_the_database(session: Session) -> None:
    customer = make_customer(session)
    conversation = Conversation(customer_id=customer.id, channel=Channel.WEB)
    session.add(conversation)
    session.flush()
    with pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE conversations SET status = 'sleeping' WHERE id = :id"), {"id": conversation.id}
        )


def test_datetimes_come_back_timezone_aware_in_utc(session: Session) -> None:
    customer = make_customer(session)
    session.expire_all()
    reloaded = session.get(type(customer), customer.id)
    assert reloaded is not None
    assert reloaded.created_at.tzinfo is not None
    assert reloaded.created_at.utcoffset() == UTC.utcoffset(None)


def test_naive_datetimes_are_refused(session: Session) -> None:
    customer = make_customer(session)
    customer.updated_at = datetime(2024, 1, 1)
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()

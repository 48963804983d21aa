"""Inbound receipts: each message a channel delivers is handled once, however often it is delivered."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import Channel
from crm_store.models import InboundReceipt
from huisheng.services.validation import clean_text


def claim(session: Session, *, channel: Channel, sender_key: str, external_id: str) -> InboundReceipt | None:
    """Records the first delivery of a message; None when this message was delivered before.

    The unique key decides, not a prior look-up: two deliveries racing in separate processes cannot both win.
    """
    receipt = InboundReceipt(
        channel=channel,
        sender_key=sender_key,
        external_id=clean_text(external_id, field="message_id", max_length=64),
    )
    try:
        with session.begin_nested():
            session.add(receipt)
    except IntegrityError:
        return None
    return receipt


def find(session: Session, *, channel: Channel, sender_key: str, external_id: str) -> InboundReceipt | None:
    return session.scalar(
        select(InboundReceipt).where(
            InboundReceipt.channel == channel,
            InboundReceipt.sender_key == sender_key,
            InboundReceipt.external_id == external_id,
        )
    )


def mark_answered(session: Session, *, receipt_id: int, at: datetime | None = None) -> None:
    receipt = session.get(InboundReceipt, receipt_id)
    if receipt is not None:
        receipt.answered_at = at or utcnow()


def wait_until_answered(
    read: Callable[[], ReceiptState | None], *, deadline_seconds: float, poll_seconds: float = 0.2
) -> ReceiptState | None:
    """Polls `read()` (a fresh look-up each time) until the original is answered or the time runs out.

    Only repeats delivered to another process while the original is still being answered ever wait here.
    """
    deadline = time.monotonic() + deadline_seconds
    while True:
        state = read()
        if state is not None and state.answered:
            return state
        if time.monotonic() >= deadline:
            return state
        time.sleep(poll_seconds)


@dataclass(frozen=True, slots=True)
class ReceiptState:
    message_id: int | None
    answered: bool


def state_of(receipt: InboundReceipt | None) -> ReceiptState | None:
    if receipt is None:
        return None
    return ReceiptState(receipt.message_id, receipt.answered_at is not None)

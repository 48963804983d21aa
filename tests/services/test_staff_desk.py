"""The staff desk under concurrency: a double-submitted reply posts once, whichever request gets there first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from crm_store import migrate
from crm_store.enums import Channel, MessageSender
from crm_store.models import Message
from huisheng.runtime import Runtime
from huisheng.services import conversations, escalations
from huisheng.settings import load_settings
from tests.factories import make_customer, make_staff
from tests.stubs import FakeRasa, install_fake_rasa


def test_two_identical_replies_at_once_post_one_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    migrate.upgrade(url)
    runtime = Runtime(load_settings(app={"environment": "test", "data_dir": tmp_path}, database={"url": url}))
    install_fake_rasa(runtime, FakeRasa())
    with runtime.session() as session:
        customer = make_customer(session, channel=Channel.WEB, external_id="visitor-twice")
        conversation = conversations.current_conversation(
            session, customer_id=customer.id, channel=Channel.WEB
        )
        conversations.hand_over(session, conversation_id=conversation.id, reason="asked")
        agent_id, conversation_id = make_staff(session).id, conversation.id

    def reply() -> bool:
        result = runtime.desk.reply(
            conversation_id=conversation_id, staff_id=agent_id, text="稍等", client_id="s-1"
        )
        return result.duplicate

    with ThreadPoolExecutor(max_workers=2) as pool:
        duplicates = sorted(pool.map(lambda _: reply(), range(2)))

    assert duplicates == [False, True]
    with runtime.session() as session:
        staff_messages = session.scalar(
            select(func.count()).where(
                Message.conversation_id == conversation_id, Message.sender == MessageSender.STAFF
            )
        )
        joined = session.scalar(
            select(func.count()).where(
                Message.conversation_id == conversation_id, Message.text.like("%已接入%")
            )
        )
    assert (staff_messages, joined) == (1, 1)
    runtime.close()


def test_a_reply_that_loses_the_race_on_its_case_is_stored_once_on_the_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    migrate.upgrade(url)
    runtime = Runtime(load_settings(app={"environment": "test", "data_dir": tmp_path}, database={"url": url}))
    install_fake_rasa(runtime, FakeRasa())
    with runtime.session() as session:
        customer = make_customer(session, channel=Channel.WEB, external_id="visitor-race")
        conversation = conversations.current_conversation(
            session, customer_id=customer.id, channel=Channel.WEB
        )
        conversations.hand_over(session, conversation_id=conversation.id, reason="asked")
        agent_id, conversation_id = make_staff(session).id, conversation.id
    original = escalations.transition
    calls: list[int] = []

    def lose_the_first_race(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            # What the version-checked UPDATE raises when another request changed the case row first.
            raise StaleDataError("escalations: 0 rows matched")
        return original(*args, **kwargs)

    monkeypatch.setattr(escalations, "transition", lose_the_first_race)
    result = runtime.desk.reply(
        conversation_id=conversation_id, staff_id=agent_id, text="马上处理", client_id="r-9"
    )
    assert len(calls) == 2 and not result.duplicate
    with runtime.session() as session:
        texts = list(session.scalars(select(Message.text).where(Message.conversation_id == conversation_id)))
    assert texts.count("马上处理") == 1
    assert sum("已接入" in text for text in texts) == 1
    runtime.close()

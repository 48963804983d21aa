"""Live delivery across API processes: a staff reply posted to one process reaches a widget on another.

Two real uvicorn processes share one SQLite store and the local Redis (pub/sub for events, locks for turns).
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from crm_store import migrate
from crm_store.enums import Channel, StaffRole
from crm_store.session import create_db_engine, create_session_factory, transaction
from huisheng.services import conversations, customers, staff
from huisheng.services.visitors import VisitorTokens
from tests.bot_stack import free_port, start_api, stop, wait_until_up

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/5"


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is not reachable: the live-delivery suite must run in CI")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")


@dataclass(frozen=True)
class Shop:
    a: str
    b: str
    visitor_token: str
    staff_headers: dict[str, str]
    conversation_id: int


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    require_redis()
    workdir = tmp_path_factory.mktemp("two")
    database_url = f"sqlite:///{workdir / 'live.db'}"
    migrate.upgrade(database_url)
    secret = secrets.token_urlsafe(32)
    visitor = VisitorTokens(secret.encode()).issue()
    engine = create_db_engine(database_url)
    with transaction(create_session_factory(engine)) as session:
        agent = staff.create_staff(session, username="wang.li", display_name="王丽", role=StaffRole.AGENT)
        token = staff.issue_api_token(session, staff_id=agent.id)
        customer = customers.get_or_create_by_identity(
            session, channel=Channel.WEB, external_id=visitor.visitor_id
        )
        conversation = conversations.current_conversation(
            session, customer_id=customer.id, channel=Channel.WEB
        )
        conversations.hand_over(session, conversation_id=conversation.id, reason="asked")
        conversation_id = conversation.id
    engine.dispose()

    env = {
        **os.environ,
        "HUISHENG_DATABASE_URL": database_url,
        "HUISHENG_REDIS_URL": REDIS_URL,
        "HUISHENG_APP_SECRET_KEY": secret,
        "HUISHENG_APP_DATA_DIR": str(workdir),
        # Nothing listens here: the bot is not part of this test, and pausing it is best effort.
        "HUISHENG_RASA_URL": f"http://127.0.0.1:{free_port()}",
    }
    servers = []
    urls = []
    for name in ("a", "b"):
        port = free_port()
        log = workdir / f"{name}.log"
        servers.append((start_api(port, env, log), log))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for (process, log), url in zip(servers, urls, strict=True):
            wait_until_up(f"{url}/health", process, log)
        yield Shop(urls[0], urls[1], visitor.token, {"Authorization": f"Bearer {token}"}, conversation_id)
    finally:
        for process, _log in servers:
            stop(process)


def _listen(
    url: str, token: str, events: queue.Queue[tuple[str, dict[str, object], float]], **headers: str
) -> None:
    """Reads the SSE stream like the widget does, putting (event, data, arrival time) on the queue."""
    try:
        with httpx.stream(
            "GET",
            f"{url}/api/chat/stream",
            headers={"Authorization": f"Bearer {token}", **headers},
            timeout=None,
        ) as response:
            event = "message"
            for line in response.iter_lines():
                if line == ": connected":
                    events.put(("connected", {}, time.monotonic()))
                elif line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.put((event, json.loads(line.removeprefix("data: ")), time.monotonic()))
    except httpx.HTTPError:
        pass  # the servers stop at the end of the module with streams still open


def _next(
    events: queue.Queue[tuple[str, dict[str, object], float]], kind: str
) -> tuple[dict[str, object], float]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        event, data, at = events.get(timeout=max(0.1, deadline - time.monotonic()))
        if event == kind:
            return data, at
    raise AssertionError(f"no {kind} event within 15 s")


def test_a_staff_reply_posted_to_one_process_reaches_a_widget_on_the_other(shop: Shop) -> None:
    events: queue.Queue[tuple[str, dict[str, object], float]] = queue.Queue()
    threading.Thread(target=_listen, args=(shop.b, shop.visitor_token, events), daemon=True).start()
    _next(events, "connected")

    sent = time.monotonic()
    response = httpx.post(
        f"{shop.a}/api/conversations/{shop.conversation_id}/replies",
        headers=shop.staff_headers,
        json={"text": "您好，我是王丽，马上帮您查", "client_id": "r-1"},
    )
    assert response.status_code == 200, response.text

    joined, _ = _next(events, "message")
    reply, arrived = _next(events, "message")
    assert joined["sender"] == "system" and "王丽" in str(joined["text"])
    assert reply["sender"] == "staff" and reply["text"] == "您好，我是王丽，马上帮您查"
    assert reply["staff_name"] == "王丽"
    status, _ = _next(events, "status")
    assert status == {"status": "with_staff", "agent": {"display_name": "王丽"}}
    print(f"staff reply reached the other process's widget in {1000 * (arrived - sent):.0f} ms")


def test_a_reconnecting_widget_gets_what_it_missed_from_the_store(shop: Shop) -> None:
    history = httpx.get(
        f"{shop.b}/api/chat/history", headers={"Authorization": f"Bearer {shop.visitor_token}"}
    ).json()
    last_seen = history["messages"][0]["id"]
    events: queue.Queue[tuple[str, dict[str, object], float]] = queue.Queue()
    threading.Thread(
        target=_listen,
        args=(shop.a, shop.visitor_token, events),
        kwargs={"Last-Event-ID": str(last_seen)},
        daemon=True,
    ).start()
    replayed, _ = _next(events, "message")
    assert replayed["id"] == history["messages"][1]["id"]

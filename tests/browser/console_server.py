"""A Huisheng server for the console's browser tests: the demo shop's store, the real app in this process
(uvicorn on a thread), and the FakeRasa with the keyword sentiment stub in place of the bot."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from api.app import create_app
from crm_store import migrate
from crm_store.enums import Channel
from huisheng.demo import seed_demo_data
from huisheng.demo.people import DEMO_PASSWORD
from huisheng.runtime import Runtime
from huisheng.services import conversations, customers
from huisheng.settings import load_settings
from tests.bot_stack import free_port
from tests.stubs import FakeRasa, install_fake_rasa, shop_answers

PASSWORD = DEMO_PASSWORD


@dataclass(frozen=True)
class Handoff:
    escalation_id: int
    ticket_no: str
    conversation_id: int


@dataclass
class ConsoleServer:
    url: str
    runtime: Runtime

    def hand_over(self, visitor_id: str, *, name: str) -> Handoff:
        """What the bot does when a visitor asks for a person: the conversation waits in the staff queue."""
        with self.runtime.session() as session:
            customer = customers.find_by_identity(session, channel=Channel.WEB, external_id=visitor_id)
            assert customer is not None, f"visitor {visitor_id} has not written yet"
            customer.name = name
            conversation = conversations.current_conversation(
                session, customer_id=customer.id, channel=Channel.WEB
            )
            case = conversations.hand_over(session, conversation_id=conversation.id, reason="客户要求人工")
            return Handoff(case.id, case.ticket_no, conversation.id)


@contextmanager
def running_console(workdir: Path) -> Iterator[ConsoleServer]:
    database_url = f"sqlite:///{workdir / 'console.db'}"
    migrate.upgrade(database_url)
    settings = load_settings(
        app={"environment": "development", "data_dir": workdir},
        database={"url": database_url},
        # Quick polls, so a new handoff shows up within a test's patience.
        console={"poll_seconds": 1},
    )
    runtime = Runtime(settings)
    with runtime.session() as session:
        seed_demo_data(session, customers=24, seed=3)
    install_fake_rasa(runtime, FakeRasa(shop_answers))
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime=runtime),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the console test server did not start")
        time.sleep(0.05)
    try:
        yield ConsoleServer(url=f"http://127.0.0.1:{port}", runtime=runtime)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        runtime.close()

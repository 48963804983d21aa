"""Bot messages produced later reach the widget: Rasa pushes them to Huisheng, which stores and streams them."""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bot_stack import BotStack, start_api, stop, wait_until_up

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture(scope="module")
def api(bot_stack: BotStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir: Path = tmp_path_factory.mktemp("push")
    env = {**os.environ, **bot_stack.env(), "HUISHENG_APP_DATA_DIR": str(workdir)}
    log = workdir / "api.log"
    server = start_api(bot_stack.api_port, env, log)
    url = f"http://127.0.0.1:{bot_stack.api_port}"
    try:
        wait_until_up(f"{url}/health", server, log)
        yield url
    finally:
        stop(server)


def _stream(url: str, token: str, found: queue.Queue[dict[str, object]]) -> None:
    try:
        with httpx.stream(
            "GET", f"{url}/api/chat/stream", headers={"Authorization": f"Bearer {token}"}, timeout=None
        ) as response:
            event = "message"
            for line in response.iter_lines():
                if line == ": connected":
                    found.put({"connected": True})
                elif line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "message":
                    found.put(json.loads(line.removeprefix("data: ")))
    except httpx.HTTPError:
        pass


def test_a_bot_message_triggered_later_is_stored_and_streamed_to_the_widget(
    api: str, bot_stack: BotStack
) -> None:
    token = httpx.post(f"{api}/api/chat/visitors", json={}).json()["visitor_token"]
    headers = {"Authorization": f"Bearer {token}"}
    first = httpx.post(
        f"{api}/api/chat/messages", headers=headers, json={"text": "你好", "client_id": "p-1"}, timeout=90
    )
    assert first.status_code == 200, first.text
    found: queue.Queue[dict[str, object]] = queue.Queue()
    threading.Thread(target=_stream, args=(api, token, found), daemon=True).start()
    assert found.get(timeout=15) == {"connected": True}

    sender = f"web:{token.split('.')[1]}"
    triggered = httpx.post(
        f"{bot_stack.rasa_url}/conversations/{sender}/trigger_intent",
        params={"output_channel": "latest", "token": bot_stack.rasa_token},
        json={"name": "thank"},
        timeout=60,
    )
    assert triggered.status_code == 200, triggered.text

    pushed = found.get(timeout=30)
    assert pushed["sender"] == "bot" and pushed["text"]
    history = httpx.get(f"{api}/api/chat/history", headers=headers).json()
    assert history["messages"][-1]["id"] == pushed["id"]


def test_only_the_rasa_server_may_push(api: str) -> None:
    body = {"recipient_id": "web:someone", "text": "伪造的客服消息"}
    assert httpx.post(f"{api}/api/bot/messages", json=body).status_code == 401
    forged = httpx.post(f"{api}/api/bot/messages", json=body, headers={"Authorization": "Bearer guess"})
    assert forged.status_code == 401

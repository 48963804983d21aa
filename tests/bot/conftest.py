"""Bot action fixtures: the shared test runtime installed in the action server, and helpers that build a
Rasa tracker, run one action with a CollectingDispatcher and hand back its events and messages."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import runtime as action_runtime
from huisheng.runtime import Runtime

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain.yml"


class FakeAnalyzer:
    """Stands in for the sentiment model: complaint tests need a known label, not a 400 MB download."""

    def __init__(self, label: str = "negative", score: float = 0.05):
        self.label = label
        self.score = score

    def sentiment(self, text: str) -> tuple[str, float]:
        return self.label, self.score


@dataclass
class ActionResult:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def responses(self) -> list[str | None]:
        return [message.get("response") or message.get("text") for message in self.messages]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture()
def bot_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """The action server's runtime, on the per-test rolled-back session and a fake sentiment model."""
    runtime._analyzer = FakeAnalyzer()  # type: ignore[assignment]
    action_runtime.use_runtime(runtime)
    yield runtime
    action_runtime.use_runtime(None)


def make_tracker(
    sender_id: str,
    *,
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest user message is `text`, classified as `intent`, after `events`."""
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": dict(slots or {}),
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.95} if intent else {},
                "entities": entities or [],
            },
            "events": list(events or []),
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def run_action(action: Action, tracker: Tracker, domain: dict[str, Any]) -> ActionResult:
    dispatcher = CollectingDispatcher()
    outcome = action.run(dispatcher, tracker, domain)
    events = asyncio.run(outcome) if inspect.iscoroutine(outcome) else outcome
    return ActionResult(events=list(events), messages=dispatcher.messages)

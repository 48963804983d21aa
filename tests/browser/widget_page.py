"""The chat widget as a visitor sees it: the steps the browser tests take, found by role and label like a person would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

VISITOR_KEY = "huisheng.demo.visitor"
BOT_TIMEOUT_MS = 90_000  # the first complaint loads the sentiment model inside the action server


@dataclass(frozen=True)
class Turn:
    """One message sent through the widget: the server's answer and what the widget then shows."""

    conversation_id: int
    status: str
    replies: list[str]


class WidgetPage:
    def __init__(self, page: Page, artifacts: Path):
        self.page = page
        self.artifacts = artifacts
        self._shots = 0

    @property
    def launcher(self) -> Locator:
        return self.page.get_by_role("button", name="在线客服")

    @property
    def panel(self) -> Locator:
        return self.page.get_by_role("dialog")

    @property
    def input(self) -> Locator:
        return self.page.get_by_role("textbox", name="输入消息")

    @property
    def status(self) -> Locator:
        return self.page.locator(".status-text")

    @property
    def messages(self) -> Locator:
        return self.page.get_by_role("log").locator(".msg")

    def bubbles(self, sender: str) -> Locator:
        return self.page.get_by_role("log").locator(f".msg.from-{sender} .bubble")

    def visit(self, url: str) -> None:
        self.page.goto(url)
        expect(self.launcher).to_be_visible()

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        # The panel rises into place (0.2 s); measured mid-way on a busy machine it is a few pixels off.
        self.panel.evaluate("panel => Promise.all(panel.getAnimations().map(a => a.finished))")
        self.wait_until_connected()

    def wait_until_connected(self) -> None:
        """Until the widget has its visitor, its history and an open live stream."""
        expect(self.page.locator("[data-huisheng]")).to_have_attribute("data-state", "online")

    def visitor_id(self) -> str:
        token: str = json.loads(self.page.evaluate(f"localStorage.getItem({json.dumps(VISITOR_KEY)})"))
        return token.split(".")[1]

    def say(self, text: str) -> Turn:
        """Types `text`, presses Enter and waits for the bot's answer to be on screen."""
        with self.page.expect_response(self._is_message_post, timeout=BOT_TIMEOUT_MS) as answer:
            self.input.fill(text)
            self.input.press("Enter")
        return self._turn(answer.value.json())

    def tap(self, chip: Locator) -> Turn:
        with self.page.expect_response(self._is_message_post, timeout=BOT_TIMEOUT_MS) as answer:
            chip.click()
        return self._turn(answer.value.json())

    def chips(self) -> Locator:
        return self.page.get_by_role("group", name="快捷回复").last.get_by_role("button")

    def stars(self) -> Locator:
        return self.page.get_by_role("group", name="请为本次服务打分").last.get_by_role("button")

    def shot(self, name: str) -> Path:
        self._shots += 1
        path = self.artifacts / f"{self._shots:02d}-{name}.png"
        self.page.screenshot(path=path)
        return path

    def active_element_id(self) -> str | None:
        """What has keyboard focus inside the widget's shadow root (document.activeElement is only its host)."""
        found: str | None = self.page.evaluate(
            "() => document.querySelector('[data-huisheng]').shadowRoot.activeElement?.id || null"
        )
        return found

    def _turn(self, body: dict[str, Any]) -> Turn:
        expect(self.page.locator(".msg.sending")).to_have_count(0)
        expect(self.page.locator(".typing")).to_be_hidden()
        replies = [reply["text"] for reply in body["replies"]]
        for reply in replies:
            expect(self.messages.filter(has_text=reply.splitlines()[0]).last).to_be_visible()
        return Turn(conversation_id=body["conversation_id"], status=body["status"], replies=replies)

    @staticmethod
    def _is_message_post(response: Any) -> bool:
        return bool(response.request.method == "POST" and response.url.endswith("/api/chat/messages"))

"""Browser tests: Debian's chromium, driven by Playwright, against a real Huisheng server and the real bot.

Locally they skip without chromium or the Rasa env; in CI (CI=true) either missing is a failure, never a skip.
Screenshots go to tests/browser/artifacts/ (git-ignored), one folder per test.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from crm_store.enums import OrderStatus
from crm_store.session import create_db_engine, create_session_factory, transaction
from tests.bot_stack import BotStack, free_port, start_api, stop, wait_until_up
from tests.browser.widget_page import WidgetPage
from tests.factories import make_customer, make_order

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Seeded by the demo data outside production; an agent may work any conversation waiting in the queue.
STAFF_TOKEN = "dev-zhang.min-token"
DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class LiveShop:
    """A running Huisheng server on the bot stack's store, and what the tests do to it from the outside."""

    url: str
    database_url: str

    def give_orders(self, visitor_id: str) -> tuple[str, str]:
        """Makes the visitor a customer with a shipped and a paid order; returns their order numbers."""
        engine = create_db_engine(self.database_url)
        stem = f"2026{secrets.randbelow(10**8):08d}"
        try:
            with transaction(create_session_factory(engine)) as session:
                customer = make_customer(session, external_id=visitor_id, name="周小姐")
                shipped = make_order(
                    session, customer=customer, status=OrderStatus.SHIPPED, order_no=stem + "1"
                )
                paid = make_order(session, customer=customer, status=OrderStatus.PAID, order_no=stem + "2")
                return shipped.order_no, paid.order_no
        finally:
            engine.dispose()

    def staff_reply(self, conversation_id: int, text: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/api/conversations/{conversation_id}/replies",
            json={"text": text},
            headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def stored_messages(self, conversation_id: int) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.url}/api/conversations/{conversation_id}/messages",
            headers={"Authorization": "Bearer dev-zhao.qiang-token"},  # a supervisor may read any
            timeout=30,
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages


@pytest.fixture(scope="package")
def live_shop(bot_stack: BotStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveShop]:
    require_chromium()
    workdir = tmp_path_factory.mktemp("shop")
    port = free_port()
    env = {
        **os.environ,
        **bot_stack.env(),
        # The first complaint loads the sentiment model inside the action server.
        "HUISHENG_RASA_TIMEOUT_SECONDS": "90",
        "HUISHENG_APP_DATA_DIR": str(workdir),
    }
    log = workdir / "server.log"
    server = start_api(port, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", server, log)
        yield LiveShop(url=url, database_url=bot_stack.database_url)
    finally:
        stop(server)


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it is open, and
# tests after this package call asyncio.run().
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    require_chromium()
    # Playwright gives every launch a fresh temporary profile, so no test sees another's storage.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_context(browser: Browser, device: str) -> BrowserContext:
    return browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DEVICES[device])


@pytest.fixture()
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture()
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    context = open_context(browser, "desktop")
    yield context
    context.close()


@pytest.fixture()
def widget(
    live_shop: LiveShop, desktop: BrowserContext, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[WidgetPage]:
    """The demo shop open on a desktop with the chat panel open."""
    page: Page = desktop.new_page()
    widget = WidgetPage(page, artifacts)
    widget.visit(live_shop.url)
    widget.open()
    yield widget
    if request.node.stash.get(FAILED, False):
        widget.shot("failure")


# Set on a test whose body failed, so its widget fixture keeps a screenshot of what the page showed.
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report

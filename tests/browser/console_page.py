"""The staff console as a person uses it, found by role and label: sign in, and keep the screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.console_server import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots" / "console"
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def console_context(browser: Browser, device: str = "desktop") -> BrowserContext:
    return browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **VIEWPORTS[device])


def sign_in(page: Page, url: str, username: str, *, next_path: str = "") -> None:
    page.goto(f"{url}/console/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="回声客服台")).to_be_visible()
    page.wait_for_function("window.HS && window.HS.ready")


def shot(page: Page, name: str) -> Path:
    """The whole page on a desktop; on a phone the screen a person sees first (a whole page runs long)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # From the top, or the sticky top bar lands mid-page in a whole-page picture.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=not name.endswith("-phone"))
    return path

"""The staff console as a person uses it, found by role and label: sign in, and keep the screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.console_server import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots" / "console"
VIEWPORTS = {
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


def shot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path

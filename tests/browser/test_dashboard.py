"""The managers' dashboard in headless Chromium on the demo shop (reviews analysed by the keyword stub): every
chart has data points, a filter changes the figures, a table downloads as CSV, an agent is refused; desktop
and phone screenshots in artifacts/screenshots/dashboard/."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from api.insights.tables import TABLES
from huisheng.services import review_analysis
from huisheng.services.insights.filters import CHINA
from tests.browser.conftest import require_chromium
from tests.browser.console_page import ROOT, console_context, sign_in
from tests.browser.console_server import ConsoleServer, running_console
from tests.stubs import stub_analyzer

SCREENSHOTS = ROOT / "artifacts" / "screenshots" / "dashboard"
CHARTS = (
    "sentiment-reviews",
    "sentiment-messages",
    "negative-channel",
    "negative-category",
    "negative-aspect",
    "keywords",
    "cases",
    "csat",
    "containment",
    "intents",
)
# Points per chart: the non-empty values of every series, read off the live ECharts instance.
POINTS = """keys => Object.fromEntries(keys.map(key => {
  const chart = echarts.getInstanceByDom(document.querySelector(`[data-chart="${key}"]`));
  if (!chart) return [key, -1];
  const series = chart.getOption().series || [];
  const values = series.flatMap(s => s.data.map(d => (d && typeof d === 'object') ? d.value : d));
  return [key, values.filter(v => v !== null && v !== undefined && v !== 0).length];
}))"""


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    require_chromium()
    with running_console(tmp_path_factory.mktemp("dashboard")) as server:
        with server.runtime.session() as session:
            review_analysis.analyze_pending(session, stub_analyzer())
        yield server


def window() -> str:
    today = datetime.now(CHINA).date()
    return f"since={today - timedelta(days=89)}&until={today}"


def shot(page: Page, name: str, *, full_page: bool) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=full_page)
    return path


def open_dashboard(page: Page, url: str, query: str) -> None:
    page.goto(f"{url}/console/insights?{query}")
    expect(page.get_by_role("heading", name="数据看板", exact=True)).to_be_visible()
    page.wait_for_function("window.HSD && window.HSD.ready")


def points(page: Page) -> dict[str, int]:
    found: dict[str, int] = page.evaluate(POINTS, list(CHARTS))
    return found


def test_a_manager_sees_every_chart_filters_and_downloads(
    console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    context = console_context(browser)
    try:
        page = context.new_page()
        sign_in(page, console.url, "liu.yang")
        page.get_by_role("link", name="数据看板").click()
        page.wait_for_function("window.HSD && window.HSD.ready")
        open_dashboard(page, console.url, window())
        before = points(page)
        assert all(count > 0 for count in before.values()), before
        shot(page, "dashboard-desktop", full_page=True)

        renders = page.evaluate("window.HSD.renders")
        page.get_by_label("渠道").select_option("wechat")
        page.wait_for_function(f"window.HSD.renders > {renders}")
        spec: dict[str, Any] = page.evaluate("JSON.parse(document.getElementById('chart-data').textContent)")
        assert spec["negative-channel"]["categories"] == ["微信"]
        assert "channel=wechat" in page.url
        assert points(page)["containment"] <= before["containment"]
        assert page.evaluate(
            "echarts.getInstanceByDom(document.querySelector('[data-chart=\"negative-channel\"]'))"
            ".getOption().xAxis[0].data"
        ) == ["微信"]

        with page.expect_download() as caught:
            page.locator("#h-keywords").get_by_role("link", name="CSV").click()
        saved = tmp_path / "keywords.csv"
        caught.value.save_as(saved)
        raw = saved.read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert tuple(rows[0]) == TABLES["keywords"].headers
        assert len(rows) > 1 and all(int(r[1]) > 0 for r in rows[1:])

        keyword = rows[1][0]
        page.get_by_label("渠道").select_option("")
        page.wait_for_function(f"window.HSD.renders > {renders + 1}")
        page.get_by_role("link", name=keyword, exact=True).first.click()
        expect(page.get_by_role("heading", name=f"差评关键词「{keyword}」")).to_be_visible()
        expect(page.locator("tbody tr").first).to_contain_text(keyword)
    finally:
        context.close()


def test_the_dashboard_on_a_phone_stacks_its_charts(console: ConsoleServer, browser: Browser) -> None:
    context = console_context(browser, "phone")
    try:
        page = context.new_page()
        sign_in(page, console.url, "liu.yang")
        open_dashboard(page, console.url, window())
        boxes = [
            page.locator(f'[data-chart="{key}"]').bounding_box()
            for key in ("sentiment-reviews", "sentiment-messages")
        ]
        assert boxes[0] and boxes[1]
        assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1  # one above the other
        assert boxes[0]["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "dashboard-phone", full_page=False)
        page.locator("#h-keywords").scroll_into_view_if_needed()
        shot_path = SCREENSHOTS / "dashboard-phone-keywords.png"
        page.screenshot(path=shot_path)
    finally:
        context.close()


def test_an_agent_is_refused_the_dashboard(console: ConsoleServer, browser: Browser) -> None:
    context = console_context(browser)
    try:
        page = context.new_page()
        sign_in(page, console.url, "zhang.min")
        expect(page.get_by_role("link", name="数据看板")).to_have_count(0)
        response = page.goto(f"{console.url}/console/insights")
        assert response is not None and response.status == 403
        expect(page.get_by_text("此页面需要经理或更高权限")).to_be_visible()
    finally:
        context.close()


def test_a_reversed_date_range_is_refused_and_the_figures_stay(
    console: ConsoleServer, browser: Browser
) -> None:
    context = console_context(browser)
    try:
        page = context.new_page()
        sign_in(page, console.url, "liu.yang")
        open_dashboard(page, console.url, window())
        page.get_by_label("开始日期").fill("2026-06-10")
        page.get_by_label("结束日期").fill("2026-06-01")
        page.get_by_role("button", name="应用筛选").click()
        expect(page.locator("#flash")).to_contain_text("开始日期 2026-06-10 晚于结束日期 2026-06-01")
        assert all(count > 0 for count in points(page).values())
    finally:
        context.close()

"""Word-of-mouth alerts, segments and the care list in headless Chromium on the demo shop (reviews analysed
by the keyword stub, then the jobs run): a manager acknowledges the planted spike's alert, filters a segment
and downloads it, a supervisor arranges a follow-up and the customer leaves the list, an agent is refused;
desktop and phone screenshots in artifacts/screenshots/insights/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from huisheng.services import review_analysis
from huisheng.services.segments import service as segments
from huisheng.services.word_of_mouth import service as alerts
from tests.browser.conftest import require_chromium
from tests.browser.console_page import ROOT, console_context, sign_in
from tests.browser.console_server import ConsoleServer, running_console
from tests.stubs import stub_analyzer

SCREENSHOTS = ROOT / "artifacts" / "screenshots" / "insights"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    require_chromium()
    with running_console(tmp_path_factory.mktemp("insight-jobs")) as server:
        settings = server.runtime.settings
        with server.runtime.session() as session:
            review_analysis.analyze_pending(session, stub_analyzer())
            segments.compute_segments(session, settings=settings.segments)
        alerts.run_job(server.runtime.session, settings=settings.alerts)
        yield server


def shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=not name.endswith("-phone"))
    return path


def test_a_manager_sees_the_planted_spike_and_acknowledges_it(
    console: ConsoleServer, browser: Browser
) -> None:
    context = console_context(browser)
    page = context.new_page()
    sign_in(page, console.url, "liu.yang", next_path="/console/insights/alerts")
    page.goto(f"{console.url}/console/insights/alerts")
    cards = page.locator(".alert-card.alert-open")
    expect(cards.first).to_be_visible()
    shoot(page, "alerts-desktop")
    # The demo's planted burst: packaging complaints about one power bank in the last day.
    titles = page.locator(".alert-title").all_inner_texts()
    assert any("充电宝" in title or "包装" in title for title in titles), titles
    first = cards.first
    title = first.locator(".alert-title").inner_text()
    first.get_by_role("button", name="确认已知晓").click()
    expect(page.locator("#flash")).to_contain_text(f"已确认预警“{title}”")
    context.close()


def test_a_manager_filters_a_segment_and_downloads_it(console: ConsoleServer, browser: Browser) -> None:
    context = console_context(browser)
    page = context.new_page()
    sign_in(page, console.url, "liu.yang", next_path="/console/insights/segments")
    page.goto(f"{console.url}/console/insights/segments")
    expect(page.get_by_role("heading", name="各分群规模与情感")).to_be_visible()
    shoot(page, "segments-desktop")
    page.get_by_label("按分群筛选").select_option("一般挽留")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("heading", name="一般挽留的客户")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("客户ID,客户,分群") and len(lines) > 1
    assert all(",一般挽留," in line for line in lines[1:])
    context.close()


def test_a_supervisor_arranges_a_follow_up_and_the_customer_leaves(
    console: ConsoleServer, browser: Browser
) -> None:
    context = console_context(browser)
    page = context.new_page()
    sign_in(page, console.url, "zhao.qiang", next_path="/console/insights/care")
    page.goto(f"{console.url}/console/insights/care")
    rows = page.locator(".care-table tbody tr")
    expect(rows.first).to_be_visible()
    shoot(page, "care-desktop")
    before = rows.count()
    row_id = rows.first.get_attribute("id")
    rows.first.get_by_label("回访人").select_option(label="张敏")
    rows.first.get_by_role("button", name="安排回访").click()
    expect(page.locator("#flash")).to_contain_text("创建回访工单")
    expect(page.locator(f"#{row_id}")).to_have_count(0)
    assert page.locator(".care-table tbody tr").count() == before - 1
    context.close()


def test_an_agent_is_refused_the_insight_pages(console: ConsoleServer, browser: Browser) -> None:
    context = console_context(browser)
    page = context.new_page()
    sign_in(page, console.url, "zhang.min")
    for path in ("/console/insights/alerts", "/console/insights/segments", "/console/insights/care"):
        response = page.goto(f"{console.url}{path}")
        assert response is not None and response.status == 403
        expect(page.get_by_text("无权访问")).to_be_visible()
    context.close()


@pytest.mark.parametrize("name", ["alerts", "segments", "care"])
def test_phone_screenshots(console: ConsoleServer, browser: Browser, name: str) -> None:
    context = console_context(browser, "phone")
    page = context.new_page()
    sign_in(page, console.url, "liu.yang", next_path=f"/console/insights/{name}")
    page.goto(f"{console.url}/console/insights/{name}")
    expect(page.locator("h1")).to_be_visible()
    shoot(page, f"{name}-phone")
    context.close()

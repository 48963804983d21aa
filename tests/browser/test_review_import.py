"""Review import in real headless Chromium: a manager uploads a marketplace export with some bad rows, checks
and changes the guessed mapping, watches it import and reads the report with the bad rows by line, downloads
them as CSV; the same on a phone, by keyboard. Screenshots in artifacts/screenshots/import/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from crm_store.models import Review
from tests.browser.conftest import require_chromium
from tests.browser.console_page import SCREENSHOTS, console_context, sign_in
from tests.browser.console_server import ConsoleServer, running_console
from tests.stubs import stub_analyzer

SHOTS = SCREENSHOTS.parent / "import"
GOOD = [
    "发货很快，包装很好",
    "质量太差了，再也不买了",
    "客服态度不错",
    "价格实惠，推荐购买",
    "颜色和图片一样",
]


def export_file(folder: Path, *, prefix: str, rows: int = 240) -> Path:
    """A Taobao-style export (GBK, as Chinese Excel saves CSV) with four bad rows among good ones."""
    lines = ["评价ID,买家评论,评分,评价时间,订单号"]
    for n in range(rows):
        lines.append(
            f"{prefix}{n},{GOOD[n % len(GOOD)]}（第{n}条）,{n % 5 + 1},2024/5/{n % 28 + 1} 10:{n % 60:02d},"
        )
    lines[10] = f"{prefix}bad1,,5,2024/5/1,"  # line 11: no text
    lines[20] = f"{prefix}bad2,还行,6,2024/5/1,"  # line 21: rating out of range
    lines[30] = f"{prefix}bad3,一般般,3,去年,"  # line 31: no date
    lines[40] = f"{prefix}bad4,物流太慢,2,2024/5/1,NO-SUCH-ORDER"  # line 41: unknown order
    lines.append(lines[2])  # a repeat of line 3: a duplicate
    path = folder / f"{prefix}export.csv"
    path.write_bytes("\n".join(lines).encode("gbk"))
    return path


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    require_chromium()
    with running_console(tmp_path_factory.mktemp("import")) as server:
        server.runtime._analyzer = stub_analyzer()
        yield server


def shot(page: Page, name: str, *, full: bool) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SHOTS / f"{name}.png", full_page=full)


def stored(console: ConsoleServer, prefix: str) -> int:
    with console.runtime.session() as session:
        return session.scalar(select(func.count()).where(Review.external_id.startswith(prefix))) or 0


def test_a_manager_uploads_a_review_file_with_bad_rows_and_sees_the_report(
    console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    context = console_context(browser)
    try:
        page = context.new_page()
        sign_in(page, console.url, "liu.yang")
        page.get_by_role("link", name="评价导入").click()
        expect(page.get_by_role("heading", name="评价导入", exact=True)).to_be_visible()
        shot(page, "upload-desktop", full=True)

        page.get_by_label("评价文件（CSV 或 XLSX）").set_input_files(export_file(tmp_path, prefix="tb"))
        page.get_by_role("button", name="上传并预览").click()
        expect(page.get_by_role("heading", name="核对列对应")).to_be_visible()
        expect(page.locator(".summary")).to_contain_text("共 241 行 · 编码 GBK/GB18030")
        # Guessed from the headers: 买家评论 is the text, 评价ID the source id.
        expect(page.get_by_label("评价内容（必填）")).to_have_value("买家评论")
        expect(page.get_by_label("评价编号")).to_have_value("评价ID")
        expect(page.get_by_label("评分（1–5）")).to_have_value("评分")
        expect(page.locator(".preview-table tbody tr")).to_have_count(5)
        page.get_by_label("来源名称（默认）").fill("taobao")
        shot(page, "mapping-desktop", full=True)

        page.get_by_role("button", name="开始导入 241 行").click()
        expect(page.get_by_role("heading", name="导入完成")).to_be_visible(timeout=60_000)
        expect(page.locator('[data-count="stored"]')).to_have_text("236")
        expect(page.locator('[data-count="duplicates"]')).to_have_text("1")
        expect(page.locator('[data-count="failed"]')).to_have_text("4")
        rows = page.locator(".problems-table tbody tr")
        expect(rows).to_have_count(4)
        expect(rows.nth(0)).to_contain_text("11评价内容为空")
        expect(rows.nth(1)).to_contain_text("评分“6”不在 1–5 之间")
        expect(rows.nth(2)).to_contain_text("无法识别的日期“去年”")
        expect(rows.nth(3)).to_contain_text("订单号 NO-SUCH-ORDER 不存在")
        shot(page, "report-desktop", full=True)
        assert stored(console, "tb") == 236

        with page.expect_download() as download:
            page.get_by_role("link", name="下载 CSV").click()
        lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
        assert [line.split(",")[0] for line in lines] == ["行号", "11", "21", "31", "41"]

        # The same file again: every good row is now a duplicate.
        page.get_by_role("link", name="导入其他文件").click()
        expect(page.locator(".data-table tbody tr")).to_have_count(1)
    finally:
        context.close()


def test_on_a_phone_the_import_works_by_keyboard_and_fits_the_screen(
    console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    context = console_context(browser, "phone")
    try:
        page = context.new_page()
        sign_in(page, console.url, "liu.yang")
        page.goto(f"{console.url}/console/insights/import")
        shot(page, "upload-phone", full=False)
        page.get_by_label("评价文件（CSV 或 XLSX）").set_input_files(
            export_file(tmp_path, prefix="ph", rows=60)
        )
        page.get_by_role("button", name="上传并预览").press("Enter")
        expect(page.get_by_role("heading", name="核对列对应")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "mapping-phone", full=False)
        page.locator(".preview-table").scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "mapping-preview-phone.png")
        page.get_by_label("评分（1–5）").select_option("")  # not imported: the bad rating no longer counts
        page.get_by_role("button", name="开始导入 61 行").press("Enter")
        expect(page.get_by_role("heading", name="导入完成")).to_be_visible(timeout=60_000)
        expect(page.locator('[data-count="failed"]')).to_have_text("3")
        expect(page.locator('[data-count="stored"]')).to_have_text("57")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "report-phone", full=False)
    finally:
        context.close()

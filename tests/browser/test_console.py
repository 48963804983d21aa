"""The staff console in real headless Chromium: an agent works a handed-over case from the queue to resolved
while the customer watches the widget; roles see only their pages; a revealed phone is in the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.models import Customer, Escalation
from tests.browser.conftest import require_chromium
from tests.browser.console_page import console_context, shot, sign_in
from tests.browser.console_server import ConsoleServer, running_console
from tests.browser.widget_page import WidgetPage

COMPLAINT = "收到的耳机是坏的，质量太差了"


def customer_with_phone_and_cases(session: Session) -> tuple[int, str]:
    """A demo customer with a phone number and escalations: a page worth a screenshot."""
    found = session.execute(
        select(Customer.id, Customer.phone)
        .join(Escalation, Escalation.customer_id == Customer.id)
        .where(Customer.phone.is_not(None))
        .order_by(Customer.id)
        .limit(1)
    ).one()
    return int(found[0]), str(found[1])


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    require_chromium()
    with running_console(tmp_path_factory.mktemp("console")) as server:
        yield server


def test_an_agent_works_a_handed_over_case_while_the_customer_sees_the_reply_live(
    console: ConsoleServer, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shopper = console_context(browser)
    agent_context = console_context(browser)
    try:
        widget = WidgetPage(shopper.new_page(), tmp_path_factory.mktemp("widget"))
        widget.visit(console.url)
        widget.open()
        widget.say(COMPLAINT)

        agent = agent_context.new_page()
        sign_in(agent, console.url, "zhang.min")
        expect(agent.get_by_role("heading", name="工单队列")).to_be_visible()

        # The handoff arrives while the queue is open: the poll brings it, with a title badge and a beep.
        handoff = console.hand_over(widget.visitor_id(), name="周小姐")
        row = agent.locator("#queue-rows tr.row").filter(has_text=handoff.ticket_no)
        expect(row).to_be_visible(timeout=15_000)
        expect(agent).to_have_title(re.compile(r"^\(\d+\) 新工单 · 回声客服台$"))
        assert agent.evaluate("window.HS.beeps") >= 1
        expect(row.locator(".new-chip")).to_have_text("新")

        row.get_by_role("button", name=f"认领 {handoff.ticket_no}").click()
        expect(agent.locator("#flash")).to_contain_text(f"已认领工单 {handoff.ticket_no}")
        expect(row.get_by_text("我", exact=True)).to_be_visible()
        shot(agent, "queue-desktop")

        row.get_by_role("link", name=handoff.ticket_no, exact=True).click()
        expect(agent.get_by_role("heading", name=f"工单 {handoff.ticket_no}")).to_be_visible()
        said = agent.locator("#thread-list .msg.from-customer").filter(has_text=COMPLAINT)
        expect(said.locator(".mood")).to_have_text("负面 0.02")
        expect(said.locator(".mood")).to_have_class(re.compile(r"mood-neg"))
        expect(said.locator(".intent")).to_have_text("查订单 0.91")

        reply = agent.get_by_role("combobox", name="回复内容")
        # A reply whose {订单号} cannot be filled (no order yet) is refused before it is sent.
        reply.fill("/wl")
        expect(agent.get_by_role("listbox", name="快捷回复")).to_be_visible()
        reply.press("Enter")
        expect(reply).to_have_value(re.compile(r"\{订单号\}"))
        reply.press("Control+Enter")
        expect(agent.locator("#reply-error")).to_contain_text("{订单号}")

        reply.fill("/hi")
        reply.press("Enter")
        text = "周小姐您好，我是回声小店的客服张敏，很高兴为您服务，请问有什么可以帮您？"
        expect(reply).to_have_value(text)
        reply.press("Control+Enter")
        expect(agent.locator("#flash")).to_contain_text("回复已发送给客户")
        expect(agent.locator("#thread-list .msg.from-staff").filter(has_text=text)).to_have_count(1)
        expect(reply).to_have_value("")
        # The customer sees it in the widget without reloading.
        expect(widget.bubbles("staff").filter(has_text=text)).to_have_count(1)
        expect(widget.status).to_have_text("客服 张敏 为您服务")

        agent.get_by_label("内部备注内容").fill("已联系仓库核实批次")
        agent.get_by_role("button", name="保存备注").click()
        expect(agent.locator("#case-events")).to_contain_text("已联系仓库核实批次")
        expect(agent.locator("#case-events .internal-flag").first).to_have_text("客户不可见")
        expect(widget.page.get_by_text("已联系仓库核实批次")).to_have_count(0)
        shot(agent, "case-desktop")

        agent.locator("summary", has_text="解决").click()
        agent.get_by_label("处理结果").select_option(label="已补发/换货")
        agent.get_by_label("处理说明").fill("已安排换新，顺丰寄出")
        agent.get_by_role("button", name="确认解决").click()
        expect(agent.locator("#case-panel .status")).to_have_text("已解决")
        expect(agent.locator("#case-panel")).to_contain_text("已补发/换货：已安排换新，顺丰寄出")
        expect(widget.page.get_by_role("group", name="请为本次服务打分").last).to_be_visible()
    finally:
        shopper.close()
        agent_context.close()


def test_an_agent_sees_no_manager_or_admin_pages_and_is_refused_them(
    console: ConsoleServer, browser: Browser
) -> None:
    context = console_context(browser)
    try:
        page = context.new_page()
        sign_in(page, console.url, "li.na")
        nav = page.get_by_role("navigation", name="主导航")
        expect(nav.get_by_role("link")).to_have_text(["工单队列", "快捷回复"])
        for path, role in (
            ("/console/team", "经理"),
            ("/console/admin/staff", "管理员"),
            ("/console/admin/audit", "管理员"),
        ):
            response = page.goto(console.url + path)
            assert response is not None and response.status == 403
            expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
            expect(page.get_by_text(f"此页面需要{role}或更高权限；您的角色是客服")).to_be_visible()
        expect(page.get_by_role("link", name="返回工单队列")).to_be_visible()
    finally:
        context.close()


def test_a_masked_phone_is_shown_only_after_show_and_that_is_audited(
    console: ConsoleServer, browser: Browser
) -> None:
    with console.runtime.session() as session:
        customer_id, phone = customer_with_phone_and_cases(session)
    agent_context, admin_context = console_context(browser), console_context(browser)
    try:
        agent = agent_context.new_page()
        sign_in(agent, console.url, "wang.lei")
        agent.goto(f"{console.url}/console/customers/{customer_id}")
        masked = f"{phone[:3]}****{phone[-4:]}"
        expect(agent.locator("[data-pii=phone]")).to_contain_text(masked)
        assert phone not in agent.content()
        shot(agent, "customer-desktop")
        agent.locator("[data-pii=phone]").get_by_role("button", name="显示完整手机号").click()
        expect(agent.locator("[data-pii=phone]")).to_contain_text(phone)
        expect(agent.locator("[data-pii=phone]")).to_contain_text("已记入审计日志")

        admin = admin_context.new_page()
        sign_in(admin, console.url, "admin")
        admin.goto(f"{console.url}/console/admin/audit")
        admin.get_by_label("操作", exact=True).select_option("customer.pii_revealed")
        admin.get_by_label("操作人（用户名）").fill("wang.lei")
        admin.get_by_role("button", name="筛选").click()
        rows = admin.locator("table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(f"客户 #{customer_id}")
        expect(rows.first).to_contain_text("field=phone")
        shot(admin, "audit-desktop")
    finally:
        agent_context.close()
        admin_context.close()


def test_an_admin_creates_a_staff_account_that_can_sign_in(console: ConsoleServer, browser: Browser) -> None:
    context, newcomer_context = console_context(browser), console_context(browser)
    try:
        page = context.new_page()
        sign_in(page, console.url, "admin")
        page.get_by_role("link", name="员工管理").click()
        form = page.get_by_role("region", name="新建员工账号")
        # A bad username is refused in Chinese, in the flash area, and the form keeps what was typed.
        form.get_by_label("用户名").fill("Sun Li")
        form.get_by_label("姓名").fill("孙丽")
        form.get_by_label("初始密码").fill("huisheng-demo-2026")
        form.get_by_role("button", name="创建").click()
        expect(page.locator("#flash .flash-error")).to_contain_text("用户名需为 2–64 位小写字母")
        expect(form.get_by_label("姓名")).to_have_value("孙丽")
        form.get_by_label("用户名").fill("sun.li")
        form.get_by_label("姓名").fill("孙丽")
        form.get_by_label("角色").select_option(label="客服")
        form.get_by_label("初始密码").fill("huisheng-demo-2026")
        form.get_by_role("button", name="创建").click()
        expect(page.locator("#flash")).to_contain_text("已创建员工账号 sun.li")
        expect(page.locator("tr", has_text="sun.li")).to_contain_text("孙丽")
        shot(page, "admin-desktop")

        newcomer = newcomer_context.new_page()
        sign_in(newcomer, console.url, "sun.li")
        expect(newcomer.locator(".me-name")).to_contain_text("孙丽")
    finally:
        context.close()
        newcomer_context.close()


def test_a_supervisor_reassigns_a_case_from_the_queue(console: ConsoleServer, browser: Browser) -> None:
    context = console_context(browser)
    try:
        page = context.new_page()
        sign_in(page, console.url, "zhao.qiang")
        row = page.locator("#queue-rows tr.row").first
        ticket = row.locator(".ticket-link").inner_text()
        row.get_by_label(f"把工单 {ticket} 分配给").select_option(label="陈静")
        row.get_by_role("button", name="分配").click()
        expect(page.locator("#flash")).to_contain_text(f"已把工单 {ticket} 分配给 陈静")
        moved = page.locator("#queue-rows tr.row").filter(has_text=ticket)
        expect(moved.locator("td[data-label=处理人]")).to_have_text("陈静")
    finally:
        context.close()


@pytest.mark.parametrize("name", ["login", "queue", "case", "customer", "admin", "audit"])
def test_each_page_fits_a_phone(console: ConsoleServer, browser: Browser, name: str) -> None:
    context = console_context(browser, "phone")
    try:
        page = context.new_page()
        if name == "login":
            page.goto(f"{console.url}/console/login")
            shot(page, "login-phone")
            desktop = console_context(browser)
            desktop.new_page().goto(f"{console.url}/console/login")
            shot(desktop.pages[0], "login-desktop")
            desktop.close()
        else:
            with console.runtime.session() as session:
                customer_id, _phone = customer_with_phone_and_cases(session)
            sign_in(page, console.url, "admin")
            paths = {
                "queue": "/console",
                "case": "/console/escalations/1",
                "customer": f"/console/customers/{customer_id}",
                "admin": "/console/admin/staff",
                "audit": "/console/admin/audit",
            }
            page.goto(console.url + paths[name])
            shot(page, f"{name}-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} is {width} px wide on a 390 px phone"
    finally:
        context.close()


def test_a_change_by_someone_else_shows_on_the_open_case_page(
    console: ConsoleServer, browser: Browser
) -> None:
    with console.runtime.session() as session:
        case_id = session.scalars(
            select(Escalation.id)
            .where(Escalation.assignee_id.is_(None), Escalation.status == "new")
            .order_by(Escalation.id)
        ).first()
    assert case_id is not None
    agent_context, supervisor_context = console_context(browser), console_context(browser)
    try:
        agent = agent_context.new_page()
        sign_in(agent, console.url, "chen.jing")
        agent.goto(f"{console.url}/console/escalations/{case_id}")
        panel = agent.locator("#case-panel")
        expect(panel.get_by_role("button", name="认领")).to_be_visible()

        supervisor = supervisor_context.new_page()
        sign_in(supervisor, console.url, "zhao.qiang")
        supervisor.goto(f"{console.url}/console/escalations/{case_id}")
        supervisor.get_by_label("分配给").select_option(label="王磊（客服）")
        supervisor.locator("#case-panel").get_by_role("button", name="分配", exact=True).click()
        expect(supervisor.locator("#flash")).to_contain_text("已分配给 王磊")

        # The agent's page learns of it by its poll: a banner, and the case as it now stands.
        expect(agent.locator("#case-banner")).to_have_text("zhao.qiang 刚修改了这个工单，已为您刷新")
        expect(panel).to_contain_text("王磊")
        expect(panel.get_by_role("button", name="认领")).to_have_count(0)
    finally:
        agent_context.close()
        supervisor_context.close()

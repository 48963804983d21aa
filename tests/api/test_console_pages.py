"""The console's pages over HTTP: signing in and out, the role rule of every page route, Chinese refusals
that store nothing, and stale versions turned away."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.access import RANK, ROLES, RouteRule, route_rules
from api.app import create_app
from api.pages.console.auth import LOGIN_CSRF_COOKIE
from crm_store.enums import EscalationCategory, StaffRole
from crm_store.models import Escalation
from huisheng.services import audit, escalations
from huisheng.services.audit import SYSTEM, Actor
from huisheng.settings import load_settings
from tests.factories import PASSWORD, make_customer, make_staff, row_counts

HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SESSION_ROUTES = [
    row
    for row in route_rules(create_app(load_settings()))
    if row.rule is not None and row.rule.via == "session"
]


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


def login_form(client: TestClient) -> str:
    page = client.get("/console/login")
    assert page.status_code == 200
    found = HIDDEN_CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def post_login(
    client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/console"
) -> Any:
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": login_form(client), "next": next_url},
        follow_redirects=False,
    )


def sign_in(client: TestClient, session: Session, role: StaffRole = StaffRole.AGENT) -> str:
    """Signs a new staff member of `role` in; returns the session's CSRF token for forms."""
    user = make_staff(session, role=role, password=PASSWORD)
    session.commit()
    assert post_login(client, user.username).status_code == 303
    found = HIDDEN_CSRF.search(client.get("/console/account").text)
    assert found is not None
    return found.group(1)


def open_case(session: Session) -> Escalation:
    customer = make_customer(session)
    case = escalations.open_escalation(
        session, customer_id=customer.id, category=EscalationCategory.COMPLAINT, description="耳机坏了"
    )
    session.commit()
    return case


# ---------- signing in and out ----------


def test_signing_in_sets_a_session_cookie_for_the_console_only_and_goes_to_next(
    client: TestClient, session: Session
) -> None:
    user = make_staff(session, password=PASSWORD)
    session.commit()
    response = post_login(client, user.username, next_url="/console/search?q=耳机")
    assert response.status_code == 303
    assert unquote(response.headers["location"]) == "/console/search?q=耳机"
    cookie = response.headers["set-cookie"]
    assert "hs_session=" in cookie and "HttpOnly" in cookie and "Path=/console" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # only in production
    assert client.get("/console").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/console", "//evil.example/", "/api/me", "/\\evil"])
def test_next_never_leads_off_the_console(client: TestClient, session: Session, target: str) -> None:
    user = make_staff(session, password=PASSWORD)
    session.commit()
    assert post_login(client, user.username, next_url=target).headers["location"] == "/console"


def test_a_wrong_password_is_refused_in_chinese_without_a_session(
    client: TestClient, session: Session
) -> None:
    user = make_staff(session, password=PASSWORD)
    session.commit()
    response = post_login(client, user.username, password="not-the-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.text
    assert "hs_session" not in response.headers.get("set-cookie", "")


def test_repeated_failures_are_throttled_with_a_chinese_message(client: TestClient, session: Session) -> None:
    user = make_staff(session, password=PASSWORD)
    session.commit()
    for _ in range(load_settings().console.login_max_failures):
        assert post_login(client, user.username, password="wrong-password-x").status_code == 401
    response = post_login(client, user.username)  # even the right password waits now
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert int(response.headers["retry-after"]) > 0


def test_a_login_without_the_form_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    user = make_staff(session, password=PASSWORD)
    session.commit()
    login_form(client)
    client.cookies.delete(LOGIN_CSRF_COOKIE, path="/console/login")
    response = client.post(
        "/console/login", data={"username": user.username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "hs_session" not in response.headers.get("set-cookie", "")


def test_signing_out_ends_the_session(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, session)
    response = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/console/login")
    again = client.get("/console", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/console/login")


def test_a_form_posted_without_the_session_csrf_token_is_refused(
    client: TestClient, session: Session
) -> None:
    sign_in(client, session)
    case = open_case(session)
    before = row_counts(session)
    response = client.post(f"/console/escalations/{case.id}/notes", data={"text": "备注"})
    assert response.status_code == 403
    assert "页面已过期，请刷新后重试" in response.text
    assert row_counts(session) == before


# ---------- every route's rule ----------


def test_every_console_route_has_a_session_rule() -> None:
    console = [row for row in route_rules(create_app(load_settings())) if row.path.startswith("/console")]
    assert console and all(row.rule is not None for row in console)
    assert {row.path for row in console} - {row.path for row in SESSION_ROUTES} == {"/console/login"}


@pytest.mark.parametrize("row", SESSION_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_without_a_session_a_route_leads_to_the_login_page(client: TestClient, row: RouteRule) -> None:
    response = client.request(row.method, _path(row.path), follow_redirects=False)
    assert response.status_code == 303
    expected = _path(row.path) if row.method == "GET" else "/console"
    assert response.headers["location"] == f"/console/login?next={expected}"


@pytest.mark.parametrize(
    "row",
    [r for r in SESSION_ROUTES if r.rule is not None and r.rule.minimum is not StaffRole.AGENT],
    ids=lambda r: f"{r.method} {r.path}",
)
def test_a_role_below_the_floor_gets_the_chinese_403_page(
    client: TestClient, session: Session, row: RouteRule
) -> None:
    assert row.rule is not None and row.rule.minimum is not None
    below = ROLES[RANK[row.rule.minimum] - 1]
    csrf = sign_in(client, session, below)
    response = client.request(
        row.method, _path(row.path), headers={"X-CSRF-Token": csrf}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "无权访问" in response.text and "或更高权限" in response.text
    assert 'href="/console"' in response.text


def test_an_htmx_request_without_a_session_is_sent_to_the_login_page_of_its_page(client: TestClient) -> None:
    response = client.get(
        "/console/queue/rows",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/console?mine=1"},
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/console/login?next=/console%3Fmine%3D1"


# ---------- bad input, in Chinese, storing nothing ----------


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"text": ""}, "请填写备注"),
        ({"text": "很长" * 1001}, "备注不能超过 2000 个字（现在 2002 个）"),
    ],
)
def test_a_bad_case_note_is_refused_in_chinese_and_nothing_is_stored(
    client: TestClient, session: Session, form: dict[str, str], message: str
) -> None:
    csrf = sign_in(client, session)
    case = open_case(session)
    before = row_counts(session)
    response = client.post(
        f"/console/escalations/{case.id}/notes",
        data={**form, "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert message in response.text
    assert response.headers["hx-retarget"] == "#flash"
    assert row_counts(session) == before


def test_a_staff_account_with_a_bad_username_is_refused_in_chinese(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, session, StaffRole.ADMIN)
    before = row_counts(session)
    response = client.post(
        "/console/admin/staff",
        data={
            "username": "Bad Name!",
            "display_name": "某人",
            "role": "agent",
            "password": "long-enough-1",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 422
    assert "用户名需为 2–64 位小写字母" in response.text
    assert row_counts(session) == before


def test_a_canned_reply_with_an_unknown_placeholder_is_refused(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, session, StaffRole.SUPERVISOR)
    before = row_counts(session)
    response = client.post(
        "/console/canned-replies",
        data={"title": "催单", "body": "{客户} 您好", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "不认识的占位符：{客户}" in response.text
    assert row_counts(session) == before


def test_resolving_without_a_reason_is_refused_and_the_case_stays_open(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, session)
    case = open_case(session)
    before = row_counts(session)
    response = client.post(
        f"/console/escalations/{case.id}/resolve",
        data={"version": str(case.version), "resolution": "已处理", "csrf_token": csrf},
    )
    assert response.status_code == 422 and "请选择处理结果" in response.text
    assert row_counts(session) == before


def test_merging_needs_the_confirmation(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, session, StaffRole.SUPERVISOR)
    keep, duplicate = make_customer(session), make_customer(session)
    session.commit()
    before = row_counts(session)
    response = client.post(
        f"/console/customers/{keep.id}/merge",
        data={"source_id": str(duplicate.id), "reason": "同一人", "csrf_token": csrf},
    )
    assert response.status_code == 422 and "请勾选确认" in response.text
    assert row_counts(session) == before


# ---------- concurrency ----------


def test_a_change_made_on_an_old_version_is_refused_with_the_conflict_message(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, session)
    case = open_case(session)
    seen = case.version
    other = make_staff(session, username="li.na")
    escalations.assign(session, escalation_id=case.id, assignee_id=other.id, actor=SYSTEM)
    session.commit()
    response = client.post(
        f"/console/queue/{case.id}/claim",
        data={"version": str(seen), "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert f"工单 {case.ticket_no} 刚被" in response.text and "请查看最新内容后再操作" in response.text
    assert response.headers["hx-trigger"] == "hs:stale"
    session.refresh(case)
    assert case.assignee_id == other.id


def test_the_case_poll_answers_nothing_when_nothing_changed(client: TestClient, session: Session) -> None:
    sign_in(client, session)
    case = open_case(session)
    response = client.get(
        f"/console/escalations/{case.id}/poll", params={"after": "0", "version": case.version}
    )
    assert response.status_code == 204


def test_the_case_poll_brings_the_panel_and_a_banner_after_someone_elses_change(
    client: TestClient, session: Session
) -> None:
    sign_in(client, session)
    case = open_case(session)
    seen = case.version
    other = make_staff(session, username="chen.jing")
    escalations.assign(
        session, escalation_id=case.id, assignee_id=other.id, actor=Actor.staff(other.id, "chen.jing")
    )
    session.commit()
    response = client.get(f"/console/escalations/{case.id}/poll", params={"after": "0", "version": seen})
    assert response.status_code == 200
    assert 'id="case-panel"' in response.text and f'data-version="{case.version}"' in response.text
    assert "chen.jing 刚修改了这个工单" in response.text


def test_the_queue_counts_cases_that_arrived_after_the_newest_the_page_saw(
    client: TestClient, session: Session
) -> None:
    sign_in(client, session)
    first = open_case(session)
    open_case(session)
    open_case(session)
    response = client.get("/console/queue/rows", params={"seen": first.id})
    assert 'data-new="2"' in response.text
    assert response.text.count('class="new-chip"') == 2


def test_the_queue_marks_breached_and_near_cases_with_the_time(client: TestClient, session: Session) -> None:
    sign_in(client, session)
    late, soon = open_case(session), open_case(session)
    late.sla_due_at = late.created_at - timedelta(minutes=25, seconds=30)
    soon.sla_due_at = soon.created_at + timedelta(minutes=40, seconds=30)
    session.commit()
    page = client.get("/console").text
    assert re.search(r"sla-breached[^>]*>超时 2[56] 分钟", page)
    assert re.search(r"sla-near[^>]*>剩余 (39|40) 分钟", page)


def test_bulk_assign_assigns_the_fresh_rows_and_reports_the_stale_one(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, session, StaffRole.SUPERVISOR)
    fresh, stale = open_case(session), open_case(session)
    target = make_staff(session, display_name="陈静")
    session.commit()
    response = client.post(
        "/console/queue/assign",
        data={
            "ids": [f"{fresh.id}:{fresh.version}", f"{stale.id}:{stale.version - 1}"],
            "assignee_id": str(target.id),
            "csrf_token": csrf,
        },
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/console"},
    )
    assert response.status_code == 200
    assert "已分配 1 个工单；1 个未分配" in response.text and "请查看最新内容后再操作" in response.text
    session.refresh(fresh)
    session.refresh(stale)
    assert (fresh.assignee_id, stale.assignee_id) == (target.id, None)


def test_showing_a_masked_phone_answers_the_number_and_audits_it(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, session)
    customer = make_customer(session)
    customer.phone = "13800138000"
    session.commit()
    page = client.get(f"/console/customers/{customer.id}").text
    assert "138****8000" in page and "13800138000" not in page
    response = client.post(
        f"/console/customers/{customer.id}/reveal",
        data={"field": "phone", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "13800138000" in response.text
    entries, total = audit.search(
        session, filters=audit.AuditFilter(action="customer.pii_revealed", entity_id=customer.id)
    )
    assert total == 1 and entries[0].details == {"field": "phone"}

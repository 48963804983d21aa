"""Alerts, segments and the care list through the JSON API and the console pages: who may, what they see,
acknowledging, running the jobs, the CSV, and a follow-up that takes a customer off the care list."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import AlertStatus, EscalationCategory, SentimentLabel, StaffRole
from crm_store.models import Alert, Escalation, Review, ReviewAspect
from huisheng.services.segments import service as segments
from huisheng.settings import SegmentSettings
from tests.api.conftest import signed_in, token_for
from tests.api.test_console_pages import sign_in
from tests.factories import make_customer, make_order, make_staff


def spike(session: Session) -> None:
    now = utcnow()
    for n in range(8):
        review = Review(
            source="test",
            text=f"包装破了 {n}",
            sentiment_label=SentimentLabel.NEGATIVE,
            sentiment_score=0.05,
            created_at=now - timedelta(minutes=5 + n),
        )
        review.aspects.append(
            ReviewAspect(aspect="包装", label=SentimentLabel.NEGATIVE, score=0.1, clause="包装破了")
        )
        session.add(review)
    session.commit()


def unhappy_customer(session: Session, name: str = "李雷") -> int:
    customer = make_customer(session, name=name)
    session.add(
        Review(
            source="test",
            text="很失望",
            customer_id=customer.id,
            sentiment_label=SentimentLabel.NEGATIVE,
            sentiment_score=0.1,
            created_at=utcnow() - timedelta(days=1),
        )
    )
    session.commit()
    return customer.id


# ---------- JSON API ----------


@pytest.mark.parametrize(
    ("method", "path", "floor"),
    [
        ("GET", "/api/insights/alerts", StaffRole.MANAGER),
        ("POST", "/api/insights/alerts/run", StaffRole.MANAGER),
        ("POST", "/api/insights/alerts/1/acknowledge", StaffRole.MANAGER),
        ("GET", "/api/insights/segments", StaffRole.MANAGER),
        ("GET", "/api/insights/segments/members", StaffRole.MANAGER),
        ("POST", "/api/insights/segments/run", StaffRole.MANAGER),
        ("GET", "/api/insights/care", StaffRole.SUPERVISOR),
    ],
)
def test_the_role_below_the_floor_is_refused(
    client: TestClient, session: Session, method: str, path: str, floor: StaffRole
) -> None:
    below = StaffRole.SUPERVISOR if floor is StaffRole.MANAGER else StaffRole.AGENT
    response = client.request(method, path, headers=token_for(session, below))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_manager_runs_the_alert_job_lists_and_acknowledges(client: TestClient, session: Session) -> None:
    spike(session)
    manager, headers = signed_in(session, StaffRole.MANAGER)
    run = client.post("/api/insights/alerts/run", headers=headers)
    assert run.status_code == 200
    (alert_id,) = run.json()["new_alert_ids"]
    assert client.post("/api/insights/alerts/run", headers=headers).json()["new_alert_ids"] == []
    (listed,) = client.get("/api/insights/alerts", params={"status": "open"}, headers=headers).json()
    assert (listed["kind"], listed["key"], listed["observed"]) == ("aspect", "包装", 8)
    assert listed["examples"][0]["text"].startswith("包装破了")
    acknowledged = client.post(f"/api/insights/alerts/{alert_id}/acknowledge", headers=headers).json()
    assert (acknowledged["status"], acknowledged["acknowledged_by_id"]) == ("acknowledged", manager.id)
    assert client.get("/api/insights/alerts", params={"status": "open"}, headers=headers).json() == []


def test_acknowledging_an_unknown_alert_is_404(client: TestClient, session: Session) -> None:
    response = client.post(
        "/api/insights/alerts/999999/acknowledge", headers=token_for(session, StaffRole.MANAGER)
    )
    assert response.status_code == 404


def test_segments_run_sizes_members_and_csv(client: TestClient, session: Session) -> None:
    customer = make_customer(session, name="韩梅梅")
    make_order(session, customer=customer)
    session.commit()
    headers = token_for(session, StaffRole.MANAGER)
    run = client.post("/api/insights/segments/run", headers=headers).json()
    assert run["customers"] == 1 and run["rows"] == 1
    (size,) = client.get("/api/insights/segments", headers=headers).json()
    assert (size["name"], size["kind"], size["customers"]) == ("一般挽留", "rfm", 1)
    (member,) = client.get(
        "/api/insights/segments/members", params={"segment": "一般挽留"}, headers=headers
    ).json()
    assert (member["customer_id"], member["name"]) == (customer.id, "韩梅梅")
    exported = client.get("/api/insights/segments/members.csv", headers=headers)
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["客户ID", "客户", "分群"] and rows[1][:3] == [
        str(customer.id),
        "韩梅梅",
        "一般挽留",
    ]
    unknown = client.get("/api/insights/segments/members", params={"segment": "火星人"}, headers=headers)
    assert unknown.status_code == 422


def test_a_supervisor_sees_the_care_list_and_opens_a_follow_up(client: TestClient, session: Session) -> None:
    customer_id = unhappy_customer(session)
    agent = make_staff(session, username="care-api-agent")
    session.commit()
    headers = token_for(session, StaffRole.SUPERVISOR)
    (item,) = client.get("/api/insights/care", headers=headers).json()
    assert (item["customer_id"], item["reasons"]) == (customer_id, ["近 14 天留下差评 1 条"])
    opened = client.post(
        f"/api/insights/care/{customer_id}/follow-up", json={"assignee_id": agent.id}, headers=headers
    )
    assert opened.status_code == 200 and opened.json()["assignee_id"] == agent.id
    case = session.get(Escalation, opened.json()["escalation_id"])
    assert case is not None and case.category is EscalationCategory.REVIEW_FOLLOW_UP
    assert client.get("/api/insights/care", headers=headers).json() == []
    again = client.post(
        f"/api/insights/care/{customer_id}/follow-up", json={"assignee_id": agent.id}, headers=headers
    )
    assert again.status_code == 409


# ---------- console pages ----------


def test_the_nav_shows_the_insight_pages_by_role(client: TestClient, session: Session) -> None:
    sign_in(client, session, StaffRole.SUPERVISOR)
    page = client.get("/console").text
    assert 'href="/console/insights/care"' in page and 'href="/console/insights/alerts"' not in page
    client.cookies.clear()
    sign_in(client, session, StaffRole.MANAGER)
    page = client.get("/console").text
    assert 'href="/console/insights/alerts"' in page and 'href="/console/insights/segments"' in page


def test_the_alerts_page_runs_the_job_and_acknowledges_with_csrf(
    client: TestClient, session: Session
) -> None:
    spike(session)
    csrf = sign_in(client, session, StaffRole.MANAGER)
    ran = client.post("/console/insights/alerts/run", data={"csrf_token": csrf})
    assert ran.status_code == 200 and "新增 1 条口碑预警" in ran.text
    assert "包装" in ran.text and "“包装破了" in ran.text and "确认已知晓" in ran.text
    alert = session.scalars(select(Alert).where(Alert.key == "包装")).one()
    refused = client.post(f"/console/insights/alerts/{alert.id}/acknowledge")
    assert refused.status_code == 403
    done = client.post(f"/console/insights/alerts/{alert.id}/acknowledge", data={"csrf_token": csrf})
    assert done.status_code == 200 and "已确认预警“包装”" in done.text
    session.refresh(alert)
    assert alert.status is AlertStatus.ACKNOWLEDGED


def test_the_segments_page_filters_and_exports(client: TestClient, session: Session) -> None:
    customer = make_customer(session, name="王芳")
    make_order(session, customer=customer)
    segments.compute_segments(session, settings=SegmentSettings())
    session.commit()
    sign_in(client, session, StaffRole.MANAGER)
    page = client.get("/console/insights/segments", params={"segment": "一般挽留"})
    assert page.status_code == 200 and "王芳" in page.text and "一般挽留的客户" in page.text
    empty = client.get("/console/insights/segments", params={"segment": "重要价值"})
    assert "王芳" not in empty.text and "这个分群暂时没有客户" in empty.text
    exported = client.get("/console/insights/segments/export.csv", params={"segment": "一般挽留"})
    assert exported.headers["content-type"].startswith("text/csv") and "王芳" in exported.text


def test_the_care_page_opens_a_follow_up_and_the_customer_leaves(
    client: TestClient, session: Session
) -> None:
    customer_id = unhappy_customer(session, name="周杰")
    csrf = sign_in(client, session, StaffRole.SUPERVISOR)
    agent = make_staff(session, username="care-page-agent", display_name="小刘")
    session.commit()
    page = client.get("/console/insights/care")
    assert "周杰" in page.text and "近 14 天留下差评 1 条" in page.text and "小刘" in page.text
    missing = client.post(f"/console/insights/care/{customer_id}/follow-up", data={"csrf_token": csrf})
    assert missing.status_code == 422 and "请选择处理人" in missing.text
    done = client.post(
        f"/console/insights/care/{customer_id}/follow-up",
        data={"csrf_token": csrf, "assignee_id": str(agent.id)},
    )
    assert done.status_code == 200 and "已为 周杰 创建回访工单 HS" in done.text
    assert f'id="care-{customer_id}"' not in done.text

"""The dashboard page as HTML: managers see every panel's chart data embedded, filters come from the query,
downloads carry the same filters, and agents and supervisors are refused."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from tests.api.test_console_pages import sign_in
from tests.services.insights_fixture import build_store

WINDOW = "since=2026-06-01&until=2026-06-30"
CHARTS = re.compile(r'<script type="application/json" id="chart-data">(.*?)</script>', re.S)


def charts_of(html: str) -> dict[str, dict[str, object]]:
    found = CHARTS.search(html)
    assert found is not None
    data: dict[str, dict[str, object]] = json.loads(found.group(1))
    return data


def test_a_manager_sees_every_chart_with_data(client: TestClient, session: Session) -> None:
    build_store(session)
    sign_in(client, session, StaffRole.MANAGER)
    page = client.get(f"/console/insights?{WINDOW}")
    assert page.status_code == 200, page.text
    charts = charts_of(page.text)
    for key in (
        "sentiment-reviews",
        "sentiment-messages",
        "negative-channel",
        "negative-aspect",
        "keywords",
        "cases",
        "csat",
        "containment",
        "intents",
    ):
        series = charts[key]["series"]
        assert isinstance(series, list) and any(s["data"] for s in series), key
        assert f'data-chart="{key}"' in page.text
    assert '<a href="/console/insights" aria-current="page">数据看板</a>' in page.text
    assert "/static/vendor/echarts-5.5.1/echarts.min.js" in page.text


def test_a_filter_changes_the_figures_and_stays_in_the_downloads(
    client: TestClient, session: Session
) -> None:
    build_store(session)
    sign_in(client, session, StaffRole.MANAGER)
    every = charts_of(client.get(f"/console/insights?{WINDOW}").text)
    web_page = client.get(f"/console/insights?{WINDOW}&channel=web&granularity=week")
    web = charts_of(web_page.text)
    assert web["negative-channel"]["categories"] == ["网站"]
    assert web["containment"] != every["containment"]
    assert (
        "/console/insights/export/cases.csv?since=2026-06-01&amp;until=2026-06-30&amp;channel=web"
        in web_page.text
    )


def test_a_keyword_opens_its_texts_and_downloads_them(client: TestClient, session: Session) -> None:
    build_store(session)
    sign_in(client, session, StaffRole.MANAGER)
    page = client.get(f"/console/insights/keyword?keyword=太慢&{WINDOW}")
    assert page.status_code == 200
    assert "差评关键词「太慢」" in page.text
    download = client.get(f"/console/insights/export/keyword-texts.csv?keyword=太慢&{WINDOW}")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["评价", "时间", "品类", "评分", "内容"]
    assert len(rows) - 1 == page.text.count('<tr><td data-label="时间">')


def test_a_bad_range_is_a_422_page(client: TestClient, session: Session) -> None:
    sign_in(client, session, StaffRole.MANAGER)
    page = client.get("/console/insights?since=2026-06-10&until=2026-06-01")
    assert page.status_code == 422
    assert "晚于结束日期" in page.text


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.SUPERVISOR])
def test_agents_and_supervisors_are_refused_the_dashboard(
    client: TestClient, session: Session, role: StaffRole
) -> None:
    sign_in(client, session, role)
    assert client.get("/console/insights").status_code == 403
    assert client.get("/console/insights/export/keywords.csv").status_code == 403
    assert "数据看板" not in client.get("/console/account").text


def test_the_dashboard_shows_open_word_of_mouth_alerts_with_examples_and_segment_sizes(
    client: TestClient, session: Session
) -> None:
    from datetime import timedelta

    from crm_store.base import utcnow
    from crm_store.enums import AlertKind, OrderStatus
    from huisheng.services.segments.service import compute_segments
    from huisheng.services.word_of_mouth.detect import detect_alerts
    from huisheng.settings import AlertSettings, SegmentSettings
    from tests.factories import make_customer, make_order
    from tests.services.test_word_of_mouth import NOW, plant

    sign_in(client, session, StaffRole.MANAGER)
    quiet = client.get("/console/insights")
    assert "目前没有待确认的预警" in quiet.text and "还没有计算分群" in quiet.text

    plant(session, aspect="包装", per_baseline_day=1, in_window=12, text="包装破了，盒子压扁")
    alerts = detect_alerts(session, settings=AlertSettings(top_keywords=0), now=NOW)
    assert [a.kind for a in alerts] == [AlertKind.ASPECT]
    for phone, days_ago in (("13800000001", 3), ("13800000002", 200)):
        customer = make_customer(session, name=f"客户{phone[-1]}")
        make_order(session, customer=customer, status=OrderStatus.COMPLETED).created_at = (
            utcnow() - timedelta(days=days_ago)
        )
    session.flush()
    compute_segments(session, settings=SegmentSettings())
    session.commit()

    page = client.get("/console/insights")
    assert page.status_code == 200
    section = page.text.split('id="board-alerts"', 1)[1].split('id="board-segments"', 1)
    assert "包装" in section[0] and "“包装破了，盒子压扁”" in section[0] and "差评 12 条" in section[0]
    assert section[1].count('<th scope="row">') >= 2

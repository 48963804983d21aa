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

"""The insights JSON API: the dashboard and its panels under filters, clear 422s for bad filters, downloads,
and only managers and up."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from huisheng.services import insights
from huisheng.services.insights import build_filter
from tests.api.conftest import token_for
from tests.services.insights_fixture import TODAY, build_store

WINDOW = {"since": "2026-06-01", "until": "2026-06-30"}


@pytest.fixture()
def manager(session: Session) -> Iterator[dict[str, str]]:
    build_store(session)
    headers = token_for(session, StaffRole.MANAGER)
    session.commit()
    yield headers


def test_a_manager_gets_every_panel_with_the_services_figures(
    client: TestClient, session: Session, manager: dict[str, str]
) -> None:
    response = client.get("/api/insights/dashboard", params=WINDOW, headers=manager)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["since"], body["until"], body["previous_since"]) == (
        "2026-06-01",
        "2026-06-30",
        "2026-05-02",
    )
    reference = insights.csat_summary(session, filter=build_filter(today=TODAY))
    assert body["csat"]["rated"] == reference.rated
    assert body["csat"]["distribution"] == {str(k): v for k, v in reference.distribution.items()}
    for panel in ("sentiment", "negative_by_channel", "negative_by_aspect", "keywords", "cases"):
        assert body[panel], panel
    assert set(body["containment"]) >= {"containment_rate", "fallback_rate", "top_intents"}


def test_the_channel_filter_narrows_the_figures(client: TestClient, manager: dict[str, str]) -> None:
    every = client.get("/api/insights/containment", params=WINDOW, headers=manager).json()
    web = client.get("/api/insights/containment", params={**WINDOW, "channel": "web"}, headers=manager).json()
    wechat = client.get(
        "/api/insights/containment", params={**WINDOW, "channel": "wechat"}, headers=manager
    ).json()
    assert web["started"] + wechat["started"] == every["started"]
    assert 0 < web["started"] < every["started"]


def test_weeks_bucket_on_mondays(client: TestClient, manager: dict[str, str]) -> None:
    rows = client.get(
        "/api/insights/sentiment", params={**WINDOW, "granularity": "week"}, headers=manager
    ).json()
    assert rows and all(date.fromisoformat(r["bucket"]).weekday() == 0 for r in rows)


def test_the_texts_behind_a_keyword(client: TestClient, manager: dict[str, str]) -> None:
    top = client.get("/api/insights/keywords", params=WINDOW, headers=manager).json()[0]
    texts = client.get(
        "/api/insights/keyword-reviews", params={**WINDOW, "keyword": top["keyword"]}, headers=manager
    ).json()
    assert len(texts) == top["count"]
    assert [t["review_id"] for t in texts[:2]] == [e["review_id"] for e in top["examples"]]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"since": "2026-06-10", "until": "2026-06-01"}, "bad_range"),
        ({"since": "2025-01-01", "until": "2026-06-01"}, "range_too_long"),
        ({"channel": "telegram"}, "unknown_channel"),
        ({"aspect": "颜值"}, "unknown_aspect"),
        ({"granularity": "month"}, "bad_granularity"),
        ({"since": "2026-13-01"}, "invalid_input"),
    ],
)
def test_bad_filters_are_refused_with_422(
    client: TestClient, manager: dict[str, str], params: dict[str, str], code: str
) -> None:
    response = client.get("/api/insights/dashboard", params=params, headers=manager)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_keyword_reviews_need_a_keyword(client: TestClient, manager: dict[str, str]) -> None:
    assert client.get("/api/insights/keyword-reviews", headers=manager).status_code == 422


def test_a_table_downloads_as_csv_with_a_bom(client: TestClient, manager: dict[str, str]) -> None:
    response = client.get("/api/insights/export/aspects.csv", params=WINDOW, headers=manager)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["方面", "条数", "负面数"]
    assert [r[0] for r in rows[1:9]] == list(insights.aspect_names())


def test_a_table_downloads_as_xlsx(client: TestClient, manager: dict[str, str]) -> None:
    response = client.get("/api/insights/export/cases.xlsx", params=WINDOW, headers=manager)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("类别", "工单数")
    assert rows[-1][0] == "全部"


def test_an_unknown_table_is_404(client: TestClient, manager: dict[str, str]) -> None:
    assert client.get("/api/insights/export/nothing.csv", headers=manager).status_code == 404


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.SUPERVISOR])
def test_agents_and_supervisors_are_refused(client: TestClient, session: Session, role: StaffRole) -> None:
    headers = token_for(session, role)
    for path in ("/api/insights/dashboard", "/api/insights/export/keywords.csv"):
        assert client.get(path, headers=headers).status_code == 403


def test_without_a_token_it_is_401(client: TestClient) -> None:
    assert client.get("/api/insights/dashboard").status_code == 401

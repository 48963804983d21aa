"""The review import API: preview with the guessed mapping, import by upload id or with the file, progress
and the per-row report, managers only, oversize files refused."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import Review
from huisheng.runtime import Runtime
from huisheng.services import review_files
from huisheng.services.review_import_jobs import ReviewImports
from tests.api.conftest import token_for
from tests.services.test_review_import import xlsx
from tests.stubs import stub_analyzer

FILE = "评价编号,评论,星级,日期\nr1,发货很快,5,2024/5/1\nr2,,3,2024/5/1\nr3,质量太差,7,2024/5/1\nr4,还不错,4,2024-05-02 10:00\n"


@pytest.fixture()
def manager(session: Session) -> dict[str, str]:
    return token_for(session, StaffRole.MANAGER)


@pytest.fixture(autouse=True)
def inline_imports(runtime: Runtime) -> None:
    """Imports run to the end inside the request, with the keyword sentiment stub."""
    analyzer = stub_analyzer()
    runtime._imports = ReviewImports(
        session_scope=runtime.session,
        upload_dir=runtime.settings.app.data_dir / "uploads",
        analyzer=lambda: analyzer,
        spawn=lambda work: work(),
    )


def upload(name: str = "taobao.csv", data: bytes = FILE.encode()) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "text/csv")}


def test_a_preview_shows_the_columns_first_rows_and_guessed_mapping(
    client: TestClient, manager: dict[str, str]
) -> None:
    response = client.post("/api/reviews/imports/preview", files=upload(), headers=manager)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["headers"] == ["评价编号", "评论", "星级", "日期"]
    assert body["mapping"] == {"text": "评论", "rating": "星级", "date": "日期", "external_id": "评价编号"}
    assert body["rows"][0] == ["r1", "发货很快", "5", "2024/5/1"]
    assert (body["total_rows"], body["encoding"], body["kind"]) == (4, "UTF-8", "csv")


def test_an_upload_is_imported_with_its_report_of_bad_rows_by_line(
    client: TestClient, manager: dict[str, str], session: Session
) -> None:
    upload_id = client.post("/api/reviews/imports/preview", files=upload(), headers=manager).json()[
        "upload_id"
    ]
    started = client.post(
        "/api/reviews/imports",
        data={
            "upload_id": upload_id,
            "source": "taobao",
            "mapping": json.dumps(
                {"text": "评论", "rating": "星级", "external_id": "评价编号", "date": "日期"}
            ),
        },
        headers=manager,
    )
    assert started.status_code == 202, started.text
    job = client.get(f"/api/reviews/imports/{started.json()['id']}", headers=manager).json()
    assert (job["status"], job["total"], job["done"], job["percent"]) == ("done", 4, 4, 100)
    assert (job["stored"], job["duplicates"], job["failed"]) == (2, 0, 2)
    assert [(p["line"], p["reason"]) for p in job["problems"]] == [
        (3, "评价内容为空"),
        (4, "评分“7”不在 1–5 之间"),
    ]
    assert set(session.scalars(select(Review.source))) == {"taobao"}


def test_a_file_sent_with_the_start_is_imported_with_the_guessed_mapping_and_a_second_time_skipped(
    client: TestClient, manager: dict[str, str], session: Session
) -> None:
    first_id = client.post("/api/reviews/imports", files=upload(), headers=manager).json()["id"]
    second_id = client.post("/api/reviews/imports", files=upload(), headers=manager).json()["id"]
    first = client.get(f"/api/reviews/imports/{first_id}", headers=manager).json()
    second = client.get(f"/api/reviews/imports/{second_id}", headers=manager).json()
    assert (first["stored"], second["stored"], second["duplicates"]) == (2, 0, 2)
    assert session.scalar(select(func.count()).select_from(Review)) == 2


def test_a_mapping_without_the_text_column_is_refused(client: TestClient, manager: dict[str, str]) -> None:
    response = client.post(
        "/api/reviews/imports",
        files=upload(),
        data={"mapping": json.dumps({"rating": "星级"})},
        headers=manager,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_mapping"


def test_a_mapping_that_is_not_json_is_refused(client: TestClient, manager: dict[str, str]) -> None:
    response = client.post(
        "/api/reviews/imports", files=upload(), data={"mapping": "text=评论"}, headers=manager
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_mapping"


def test_an_oversize_file_is_refused_with_413(
    client: TestClient, manager: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_files, "MAX_BYTES", 64)
    for path in ("/api/reviews/imports/preview", "/api/reviews/imports"):
        response = client.post(path, files=upload(), headers=manager)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "file_too_large"
        assert "文件太大" in response.json()["error"]["message"]


def test_an_unreadable_file_is_refused_in_chinese(client: TestClient, manager: dict[str, str]) -> None:
    response = client.post(
        "/api/reviews/imports/preview",
        files=upload("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        headers=manager,
    )
    assert response.status_code == 422
    assert "另存为" in response.json()["error"]["message"]


def test_an_unknown_upload_or_job_is_404(client: TestClient, manager: dict[str, str]) -> None:
    assert client.post("/api/reviews/imports", data={"upload_id": "nope"}, headers=manager).status_code == 404
    assert client.get("/api/reviews/imports/nope", headers=manager).status_code == 404


def test_neither_a_file_nor_an_upload_id_is_refused(client: TestClient, manager: dict[str, str]) -> None:
    response = client.post("/api/reviews/imports", data={"source": "x"}, headers=manager)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_missing"


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.SUPERVISOR])
def test_roles_below_manager_are_refused_and_nothing_is_stored(
    client: TestClient, session: Session, role: StaffRole
) -> None:
    headers = token_for(session, role)
    assert client.post("/api/reviews/imports/preview", files=upload(), headers=headers).status_code == 403
    assert client.post("/api/reviews/imports", files=upload(), headers=headers).status_code == 403
    assert client.get("/api/reviews/imports/x", headers=headers).status_code == 403
    assert session.scalar(select(func.count()).select_from(Review)) == 0


def test_without_a_token_the_import_is_401(client: TestClient) -> None:
    assert client.post("/api/reviews/imports/preview", files=upload()).status_code == 401


def test_an_xlsx_export_is_previewed_and_imported(
    client: TestClient, manager: dict[str, str], session: Session
) -> None:
    data = xlsx([["评论内容", "星级", "日期"], ["发货快", 5, 45413], ["", 3, 45413], ["包装破了", 2, 45414]])
    files = {"file": ("jd.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    preview = client.post("/api/reviews/imports/preview", files=files, headers=manager).json()
    assert (preview["kind"], preview["total_rows"], preview["mapping"]["text"]) == ("xlsx", 3, "评论内容")
    job_id = client.post(
        "/api/reviews/imports", data={"upload_id": preview["upload_id"]}, headers=manager
    ).json()["id"]
    job = client.get(f"/api/reviews/imports/{job_id}", headers=manager).json()
    assert (job["stored"], [(p["line"], p["reason"]) for p in job["problems"]]) == (2, [(3, "评价内容为空")])
    assert sorted(session.scalars(select(Review.rating))) == [2, 5]

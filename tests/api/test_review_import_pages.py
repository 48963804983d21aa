"""The review import pages: upload, the guessed mapping with a preview, the import and its report with bad
rows by line and their CSV; CSRF on every form; Chinese refusals that keep the page; managers only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import Review
from huisheng.runtime import Runtime
from huisheng.services import review_files
from huisheng.services.review_import_jobs import ReviewImports
from tests.api.test_console_pages import sign_in
from tests.stubs import stub_analyzer

FILE = "评价编号,评价内容,评分,评价时间\nr1,发货很快,5,2024/5/1\nr2,,3,2024/5/1\nr3,质量太差,8,2024/5/1\n".encode()


@pytest.fixture(autouse=True)
def inline_imports(runtime: Runtime) -> None:
    analyzer = stub_analyzer()
    runtime._imports = ReviewImports(
        session_scope=runtime.session,
        upload_dir=runtime.settings.app.data_dir / "uploads",
        analyzer=lambda: analyzer,
        spawn=lambda work: work(),
    )


def upload(client: TestClient, csrf: str, data: bytes = FILE, name: str = "导出.csv") -> object:
    return client.post(
        "/console/insights/import",
        data={"csrf_token": csrf},
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
    )


def test_a_manager_uploads_checks_the_mapping_imports_and_reads_the_report(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, session, StaffRole.MANAGER)
    assert "评价导入" in client.get("/console/insights/import").text
    uploaded = upload(client, csrf)
    assert uploaded.status_code == 303  # type: ignore[attr-defined]
    mapping_url = uploaded.headers["location"]  # type: ignore[attr-defined]
    mapping = client.get(mapping_url).text
    assert re.search(r'<option value="评价内容" selected>', mapping)
    assert "发货很快" in mapping and "共 3 行" in mapping

    started = client.post(
        mapping_url,
        data={
            "csrf_token": csrf,
            "map_text": "评价内容",
            "map_rating": "评分",
            "map_external_id": "评价编号",
            "source": "taobao",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303
    job_url = started.headers["location"]
    report = client.get(job_url).text
    assert "导入完成" in report and 'data-count="stored">1<' in report and 'data-count="failed">2<' in report
    assert "评价内容为空" in report and "评分“8”不在 1–5 之间" in report
    assert 'hx-trigger="every 1s"' not in report  # finished: no more polling

    problems = client.get(f"{job_url}/problems.csv")
    assert problems.headers["content-type"].startswith("text/csv")
    assert problems.content.decode("utf-8-sig").splitlines() == [
        "行号,原因,评价内容（开头）",
        "3,评价内容为空,",
        "4,评分“8”不在 1–5 之间,质量太差",
    ]
    assert session.scalar(select(Review.source)) == "taobao"


def test_the_progress_fragment_polls_while_the_import_runs(
    client: TestClient, session: Session, runtime: Runtime
) -> None:
    started: list[object] = []
    runtime._imports = ReviewImports(
        session_scope=runtime.session,
        upload_dir=runtime.settings.app.data_dir / "uploads",
        analyzer=stub_analyzer,
        spawn=started.append,
    )
    csrf = sign_in(client, session, StaffRole.MANAGER)
    mapping_url = upload(client, csrf).headers["location"]  # type: ignore[attr-defined]
    job_url = client.post(
        mapping_url, data={"csrf_token": csrf, "map_text": "评价内容"}, follow_redirects=False
    ).headers["location"]
    fragment = client.get(f"{job_url}/progress", headers={"HX-Request": "true"}).text
    assert 'hx-trigger="every 1s"' in fragment and "正在导入" in fragment and "已处理 0 / 3 行" in fragment


def test_a_mapping_without_the_text_column_is_refused_in_chinese_and_the_form_kept(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, session, StaffRole.MANAGER)
    mapping_url = upload(client, csrf).headers["location"]  # type: ignore[attr-defined]
    refused = client.post(mapping_url, data={"csrf_token": csrf, "map_text": "", "map_rating": "评分"})
    assert refused.status_code == 422
    assert "请指定哪一列是评价内容" in refused.text
    assert '<option value="评分" selected>' in refused.text
    assert session.scalar(select(func.count()).select_from(Review)) == 0


def test_an_oversize_or_unreadable_file_is_refused_on_the_upload_page(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = sign_in(client, session, StaffRole.MANAGER)
    bad = upload(client, csrf, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls")
    assert bad.status_code == 422 and "另存为 .xlsx 或 CSV" in bad.text  # type: ignore[attr-defined]
    monkeypatch.setattr(review_files, "MAX_BYTES", 32)
    big = upload(client, csrf)
    assert big.status_code == 413 and "文件太大" in big.text  # type: ignore[attr-defined]
    assert 'name="file"' in big.text  # type: ignore[attr-defined]


def test_an_upload_without_the_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, session, StaffRole.MANAGER)
    refused = upload(client, "forged")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "页面已过期" in refused.text  # type: ignore[attr-defined]


def test_starting_without_the_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, session, StaffRole.MANAGER)
    mapping_url = upload(client, csrf).headers["location"]  # type: ignore[attr-defined]
    assert client.post(mapping_url, data={"map_text": "评价内容"}).status_code == 403
    assert session.scalar(select(func.count()).select_from(Review)) == 0


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.SUPERVISOR])
def test_roles_below_manager_are_refused_the_page_and_do_not_see_it_in_the_nav(
    client: TestClient, session: Session, role: StaffRole
) -> None:
    sign_in(client, session, role)
    assert client.get("/console/insights/import").status_code == 403
    assert "/console/insights/import" not in client.get("/console/account").text


def test_an_unknown_upload_or_job_is_a_chinese_404(client: TestClient, session: Session) -> None:
    sign_in(client, session, StaffRole.MANAGER)
    assert "重新上传" in client.get("/console/insights/import/uploads/nope").text
    missing = client.get("/console/insights/import/jobs/nope")
    assert missing.status_code == 404 and "导入任务" in missing.text

"""Import jobs: the upload kept for its preview, the job's row recording progress and refused rows, a crash
or a lost process shown as stopped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import ImportStatus
from crm_store.models import Review, ReviewImport
from huisheng.errors import NotFoundError
from huisheng.runtime import Runtime
from huisheng.services import review_import
from huisheng.services.review_import_jobs import INTERRUPTED, ReviewImports
from tests.stubs import stub_analyzer

FILE = "评价编号,评价内容,评分\nr1,物流很快,5\nr2,,4\nr3,质量太差,1\nr4,不错,0\n".encode()


def jobs(
    runtime: Runtime,
    tmp_path: Path,
    spawn: Callable[[Callable[[], None]], None] | None = None,
    batch_size: int = 256,
) -> ReviewImports:
    analyzer = stub_analyzer()
    return ReviewImports(
        session_scope=runtime.session,
        analyzer=lambda: analyzer,
        upload_dir=tmp_path / "uploads",
        spawn=spawn or (lambda work: work()),
        batch_size=batch_size,
    )


def test_an_upload_is_kept_for_the_import_and_gone_once_started(runtime: Runtime, tmp_path: Path) -> None:
    imports = jobs(runtime, tmp_path)
    kept = imports.upload(FILE, filename="../../taobao.csv")
    again = imports.get_upload(kept.id)
    assert (again.filename, again.table.headers, again.guessed["text"]) == (
        "taobao.csv",
        kept.table.headers,
        "评价内容",
    )
    imports.start(again, mapping=None, source="taobao")
    with pytest.raises(NotFoundError):
        imports.get_upload(kept.id)


@pytest.mark.parametrize("upload_id", ["0123456789abcdef", "../etc/passwd", ""])
def test_an_unknown_or_malformed_upload_id_is_not_found(
    runtime: Runtime, tmp_path: Path, upload_id: str
) -> None:
    with pytest.raises(NotFoundError, match="重新上传"):
        jobs(runtime, tmp_path).get_upload(upload_id)


def test_a_finished_job_row_holds_the_counts_and_the_refused_rows(
    runtime: Runtime, session: Session, tmp_path: Path
) -> None:
    imports = jobs(runtime, tmp_path)
    started = imports.start(imports.upload(FILE, filename="r.csv"), mapping=None, source="taobao")
    job = imports.get(started.id)
    assert (job.status, job.percent, job.report.stored, job.report.failed) == (ImportStatus.DONE, 100, 2, 2)
    assert [(p.line, p.reason) for p in job.report.problems] == [
        (3, "评价内容为空"),
        (5, "评分“0”不在 1–5 之间"),
    ]
    row = session.get(ReviewImport, started.id)
    assert row is not None and row.finished_at is not None and row.source == "taobao"
    assert [j.id for j in imports.recent()] == [started.id]


def test_a_running_job_shows_its_progress_until_it_finishes(runtime: Runtime, tmp_path: Path) -> None:
    waiting: list[Callable[[], None]] = []
    imports = jobs(runtime, tmp_path, spawn=waiting.append)
    started = imports.start(imports.upload(FILE, filename="r.csv"), mapping=None, source="x")
    job = imports.get(started.id)
    assert (job.status, job.finished, job.percent, job.report.total) == (ImportStatus.RUNNING, False, 0, 4)
    waiting[0]()
    assert imports.get(started.id).finished


def test_a_crash_marks_the_job_failed_and_keeps_the_rows_it_stored(
    runtime: Runtime, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imports = jobs(runtime, tmp_path, batch_size=2)
    real = review_import._store_batch
    calls: list[int] = []

    def crash_second(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(review_import, "_store_batch", crash_second)
    data = ("text\n" + "".join(f"第{n}条不错\n" for n in range(5))).encode()
    started = imports.start(imports.upload(data, filename="r.csv"), mapping=None, source="x")
    job = imports.get(started.id)
    assert job.status is ImportStatus.FAILED and job.error is not None and "导入中断" in job.error
    assert (job.report.done, job.report.stored) == (2, 2)
    assert list(session.scalars(select(Review.text).order_by(Review.id))) == ["第0条不错", "第1条不错"]


def test_a_running_job_whose_process_went_away_is_shown_as_stopped(
    runtime: Runtime, session: Session, tmp_path: Path
) -> None:
    imports = jobs(runtime, tmp_path, spawn=lambda work: None)
    started = imports.start(imports.upload(FILE, filename="r.csv"), mapping=None, source="x")
    row = session.get(ReviewImport, started.id)
    assert row is not None
    row.updated_at = utcnow() - timedelta(minutes=11)
    session.commit()
    job = imports.get(started.id)
    assert (job.status, job.error) == (ImportStatus.FAILED, INTERRUPTED)


def test_an_unknown_job_is_not_found(runtime: Runtime, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="导入任务"):
        jobs(runtime, tmp_path).get("0123456789abcdef")

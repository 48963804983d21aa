"""Review imports as jobs: an uploaded file kept on disk for its preview, then imported on a background thread
(analysis is CPU-bound and stays off the event loop) while its row in `review_imports` records the progress,
so any process can show it and it outlives a restart."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from crm_store.base import utcnow
from crm_store.enums import ImportStatus
from crm_store.models import ReviewImport
from huisheng.errors import NotFoundError
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.review_analysis import FollowUpPolicy
from huisheng.services.review_files import Table, check_mapping, guess_mapping, read_table
from huisheng.services.review_import import (
    DEFAULT_BATCH,
    ImportReport,
    Problem,
    Progress,
    SessionScope,
    run_import,
)
from huisheng.services.validation import clean_text

logger = logging.getLogger(__name__)
Spawn = Callable[[Callable[[], None]], None]
JobStatus = ImportStatus
UPLOAD_TTL_SECONDS = 3600
# A running job whose row has not moved for this long lost its process (a restart): it is shown as stopped.
STALE_AFTER = timedelta(minutes=10)
_ID = re.compile(r"^[0-9a-f]{16}$")
INTERRUPTED = "导入中断：服务在导入过程中停止；已导入的批次保留，其余未写入，可重新导入整个文件"
CRASHED = "导入中断：服务出错；已导入的批次保留，其余未写入，可重新导入整个文件"


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    filename: str
    table: Table
    guessed: dict[str, str]


@dataclass(frozen=True, slots=True)
class ImportJob:
    """A job as its row says, with the counts and refused rows as an ImportReport."""

    id: str
    filename: str
    source: str
    mapping: dict[str, str]
    status: ImportStatus
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    report: ImportReport = field(default_factory=ImportReport)

    @classmethod
    def of(cls, row: ReviewImport) -> ImportJob:
        status, error = row.status, row.error
        if status is ImportStatus.RUNNING and utcnow() - row.updated_at > STALE_AFTER:
            status, error = ImportStatus.FAILED, INTERRUPTED
        report = ImportReport(
            total=row.total,
            done=row.done,
            stored=row.stored,
            duplicates=row.duplicates,
            follow_ups=row.follow_ups,
            problems=[Problem(p["line"], p["reason"], p.get("text", "")) for p in row.problems or []],
        )
        return cls(row.id, row.filename, row.source, dict(row.mapping), status, error, row.started_at,
                   row.finished_at, report)  # fmt: skip

    @property
    def finished(self) -> bool:
        return self.status is not ImportStatus.RUNNING

    @property
    def percent(self) -> int:
        total = self.report.total
        if total == 0:
            return 100 if self.finished else 0
        return int(100 * self.report.done / total)


def _thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="review-import", daemon=True).start()


class ReviewImports:
    """Uploads awaiting a mapping (files under `upload_dir`) and the imports started from them."""

    def __init__(
        self,
        *,
        session_scope: SessionScope,
        analyzer: Callable[[], TextAnalyzer],
        upload_dir: Path,
        follow_up: FollowUpPolicy | None = None,
        spawn: Spawn = _thread,
        batch_size: int = DEFAULT_BATCH,
    ):
        self._session_scope = session_scope
        self._analyzer = analyzer
        self._dir = upload_dir
        self._follow_up = follow_up
        self._spawn = spawn
        self._batch_size = batch_size

    def upload(self, data: bytes, *, filename: str) -> Upload:
        """Reads the file (InvalidInputError when it cannot be) and keeps it for the import that follows."""
        table = read_table(data, filename)
        upload_id = secrets.token_hex(8)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._forget_old_uploads()
        (self._dir / f"{upload_id}.name").write_text(Path(filename).name[:255] or "reviews", encoding="utf-8")
        (self._dir / f"{upload_id}.data").write_bytes(data)
        return Upload(upload_id, Path(filename).name[:255], table, guess_mapping(table.headers))

    def get_upload(self, upload_id: str) -> Upload:
        data_path, name_path = self._dir / f"{upload_id}.data", self._dir / f"{upload_id}.name"
        if not _ID.match(upload_id) or not data_path.exists() or not name_path.exists():
            raise NotFoundError("上传的文件已过期或不存在，请重新上传", code="upload_not_found")
        filename = name_path.read_text(encoding="utf-8")
        table = read_table(data_path.read_bytes(), filename)
        return Upload(upload_id, filename, table, guess_mapping(table.headers))

    def start(
        self, upload: Upload, *, mapping: dict[str, str] | None, source: str, started_by: int | None = None
    ) -> ImportJob:
        job = self._open(
            upload.table,
            filename=upload.filename,
            mapping=mapping if mapping is not None else upload.guessed,
            source=source,
            started_by=started_by,
        )
        for path in (self._dir / f"{upload.id}.data", self._dir / f"{upload.id}.name"):
            path.unlink(missing_ok=True)
        self._spawn(lambda: self._run(job, upload.table))
        return job

    def run_here(
        self,
        table: Table,
        *,
        filename: str,
        mapping: dict[str, str],
        source: str,
        batch_size: int | None = None,
        progress: Progress | None = None,
    ) -> ImportJob:
        """Imports `table` on the calling thread (the CLI), recorded in `review_imports` like an uploaded
        file's import so it shows in the import history; answers the finished job."""
        job = self._open(table, filename=filename, mapping=mapping, source=source, started_by=None)
        self._run(job, table, batch_size=batch_size, progress=progress)
        return self.get(job.id)

    def _open(
        self, table: Table, *, filename: str, mapping: dict[str, str], source: str, started_by: int | None
    ) -> ImportJob:
        chosen = check_mapping(mapping, table.headers)
        name = clean_text(source, field="source", max_length=32)
        with self._session_scope() as session:
            row = ReviewImport(
                id=secrets.token_hex(8),
                filename=Path(filename).name[:255] or "reviews",
                source=name,
                mapping=chosen,
                status=ImportStatus.RUNNING,
                total=len(table.rows),
                problems=[],
                started_by_id=started_by,
            )
            session.add(row)
            session.flush()
            return ImportJob.of(row)

    def get(self, job_id: str) -> ImportJob:
        with self._session_scope() as session:
            row = session.get(ReviewImport, job_id) if _ID.match(job_id) else None
            if row is None:
                raise NotFoundError(f"导入任务 {job_id} 不存在", code="import_not_found")
            return ImportJob.of(row)

    def recent(self, limit: int = 10) -> list[ImportJob]:
        with self._session_scope() as session:
            rows = session.scalars(select(ReviewImport).order_by(ReviewImport.started_at.desc()).limit(limit))
            return [ImportJob.of(row) for row in rows]

    def _run(
        self, job: ImportJob, table: Table, *, batch_size: int | None = None, progress: Progress | None = None
    ) -> None:
        report = ImportReport()

        def advance(done: ImportReport) -> None:
            self._record(job.id, done)
            if progress is not None:
                progress(done)

        try:
            run_import(
                self._session_scope,
                self._analyzer(),
                table,
                mapping=job.mapping,
                source=job.source,
                batch_size=batch_size or self._batch_size,
                follow_up=self._follow_up,
                progress=advance,
                report=report,
            )
        except Exception as error:  # the job's page must say it stopped, whatever stopped it
            logger.exception("review import %s stopped", job.id)
            self._record(job.id, report, status=ImportStatus.FAILED, error=getattr(error, "message", CRASHED))
        else:
            self._record(job.id, report, status=ImportStatus.DONE)

    def _record(
        self,
        job_id: str,
        report: ImportReport,
        *,
        status: ImportStatus | None = None,
        error: str | None = None,
    ) -> None:
        with self._session_scope() as session:
            row = session.get(ReviewImport, job_id)
            if row is None:
                return
            row.done, row.stored, row.duplicates = report.done, report.stored, report.duplicates
            row.failed, row.follow_ups = report.failed, report.follow_ups
            row.updated_at = utcnow()
            if status is not None:
                # The refused rows once, at the end: rewriting a growing list after every batch costs O(n²).
                problems = sorted(report.problems, key=lambda p: p.line)
                row.problems = [{"line": p.line, "reason": p.reason, "text": p.text} for p in problems]
                row.status, row.error, row.finished_at = status, error, utcnow()

    def _forget_old_uploads(self) -> None:
        cutoff = time.time() - UPLOAD_TTL_SECONDS
        for path in self._dir.glob("*.data"):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                path.with_suffix(".name").unlink(missing_ok=True)

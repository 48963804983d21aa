"""Review imports as jobs of the API process: an uploaded file kept for its preview, then imported on a
background thread (analysis is CPU-bound and stays off the event loop) with its progress readable meanwhile.

Jobs live in this process's memory, newest kept, and are gone after a restart; the reviews they stored stay.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from crm_store.base import utcnow
from huisheng.errors import NotFoundError
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.review_analysis import FollowUpPolicy
from huisheng.services.review_files import Table, check_mapping, guess_mapping, read_table
from huisheng.services.review_import import ImportReport, SessionScope, run_import

logger = logging.getLogger(__name__)
Spawn = Callable[[Callable[[], None]], None]
KEEP_UPLOADS = 8
KEEP_JOBS = 50
UPLOAD_TTL_SECONDS = 3600


class JobStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(slots=True)
class Upload:
    id: str
    filename: str
    table: Table
    guessed: dict[str, str]
    uploaded_by: int | None
    at: float = field(default_factory=time.monotonic)


@dataclass(slots=True)
class ImportJob:
    id: str
    filename: str
    source: str
    mapping: dict[str, str]
    started_by: int | None
    report: ImportReport = field(default_factory=ImportReport)
    status: JobStatus = JobStatus.RUNNING
    error: str | None = None
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status is not JobStatus.RUNNING

    @property
    def percent(self) -> int:
        total = self.report.total
        return 100 if total == 0 and self.finished else int(100 * self.report.done / total) if total else 0


def _thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="review-import", daemon=True).start()


class ReviewImports:
    """The uploads awaiting a mapping and the imports started, for one process."""

    def __init__(
        self,
        *,
        session_scope: SessionScope,
        analyzer: Callable[[], TextAnalyzer],
        follow_up: FollowUpPolicy | None = None,
        spawn: Spawn = _thread,
    ):
        self._session_scope = session_scope
        self._analyzer = analyzer
        self._follow_up = follow_up
        self._spawn = spawn
        self._lock = threading.Lock()
        self._uploads: OrderedDict[str, Upload] = OrderedDict()
        self._jobs: OrderedDict[str, ImportJob] = OrderedDict()

    def upload(self, data: bytes, *, filename: str, uploaded_by: int | None = None) -> Upload:
        """Reads the file (InvalidInputError when it cannot be) and keeps it for the import that follows."""
        table = read_table(data, filename)
        upload = Upload(secrets.token_hex(8), filename, table, guess_mapping(table.headers), uploaded_by)
        with self._lock:
            now = time.monotonic()
            for key in [k for k, u in self._uploads.items() if now - u.at > UPLOAD_TTL_SECONDS]:
                del self._uploads[key]
            self._uploads[upload.id] = upload
            while len(self._uploads) > KEEP_UPLOADS:
                self._uploads.popitem(last=False)
        return upload

    def get_upload(self, upload_id: str) -> Upload:
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None:
            raise NotFoundError("上传的文件已过期或不存在，请重新上传", code="upload_not_found")
        return upload

    def start(
        self, upload: Upload, *, mapping: dict[str, str] | None, source: str, started_by: int | None = None
    ) -> ImportJob:
        chosen = check_mapping(mapping if mapping is not None else upload.guessed, upload.table.headers)
        job = ImportJob(secrets.token_hex(8), upload.filename, source, chosen, started_by)
        job.report.total = len(upload.table.rows)
        with self._lock:
            self._uploads.pop(upload.id, None)
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        self._spawn(lambda: self._run(job, upload.table))
        return job

    def get(self, job_id: str) -> ImportJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(
                f"导入任务 {job_id} 不存在（服务重启后任务记录会清空）", code="import_not_found"
            )
        return job

    def recent(self, limit: int = 10) -> list[ImportJob]:
        with self._lock:
            return list(reversed(self._jobs.values()))[:limit]

    def _run(self, job: ImportJob, table: Table) -> None:
        try:
            run_import(
                self._session_scope,
                self._analyzer(),
                table,
                mapping=job.mapping,
                source=job.source,
                follow_up=self._follow_up,
                report=job.report,
            )
            job.status = JobStatus.DONE
        except Exception as error:  # the job's page must say it stopped, whatever stopped it
            logger.exception("review import %s stopped", job.id)
            job.status = JobStatus.FAILED
            job.error = getattr(error, "message", None) or "导入中断：服务出错，已导入的批次保留，其余未写入"
        finally:
            job.finished_at = utcnow()

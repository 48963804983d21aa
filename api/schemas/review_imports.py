"""Review import shapes: an uploaded file's preview with the guessed mapping, and a job's progress and report."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from huisheng.services.review_files import FIELDS
from huisheng.services.review_import_jobs import ImportJob, JobStatus, Upload


class UploadPreviewOut(BaseModel):
    upload_id: str = Field(description="Pass it to POST /api/reviews/imports to import this file.")
    filename: str
    kind: str = Field(description="csv or xlsx")
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    rows: list[list[str]] = Field(description="The first data rows, as text.")
    total_rows: int
    mapping: dict[str, str] = Field(description="field → column, guessed from the headers.")
    fields: dict[str, str] = Field(default_factory=lambda: dict(FIELDS), description="field → what it means")
    warnings: list[str]

    @classmethod
    def of(cls, upload: Upload) -> UploadPreviewOut:
        table = upload.table
        return cls(
            upload_id=upload.id,
            filename=upload.filename,
            kind=table.kind,
            encoding=table.encoding,
            delimiter=table.delimiter,
            headers=table.headers,
            rows=table.preview(),
            total_rows=len(table.rows),
            mapping=upload.guessed,
            warnings=table.warnings,
        )


class ProblemOut(BaseModel):
    line: int = Field(description="The row's line in the file, the header being line 1.")
    reason: str
    text: str = Field(description="The start of the row's review text.")


class ImportJobOut(BaseModel):
    id: str
    filename: str
    source: str
    mapping: dict[str, str]
    status: JobStatus
    total: int
    done: int
    percent: int
    stored: int
    duplicates: int
    failed: int = Field(description="Rows refused; each is in `problems` with its line and reason.")
    follow_ups: int = Field(description="Follow-up cases opened for strongly negative reviews.")
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    problems: list[ProblemOut]

    @classmethod
    def of(cls, job: ImportJob) -> ImportJobOut:
        report = job.report
        return cls(
            id=job.id,
            filename=job.filename,
            source=job.source,
            mapping=job.mapping,
            status=job.status,
            total=report.total,
            done=report.done,
            percent=job.percent,
            stored=report.stored,
            duplicates=report.duplicates,
            failed=report.failed,
            follow_ups=report.follow_ups,
            error=job.error,
            started_at=job.started_at,
            finished_at=job.finished_at,
            problems=[ProblemOut(line=p.line, reason=p.reason, text=p.text) for p in list(report.problems)],
        )

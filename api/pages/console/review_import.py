"""The review import pages (/console/insights/import, managers and up): upload a CSV or XLSX, check the guessed
column mapping against a preview, start the import, watch its progress (htmx polling) and read the report,
the bad rows downloadable as CSV. The same ReviewImports the JSON API uses does the work."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ConsoleLogin, RuntimeDep
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.guards import ManagerLogin
from api.pages.console.rendering import back_to, fragment, page
from api.uploads import LimitedUploadRoute, read_upload
from huisheng.errors import HuishengError, TooLargeError
from huisheng.runtime import Runtime
from huisheng.services.review_files import FIELDS, MAX_BYTES, MAX_ROWS, REQUIRED
from huisheng.services.review_import_jobs import ImportJob, Upload

# An oversize body is refused (413) before it is read; see api/uploads.py.
router = APIRouter(prefix=f"{PREFIX}/insights/import", route_class=LimitedUploadRoute)
HOME = f"{PREFIX}/insights/import"
LIMITS = {"max_mb": MAX_BYTES // 1024 // 1024, "max_rows": f"{MAX_ROWS:,}"}


def _home(
    request: Request, runtime: RuntimeDep, login: ManagerLogin, *, status_code: int = 200, message: str = ""
) -> HTMLResponse:
    return page(
        request,
        "console/review_import.html",
        login,
        status_code=status_code,
        jobs=runtime.review_imports.recent(),
        message=message,
        kind="error",
        **LIMITS,
    )


@router.get("")
def import_page(request: Request, runtime: RuntimeDep, login: ManagerLogin) -> HTMLResponse:
    return _home(request, runtime, login)


@router.post("")
def upload(
    request: Request,
    runtime: RuntimeDep,
    login: ManagerLogin,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if file is None or not file.filename:
        return _home(request, runtime, login, status_code=422, message=messages.said("import_no_file"))
    try:
        kept = runtime.review_imports.upload(read_upload(file), filename=file.filename)
    except HuishengError as error:
        status = 413 if isinstance(error, TooLargeError) else 422
        return _home(request, runtime, login, status_code=status, message=messages.chinese(error))
    return back_to(f"{HOME}/uploads/{kept.id}")


@router.get("/uploads/{upload_id}")
def mapping_page(request: Request, runtime: RuntimeDep, login: ManagerLogin, upload_id: str) -> HTMLResponse:
    kept = runtime.review_imports.get_upload(upload_id)
    return _mapping(request, login, kept, mapping=kept.guessed)


def _mapping(
    request: Request,
    login: ConsoleLogin,
    kept: Upload,
    *,
    mapping: dict[str, str],
    source: str = "import",
    status_code: int = 200,
    message: str = "",
) -> HTMLResponse:
    return page(
        request,
        "console/review_import_mapping.html",
        login,
        status_code=status_code,
        upload=kept,
        table=kept.table,
        preview=kept.table.preview(),
        fields=FIELDS,
        required=REQUIRED,
        mapping=mapping,
        source=source,
        message=message,
        kind="error",
    )


@router.post("/uploads/{upload_id}")
async def start(request: Request, runtime: RuntimeDep, login: ManagerLogin, upload_id: str) -> Response:
    form = await request.form()
    mapping = {field: str(form.get(f"map_{field}") or "") for field in FIELDS}
    source = str(form.get("source") or "").strip() or "import"
    # Reading the file again and writing the job row are blocking work: off the event loop.
    return await run_in_threadpool(_start, request, runtime, login, upload_id, mapping, source)


def _start(
    request: Request,
    runtime: Runtime,
    login: ConsoleLogin,
    upload_id: str,
    mapping: dict[str, str],
    source: str,
) -> Response:
    imports = runtime.review_imports
    kept = imports.get_upload(upload_id)
    try:
        job = imports.start(kept, mapping=mapping, source=source[:32], started_by=login.staff.id)
    except HuishengError as error:
        return _mapping(
            request,
            login,
            kept,
            mapping=mapping,
            source=source,
            status_code=422,
            message=messages.chinese(error),
        )
    return back_to(f"{HOME}/jobs/{job.id}")


@router.get("/jobs/{job_id}")
def job_page(request: Request, runtime: RuntimeDep, login: ManagerLogin, job_id: str) -> HTMLResponse:
    job = runtime.review_imports.get(job_id)
    return page(request, "console/review_import_job.html", login, job=job, fields=FIELDS)


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, runtime: RuntimeDep, login: ManagerLogin, job_id: str) -> HTMLResponse:
    job = runtime.review_imports.get(job_id)
    return fragment(request, "console/_partials/import_progress.html", login, job=job)


@router.get("/jobs/{job_id}/problems.csv")
def job_problems(runtime: RuntimeDep, login: ManagerLogin, job_id: str) -> Response:
    job = runtime.review_imports.get(job_id)
    return Response(
        problems_csv(job),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job.id}-problems.csv"'},
    )


def problems_csv(job: ImportJob) -> bytes:
    """The bad rows with a BOM, so Excel opens the Chinese as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "原因", "评价内容（开头）"])
    writer.writerows((p.line, p.reason, p.text) for p in list(job.report.problems))
    return ("\ufeff" + out.getvalue()).encode("utf-8")

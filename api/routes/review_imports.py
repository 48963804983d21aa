"""Review imports for managers: upload a CSV or XLSX for a preview with the guessed mapping, start the import
(of that upload, or of a file sent along), and follow its progress and per-row report."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from api.deps import RuntimeDep, require_role
from api.schemas.review_imports import ImportJobOut, UploadPreviewOut
from api.uploads import LimitedUploadRoute, read_upload
from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.errors import InvalidInputError
from huisheng.services.review_import_jobs import Upload

# An oversize body is refused (413) before it is read; see api/uploads.py.
router = APIRouter(prefix="/reviews/imports", tags=["reviews"], route_class=LimitedUploadRoute)
Manager = Annotated[StaffUser, Depends(require_role(StaffRole.MANAGER))]


def parse_mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise InvalidInputError(
            'mapping must be a JSON object of field → column, e.g. {"text": "评价内容", "rating": "评分"}',
            code="bad_mapping",
        )
    return {str(k): v for k, v in mapping.items()}


@router.post(
    "/preview",
    response_model=UploadPreviewOut,
    summary="Upload a review file: its columns, first rows and the guessed mapping",
)
def preview(runtime: RuntimeDep, user: Manager, file: Annotated[UploadFile, File()]) -> UploadPreviewOut:
    upload = runtime.review_imports.upload(read_upload(file), filename=file.filename or "")
    return UploadPreviewOut.of(upload)


@router.post(
    "",
    status_code=202,
    response_model=ImportJobOut,
    summary="Start importing an uploaded file (upload_id) or the file sent along; follow it by its id",
)
def start(
    runtime: RuntimeDep,
    user: Manager,
    file: Annotated[UploadFile | None, File()] = None,
    upload_id: Annotated[str | None, Form()] = None,
    mapping: Annotated[
        str | None, Form(description="JSON object field → column; guessed when left out")
    ] = None,
    source: Annotated[str, Form(max_length=32)] = "import",
) -> ImportJobOut:
    chosen = parse_mapping(mapping)
    imports = runtime.review_imports
    upload: Upload
    if file is not None:
        upload = imports.upload(read_upload(file), filename=file.filename or "")
    elif upload_id:
        upload = imports.get_upload(upload_id)
    else:
        raise InvalidInputError("send a file, or the upload_id of a preview", code="file_missing")
    job = imports.start(upload, mapping=chosen, source=source, started_by=user.id)
    return ImportJobOut.of(job)


@router.get("/{job_id}", summary="An import's progress and its report: stored, duplicates, bad rows by line")
def get_import(runtime: RuntimeDep, user: Manager, job_id: str) -> ImportJobOut:
    return ImportJobOut.of(runtime.review_imports.get(job_id))

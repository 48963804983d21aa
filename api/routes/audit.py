"""The audit log, for admins: every view of personal data and every change, filtered and paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import SessionDep, require_role
from api.schemas.audit import AuditEntryOut, AuditPageOut, AuditQuery
from crm_store.enums import StaffRole
from huisheng.services import audit

router = APIRouter(tags=["audit"], dependencies=[Depends(require_role(StaffRole.ADMIN))])


@router.get("/audit", summary="Audit log entries, newest first, filtered by actor, action, entity and time")
def audit_log(filters: Annotated[AuditQuery, Query()], session: SessionDep) -> AuditPageOut:
    entries, total = audit.search(
        session, filters=filters.to_filter(), page=filters.page, page_size=filters.page_size
    )
    return AuditPageOut(
        entries=[AuditEntryOut.model_validate(e) for e in entries],
        total=total,
        page=filters.page,
        page_size=filters.page_size,
    )

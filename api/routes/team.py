"""How the team is doing: each active staff member's open cases and how many are past their SLA."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import SessionDep, require_role
from api.schemas.staff import WorkloadOut
from crm_store.enums import StaffRole
from huisheng.services import case_queue

router = APIRouter(prefix="/team", tags=["team"], dependencies=[Depends(require_role(StaffRole.MANAGER))])


@router.get("/workload", summary="Open and breached cases per active staff member, busiest first")
def workload(session: SessionDep) -> list[WorkloadOut]:
    return [
        WorkloadOut(
            staff_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            open_cases=open_cases,
            breached=breached,
        )
        for user, open_cases, breached in case_queue.workload(session)
    ]

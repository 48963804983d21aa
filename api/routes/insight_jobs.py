"""Managers' insight jobs over the JSON API: word-of-mouth alerts, customer segments and the care list.
Alerts and segments are the manager's; the care list is also the supervisors', who assign follow-ups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from api.deps import CurrentStaff, RuntimeDep, SessionDep, SettingsDep, actor_of, require_role
from api.schemas.insight_jobs import (
    AlertOut,
    AlertRunOut,
    CareItemOut,
    FollowUpIn,
    FollowUpOut,
    SegmentMemberOut,
    SegmentRunOut,
    SegmentSizeOut,
)
from crm_store.enums import AlertStatus, StaffRole
from huisheng.services import care
from huisheng.services.segments import export
from huisheng.services.segments import service as segments
from huisheng.services.word_of_mouth import service as alerts

router = APIRouter(prefix="/insights", tags=["insights"])
MANAGER = [Depends(require_role(StaffRole.MANAGER))]
SUPERVISOR = [Depends(require_role(StaffRole.SUPERVISOR))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Segment = Annotated[str | None, Query(max_length=20)]


@router.get("/alerts", dependencies=MANAGER, summary="Word-of-mouth alerts, newest first")
def list_alerts(session: SessionDep, status: AlertStatus | None = None) -> list[AlertOut]:
    return [AlertOut.model_validate(a) for a in alerts.list_alerts(session, status=status)]


@router.post(
    "/alerts/run", dependencies=MANAGER, summary="Run the alert job now; new alerts go to the webhook"
)
def run_alerts(runtime: RuntimeDep, settings: SettingsDep) -> AlertRunOut:
    result = alerts.run_job(runtime.session, settings=settings.alerts)
    return AlertRunOut(new_alert_ids=result.new_alert_ids, notified=result.notified, failed=result.failed)


@router.post("/alerts/{alert_id}/acknowledge", dependencies=MANAGER, summary="Mark an alert as seen")
def acknowledge_alert(alert_id: Id, session: SessionDep, user: CurrentStaff) -> AlertOut:
    return AlertOut.model_validate(alerts.acknowledge(session, alert_id=alert_id, actor=actor_of(user)))


@router.get("/segments", dependencies=MANAGER, summary="Segment sizes with their reviews' sentiment")
def segment_sizes(session: SessionDep) -> list[SegmentSizeOut]:
    return [SegmentSizeOut.model_validate(s) for s in segments.segment_sizes(session)]


@router.get("/segments/members", dependencies=MANAGER, summary="Customers in a segment, with why")
def segment_members(
    session: SessionDep,
    segment: Segment = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SegmentMemberOut]:
    found = segments.members(session, segment=segment, limit=limit, offset=offset)
    return [SegmentMemberOut.model_validate(m) for m in found]


@router.get("/segments/members.csv", dependencies=MANAGER, summary="The same list as CSV")
def segment_members_csv(session: SessionDep, segment: Segment = None) -> Response:
    body = export.members_csv(segments.members(session, segment=segment, limit=100_000))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="segments.csv"'},
    )


@router.post("/segments/run", dependencies=MANAGER, summary="Recompute every customer's segments now")
def run_segments(session: SessionDep, settings: SettingsDep) -> SegmentRunOut:
    result = segments.compute_segments(session, settings=settings.segments)
    limits = result.thresholds
    return SegmentRunOut(
        customers=result.customers,
        rows=result.rows,
        recency_days=limits.recency_days,
        frequency=limits.frequency,
        monetary=limits.monetary,
    )


@router.get("/care", dependencies=SUPERVISOR, summary="The proactive care list, with each customer's reasons")
def care_list(session: SessionDep, settings: SettingsDep) -> list[CareItemOut]:
    return [CareItemOut.model_validate(c) for c in care.care_list(session, settings=settings.care)]


@router.post(
    "/care/{customer_id}/follow-up", dependencies=SUPERVISOR, summary="Open an assigned follow-up case"
)
def follow_up(
    customer_id: Id, body: FollowUpIn, session: SessionDep, settings: SettingsDep, user: CurrentStaff
) -> FollowUpOut:
    escalation = care.open_follow_up(
        session,
        customer_id=customer_id,
        assignee_id=body.assignee_id,
        actor=actor_of(user),
        settings=settings.care,
        sla_hours=settings.escalation.sla_hours,
    )
    return FollowUpOut(
        escalation_id=escalation.id, ticket_no=escalation.ticket_no, assignee_id=escalation.assignee_id
    )

"""Insight pages under /console/insights: word-of-mouth alerts and segments (managers) and the proactive
care list (supervisors and up, who assign the follow-ups). Each calls the services the JSON API calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ConsoleLogin, RuntimeDep, actor_of
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.forms import required_int
from api.pages.console.guards import ManagerLogin, SupervisorLogin
from api.pages.console.rendering import page
from crm_store.models import Customer
from huisheng.services import care, case_work
from huisheng.services.segments import export
from huisheng.services.segments import service as segments
from huisheng.services.word_of_mouth import service as alerts
from huisheng.services.word_of_mouth.webhook import KIND_NAMES

router = APIRouter(prefix=f"{PREFIX}/insights")
Segment = Annotated[str | None, Query(max_length=20)]
MEMBERS_SHOWN = 200


def _alerts_page(
    request: Request, runtime: RuntimeDep, login: ConsoleLogin, message: str | None = None
) -> HTMLResponse:
    with runtime.session() as session:
        found = alerts.list_alerts(session)
        return page(
            request,
            "console/insight_alerts.html",
            login,
            alerts=found,
            open_count=sum(1 for a in found if a.status == "open"),
            kind_names=KIND_NAMES,
            settings=runtime.settings.alerts,
            message=message,
            kind="success",
        )


@router.get("/alerts")
def alerts_page(request: Request, runtime: RuntimeDep, login: ManagerLogin) -> HTMLResponse:
    return _alerts_page(request, runtime, login)


@router.post("/alerts/run")
def run_alerts(request: Request, runtime: RuntimeDep, login: ManagerLogin) -> HTMLResponse:
    result = alerts.run_job(runtime.session, settings=runtime.settings.alerts)
    said = messages.said("alerts_run", count=len(result.new_alert_ids))
    if result.notified or result.failed:
        said += messages.said("alerts_run_webhook", sent=result.notified, failed=result.failed)
    return _alerts_page(request, runtime, login, said)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    request: Request, runtime: RuntimeDep, login: ManagerLogin, alert_id: int
) -> HTMLResponse:
    with runtime.session() as session:
        label = alerts.acknowledge(session, alert_id=alert_id, actor=actor_of(login.staff)).label
    return _alerts_page(request, runtime, login, messages.said("alert_acknowledged", label=label))


def _segments_page(
    request: Request,
    runtime: RuntimeDep,
    login: ConsoleLogin,
    segment: str | None,
    message: str | None = None,
) -> HTMLResponse:
    with runtime.session() as session:
        sizes = segments.segment_sizes(session)
        shown = segments.members(session, segment=segment, limit=MEMBERS_SHOWN)
        return page(
            request,
            "console/insight_segments.html",
            login,
            sizes=sizes,
            members=shown,
            segment=segment,
            names=segments.SEGMENT_NAMES,
            limit=MEMBERS_SHOWN,
            message=message,
            kind="success",
        )


@router.get("/segments")
def segments_page(
    request: Request, runtime: RuntimeDep, login: ManagerLogin, segment: Segment = None
) -> HTMLResponse:
    return _segments_page(request, runtime, login, segment or None)


@router.get("/segments/export.csv")
def segments_csv(runtime: RuntimeDep, login: ManagerLogin, segment: Segment = None) -> Response:
    with runtime.session() as session:
        body = export.members_csv(segments.members(session, segment=segment or None, limit=100_000))
    name = "segments.csv" if not segment else "segment.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/segments/run")
def run_segments(request: Request, runtime: RuntimeDep, login: ManagerLogin) -> HTMLResponse:
    with runtime.session() as session:
        result = segments.compute_segments(session, settings=runtime.settings.segments)
    said = messages.said("segments_run", customers=result.customers, rows=result.rows)
    return _segments_page(request, runtime, login, None, said)


def _care_page(
    request: Request, runtime: RuntimeDep, login: ConsoleLogin, message: str | None = None
) -> HTMLResponse:
    with runtime.session() as session:
        items = care.care_list(session, settings=runtime.settings.care)
        staff = case_work.assignable_staff(session)
        return page(
            request,
            "console/insight_care.html",
            login,
            care_items=items,
            staff=staff,
            settings=runtime.settings.care,
            message=message,
            kind="success",
        )


@router.get("/care")
def care_page(request: Request, runtime: RuntimeDep, login: SupervisorLogin) -> HTMLResponse:
    return _care_page(request, runtime, login)


@router.post("/care/{customer_id}/follow-up")
def follow_up(
    request: Request,
    runtime: RuntimeDep,
    login: SupervisorLogin,
    customer_id: int,
    assignee_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    assignee = required_int(assignee_id, what=messages.said("assignee"))
    with runtime.session() as session:
        escalation = care.open_follow_up(
            session,
            customer_id=customer_id,
            assignee_id=assignee,
            actor=actor_of(login.staff),
            settings=runtime.settings.care,
            sla_hours=runtime.settings.escalation.sla_hours,
        )
        customer = session.get(Customer, customer_id)
        name = (customer.name if customer else None) or f"客户 {customer_id}"
        said = messages.said("follow_up_opened", name=name, ticket=escalation.ticket_no)
    return _care_page(request, runtime, login, said)

"""The queue (/console): open cases by priority and SLA, filters, claim, assign and bulk assign, and a rows
partial the page polls so new handoffs appear without a reload."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.deps import ConsoleLogin, RuntimeDep
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.forms import choice, optional_int, required_int, version_of
from api.pages.console.guards import AgentLogin, SupervisorLogin
from api.pages.console.rendering import back_to, fragment, is_htmx, page
from crm_store.enums import Channel, EscalationCategory, EscalationStatus
from huisheng.runtime import Runtime
from huisheng.services import case_queue, case_work
from huisheng.services.case_queue import QueueFilter, QueuePage
from huisheng.services.case_work import BulkItem
from huisheng.services.escalations import OPEN_STATUSES

router = APIRouter(prefix=PREFIX)


@dataclass(frozen=True, slots=True)
class Filters:
    """The queue's filters as the form sends them, kept as text so the form shows back what was chosen."""

    status: str = ""
    channel: str = ""
    category: str = ""
    assignee: str = ""
    tag: str = ""
    mine: bool = False
    page: int = 1

    def query(self, **changes: object) -> str:
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "status": chosen.status,
            "channel": chosen.channel,
            "category": chosen.category,
            "assignee": chosen.assignee,
            "tag": chosen.tag,
            "mine": "1" if chosen.mine else "",
            "page": str(chosen.page) if chosen.page > 1 else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def to_service(self, viewer_id: int) -> QueueFilter:
        status = choice(EscalationStatus, self.status)
        assignee = self.assignee.strip()
        return QueueFilter(
            statuses=frozenset({status}) if status is not None else OPEN_STATUSES,
            channel=choice(Channel, self.channel),
            category=choice(EscalationCategory, self.category),
            assignee_id=optional_int(assignee),
            unassigned=assignee == "none",
            tag=self.tag.strip()[:50] or None,
            mine_of=viewer_id if self.mine else None,
        )

    @property
    def active(self) -> bool:
        return any((self.status, self.channel, self.category, self.assignee, self.tag, self.mine))


def read_filters(
    status: str = "",
    channel: str = "",
    category: str = "",
    assignee: str = "",
    tag: str = "",
    mine: str = "",
    page: str = "1",
) -> Filters:
    return Filters(
        status=status,
        channel=channel,
        category=category,
        assignee=assignee,
        tag=tag,
        mine=mine in ("1", "on", "true"),
        page=optional_int(page) or 1,
    )


# The queue's query string, read the same way by the page and by its poll.
FiltersDep = Annotated[Filters, Depends(read_filters)]


def _load(session: Session, runtime: Runtime, login: ConsoleLogin, filters: Filters) -> QueuePage:
    console = runtime.settings.console
    return case_queue.queue_page(
        session,
        filters=filters.to_service(login.staff.id),
        warning=timedelta(minutes=console.sla_warning_minutes),
        page=filters.page,
        page_size=console.queue_page_size,
    )


@router.get("")
def queue(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    filters: FiltersDep,
) -> HTMLResponse:
    with runtime.session() as session:
        found = _load(session, runtime, login, filters)
        staff = case_work.assignable_staff(session)
        return page(
            request, "console/queue.html", login, queue=found, filters=filters, staff=staff, new_count=0
        )


@router.get("/queue/rows")
def queue_rows(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    filters: FiltersDep,
    seen: str = "",
) -> HTMLResponse:
    """The rows and counts again, for the page's poll; `seen` is the newest case the page has shown."""
    with runtime.session() as session:
        found = _load(session, runtime, login, filters)
        after = optional_int(seen)
        new_count = case_queue.new_since(session, after_id=after) if after is not None else 0
        staff = case_work.assignable_staff(session)
        return fragment(
            request,
            "console/_partials/queue_rows_poll.html",
            login,
            queue=found,
            filters=filters,
            staff=staff,
            new_count=new_count,
            seen=after or 0,
        )


def _filters_of_page(request: Request) -> Filters:
    """The filters of the queue page a change was made on (htmx says which URL it shows)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    given = {k: v[-1] for k, v in parse_qs(current.query).items()}
    return read_filters(
        given.get("status", ""),
        given.get("channel", ""),
        given.get("category", ""),
        given.get("assignee", ""),
        given.get("tag", ""),
        given.get("mine", ""),
        given.get("page", "1"),
    )


def _after_change(request: Request, runtime: Runtime, login: ConsoleLogin, message: str) -> Response:
    """The rows again after a claim or an assignment, with a confirmation in the flash area."""
    if not is_htmx(request):
        return back_to("/console")
    filters = _filters_of_page(request)
    with runtime.session() as session:
        found = _load(session, runtime, login, filters)
        return fragment(
            request,
            "console/_partials/queue_rows_poll.html",
            login,
            queue=found,
            filters=filters,
            staff=case_work.assignable_staff(session),
            new_count=0,
            seen=0,
            message=message,
            kind="success",
        )


@router.post("/queue/{escalation_id}/claim")
def claim(
    request: Request,
    runtime: RuntimeDep,
    login: AgentLogin,
    escalation_id: int,
    version: Annotated[str, Form()] = "",
) -> Response:
    with runtime.session() as session:
        case = case_work.claim(
            session, escalation_id=escalation_id, staff=login.staff, version=version_of(version)
        )
        ticket = case.ticket_no
    return _after_change(request, runtime, login, messages.said("claimed", ticket=ticket))


@router.post("/queue/{escalation_id}/assign")
def assign(
    request: Request,
    runtime: RuntimeDep,
    login: SupervisorLogin,
    escalation_id: int,
    version: Annotated[str, Form()] = "",
    assignee_id: Annotated[str, Form()] = "",
) -> Response:
    with runtime.session() as session:
        case = case_work.assign(
            session,
            escalation_id=escalation_id,
            assignee_id=required_int(assignee_id, what=messages.said("assignee")),
            staff=login.staff,
            version=version_of(version),
        )
        ticket, name = case.ticket_no, case.assignee.display_name if case.assignee else ""
    return _after_change(request, runtime, login, messages.said("assigned", ticket=ticket, name=name))


def parse_items(values: list[str]) -> list[BulkItem]:
    """Each ticked row sends "id:version", so a row changed since the page showed it is reported as stale."""
    items = []
    for value in values:
        case_id, _, version = value.partition(":")
        number = optional_int(case_id)
        if number is not None:
            items.append(BulkItem(number, optional_int(version)))
    return items


@router.post("/queue/assign")
def bulk_assign(
    request: Request,
    runtime: RuntimeDep,
    login: SupervisorLogin,
    ids: Annotated[list[str] | None, Form()] = None,
    assignee_id: Annotated[str, Form()] = "",
) -> Response:
    target = required_int(assignee_id, what=messages.said("assignee"))
    with runtime.session() as session:
        outcomes = case_work.bulk_assign(
            session, items=parse_items(ids or []), assignee_id=target, staff=login.staff
        )
    done = sum(1 for o in outcomes if o.assigned)
    failed = [messages.plain(o.error) for o in outcomes if not o.assigned and o.error]
    message = messages.said("bulk_assigned", done=done)
    if failed:
        message += messages.said("bulk_failed", count=len(failed), why="；".join(dict.fromkeys(failed)))
    return _after_change(request, runtime, login, message)

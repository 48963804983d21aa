"""Administration (admins only): staff accounts (/console/admin/staff) and the audit log (/console/admin/audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import ConsoleLogin, RuntimeDep, actor_of
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.forms import optional_int
from api.pages.console.guards import AdminLogin
from api.pages.console.rendering import CHINA, page
from huisheng.errors import InvalidInputError
from huisheng.services import audit, staff, staff_auth

router = APIRouter(prefix=f"{PREFIX}/admin")
FormText = Annotated[str, Form()]
AUDIT_PAGE_SIZE = 50
ENTITY_TYPES = ("customer", "escalation", "conversation", "staff_user", "canned_reply", "api_token")


def _staff_page(
    request: Request, runtime: RuntimeDep, login: ConsoleLogin, message: str | None = None
) -> HTMLResponse:
    with runtime.session() as session:
        people = staff.list_staff(session)
        return page(
            request, "console/admin_staff.html", login, people=people, message=message, kind="success"
        )


@router.get("/staff")
def staff_list(request: Request, runtime: RuntimeDep, login: AdminLogin) -> HTMLResponse:
    return _staff_page(request, runtime, login)


@router.post("/staff")
def staff_create(
    request: Request,
    runtime: RuntimeDep,
    login: AdminLogin,
    username: FormText = "",
    display_name: FormText = "",
    role: FormText = "agent",
    email: FormText = "",
    password: FormText = "",
) -> HTMLResponse:
    if not password:
        raise InvalidInputError(messages.said("password_missing"), details={"field": "password"})
    with runtime.session() as session:
        user = staff.create_staff(
            session,
            username=username,
            display_name=display_name,
            role=role,
            email=email or None,
            password=password,
            actor=actor_of(login.staff),
        )
        name = user.username
    return _staff_page(request, runtime, login, messages.said("staff_created", name=name))


@router.post("/staff/{staff_id}")
def staff_update(
    request: Request,
    runtime: RuntimeDep,
    login: AdminLogin,
    staff_id: int,
    role: FormText = "",
    active: FormText = "",
    display_name: FormText = "",
) -> HTMLResponse:
    with runtime.session() as session:
        user = staff.update_staff(
            session,
            staff_id=staff_id,
            actor=actor_of(login.staff),
            display_name=display_name or None,
            role=role or None,
            is_active={"yes": True, "no": False}.get(active),
        )
        name = user.username
    return _staff_page(request, runtime, login, messages.said("staff_saved", name=name))


@router.post("/staff/{staff_id}/password")
def staff_password(
    request: Request, runtime: RuntimeDep, login: AdminLogin, staff_id: int, password: FormText = ""
) -> HTMLResponse:
    with runtime.session() as session:
        user = staff.get_staff(session, staff_id=staff_id)
        staff_auth.set_password(session, staff=user, password=password, actor=actor_of(login.staff))
        name = user.username
    return _staff_page(request, runtime, login, messages.said("password_set", name=name))


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    since: str = ""
    until: str = ""
    page: int = 1

    def query(self, page: int) -> str:
        pairs = {
            "actor": self.actor,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "since": self.since,
            "until": self.until,
            "page": str(page) if page > 1 else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def to_service(self) -> audit.AuditFilter:
        since, until = _day(self.since), _day(self.until)
        return audit.AuditFilter(
            actor=self.actor.strip() or None,
            action=self.action.strip() or None,
            entity_type=self.entity_type.strip() or None,
            entity_id=optional_int(self.entity_id),
            since=since,
            # The "until" day is included whole.
            until=until + timedelta(days=1) if until is not None else None,
        )


def _day(value: str) -> datetime | None:
    """A date from the form (YYYY-MM-DD, China time) as the moment that day starts."""
    try:
        return datetime.combine(date.fromisoformat(value.strip()), time(), tzinfo=CHINA) if value else None
    except ValueError:
        return None


@router.get("/audit")
def audit_page(
    request: Request,
    runtime: RuntimeDep,
    login: AdminLogin,
    actor: str = "",
    action: str = "",
    entity_type: str = "",
    entity_id: str = "",
    since: str = "",
    until: str = "",
    page_no: Annotated[str, Query(alias="page")] = "1",
) -> HTMLResponse:
    query = AuditQuery(actor, action, entity_type, entity_id, since, until, optional_int(page_no) or 1)
    with runtime.session() as session:
        entries, total = audit.search(
            session, filters=query.to_service(), page=query.page, page_size=AUDIT_PAGE_SIZE
        )
        return page(
            request,
            "console/admin_audit.html",
            login,
            entries=entries,
            total=total,
            pages=max(1, -(-total // AUDIT_PAGE_SIZE)),
            f=query,
            actions=audit.actions(session),
            entity_types=ENTITY_TYPES,
        )

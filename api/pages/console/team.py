"""The team page (/console/team, managers and up): each staff member's open cases and how many are late."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep
from api.pages.console.failures import PREFIX
from api.pages.console.guards import ManagerLogin
from api.pages.console.rendering import page
from huisheng.services import case_queue

router = APIRouter(prefix=PREFIX)


@router.get("/team")
def team_page(request: Request, runtime: RuntimeDep, login: ManagerLogin) -> HTMLResponse:
    with runtime.session() as session:
        rows = case_queue.workload(session)
        total = sum(count for _, count, _ in rows)
        late = sum(breached for _, _, breached in rows)
        return page(request, "console/team.html", login, rows=rows, total=total, late=late)

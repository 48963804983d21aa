"""Liveness and readiness: is the process up, can it reach a migrated database."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.access import open_to
from api.deps import RuntimeDep
from crm_store import migrate
from crm_store.session import connect_read_only
from huisheng import __version__

router = APIRouter(tags=["health"], dependencies=[Depends(open_to("anyone: load balancers and monitors"))])


@router.get("/health", summary="Is Huisheng up and its database reachable and migrated?")
def health(runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        with connect_read_only(runtime.engine) as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["schema"] = "ok" if migrate.is_up_to_date(runtime.engine) else "needs `huisheng migrate`"
    except SQLAlchemyError as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "degraded", "version": __version__, "checks": checks}
    return JSONResponse(body, status_code=200 if healthy else 503)

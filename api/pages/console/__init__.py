"""The staff console's pages under /console: one module per area, each calling the services the JSON API
calls; templates in templates/console/, styles and behaviour in static/console/."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages.console import (
    account,
    admin,
    auth,
    canned,
    case,
    case_actions,
    customers,
    insight_jobs,
    queue,
    review_import,
    search,
    team,
)

router = APIRouter()
for area in (
    auth,
    queue,
    case,
    case_actions,
    customers,
    search,
    canned,
    team,
    insight_jobs,
    review_import,
    admin,
    account,
):
    router.include_router(area.router, include_in_schema=False)

"""The dashboard filter as query parameters, shared by the JSON routes and the page."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from huisheng.services.insights import DashboardFilter, build_filter


def dashboard_filter(
    since: Annotated[
        date | None, Query(description="First China date (YYYY-MM-DD); 30 days back by default")
    ] = None,
    until: Annotated[date | None, Query(description="Last China date, inclusive; today by default")] = None,
    channel: Annotated[str | None, Query(description="web or wechat: chats, cases and CSAT")] = None,
    category: Annotated[str | None, Query(max_length=50, description="Product category: reviews")] = None,
    aspect: Annotated[str | None, Query(max_length=20, description="Aspect (物流, 质量, …): reviews")] = None,
    granularity: Annotated[str | None, Query(description="day or week")] = None,
) -> DashboardFilter:
    return build_filter(
        since=since,
        until=until,
        channel=channel or None,
        category=category or None,
        aspect=aspect or None,
        granularity=granularity or None,
    )


FilterDep = Annotated[DashboardFilter, Depends(dashboard_filter)]

"""The managers' dashboard (/console/insights, managers and up): the filter bar, every panel's chart and
table, the texts behind a keyword, and each table as CSV or XLSX. Templates in templates/dashboard/."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import RuntimeDep
from api.insights.charts import chart_specs
from api.insights.query import FilterDep
from api.insights.tables import case_category_name, category_name, channel_name, export_table, intent_name
from api.pages.console.failures import PREFIX
from api.pages.console.guards import ManagerLogin
from api.pages.console.rendering import page, templates
from crm_store.enums import AlertStatus
from huisheng.services import insights
from huisheng.services.segments import service as segments
from huisheng.services.word_of_mouth import service as word_of_mouth

router = APIRouter(prefix=f"{PREFIX}/insights")
ECHARTS = "/static/vendor/echarts-5.5.1/echarts.min.js"
DASHBOARD_ALERTS = 5


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def change(points: float | None) -> str:
    if points is None:
        return "—"
    return f"{points:+.1f} 个百分点"


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{seconds / 60:.0f} 分钟"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} 小时"
    return f"{seconds / 86400:.1f} 天"


templates.env.filters.update(pct=pct, change=change, minutes=minutes)
templates.env.globals.update(
    channel_name=channel_name,
    category_name=category_name,
    case_category_name=case_category_name,
    intent_name=intent_name,
    echarts_src=ECHARTS,
)


@router.get("")
def dashboard_page(
    request: Request, runtime: RuntimeDep, login: ManagerLogin, filter: FilterDep
) -> HTMLResponse:
    with runtime.session() as session:
        board = insights.dashboard(session, filter=filter)
        categories = insights.known_categories(session)
        # Word of mouth and segments are not bound to the period: what is spreading now, who the customers are.
        alerts = word_of_mouth.list_alerts(session, status=AlertStatus.OPEN, limit=DASHBOARD_ALERTS)
        segment_sizes = segments.segment_sizes(session)
    return page(
        request,
        "dashboard/insights.html",
        login,
        board=board,
        charts=chart_specs(board),
        f=filter,
        query=urlencode(filter.query_params()),
        categories=categories,
        aspects=insights.aspect_names(),
        alerts=alerts,
        segment_sizes=segment_sizes,
    )


@router.get("/keyword")
def keyword_page(
    request: Request,
    runtime: RuntimeDep,
    login: ManagerLogin,
    filter: FilterDep,
    keyword: Annotated[str, Query(min_length=1, max_length=50)],
) -> HTMLResponse:
    with runtime.session() as session:
        texts = insights.keyword_reviews(session, filter=filter, keyword=keyword)
    params = filter.query_params()
    return page(
        request,
        "dashboard/keyword.html",
        login,
        keyword=keyword,
        texts=texts,
        f=filter,
        query=urlencode(params),
        download_query=urlencode({**params, "keyword": keyword}),
    )


@router.get("/export/{table}.{fmt}")
def export(
    runtime: RuntimeDep,
    login: ManagerLogin,
    filter: FilterDep,
    table: str,
    fmt: Literal["csv", "xlsx"],
    keyword: Annotated[str | None, Query(max_length=50)] = None,
) -> Response:
    with runtime.session() as session:
        return export_table(session, filter=filter, table=table, fmt=fmt, keyword=keyword)

"""The managers' insights as JSON: the whole dashboard, each panel, the texts behind a keyword, and every
table as CSV or XLSX, all under the same filter query parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import SessionDep, require_role
from api.insights.query import FilterDep
from api.insights.tables import export_table
from crm_store.enums import StaffRole
from huisheng.services import insights

router = APIRouter(
    prefix="/insights", tags=["insights"], dependencies=[Depends(require_role(StaffRole.MANAGER))]
)

Keyword = Annotated[str, Query(min_length=1, max_length=50, description="A keyword from the keywords panel")]


@router.get("/dashboard", summary="Every panel of the managers' dashboard under one filter")
def dashboard(session: SessionDep, filter: FilterDep) -> insights.Dashboard:
    return insights.dashboard(session, filter=filter)


@router.get("/sentiment", summary="Positive, neutral and negative reviews and chat messages per day or week")
def sentiment(session: SessionDep, filter: FilterDep) -> list[insights.SentimentBucket]:
    return insights.sentiment_over_time(session, filter=filter)


@router.get(
    "/negative-shares", summary="Negative share by channel, category and aspect vs the previous period"
)
def negative_shares(session: SessionDep, filter: FilterDep) -> dict[str, list[insights.NegativeShare]]:
    return {
        "channel": insights.by_channel(session, filter=filter),
        "category": insights.by_category(session, filter=filter),
        "aspect": insights.by_aspect(session, filter=filter),
    }


@router.get("/keywords", summary="Top keywords of negative reviews with their trend and two examples")
def keywords(session: SessionDep, filter: FilterDep) -> list[insights.NegativeKeyword]:
    return insights.top_negative_keywords(session, filter=filter)


@router.get("/keyword-reviews", summary="The negative reviews of the period that use one keyword")
def keyword_reviews(session: SessionDep, filter: FilterDep, keyword: Keyword) -> list[insights.ReviewText]:
    return insights.keyword_reviews(session, filter=filter, keyword=keyword)


@router.get("/cases", summary="Complaint and handoff volume, first reply, resolution and SLA breaches")
def cases(session: SessionDep, filter: FilterDep) -> list[insights.CaseStats]:
    return insights.case_stats(session, filter=filter)


@router.get("/csat", summary="CSAT average, distribution, response rate and lowest-rated conversations")
def csat(session: SessionDep, filter: FilterDep) -> insights.CsatSummary:
    return insights.csat_summary(session, filter=filter)


@router.get("/containment", summary="Conversations the bot finished alone, fallback rate, top intents")
def containment(session: SessionDep, filter: FilterDep) -> insights.Containment:
    return insights.containment(session, filter=filter)


@router.get("/export/{table}.{fmt}", summary="One dashboard table as CSV (UTF-8 with BOM) or XLSX")
def export(
    session: SessionDep,
    filter: FilterDep,
    table: str,
    fmt: Literal["csv", "xlsx"],
    keyword: Annotated[str | None, Query(max_length=50)] = None,
) -> Response:
    return export_table(session, filter=filter, table=table, fmt=fmt, keyword=keyword)

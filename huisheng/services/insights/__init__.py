"""The managers' dashboard: every panel's figures aggregated in SQL under one DashboardFilter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from huisheng.services.insights.cases import CaseStats, case_stats
from huisheng.services.insights.containment import Containment, containment
from huisheng.services.insights.csat import CsatSummary, csat_summary
from huisheng.services.insights.filters import (
    DashboardFilter,
    Granularity,
    aspect_names,
    build_filter,
)
from huisheng.services.insights.keywords import (
    NegativeKeyword,
    ReviewText,
    keyword_reviews,
    top_negative_keywords,
)
from huisheng.services.insights.negatives import NegativeShare, by_aspect, by_category, by_channel
from huisheng.services.insights.rollup import known_categories
from huisheng.services.insights.sentiment import SentimentBucket, sentiment_over_time


@dataclass(frozen=True, slots=True)
class Dashboard:
    since: str  # the first China date
    until: str  # the last China date (inclusive)
    previous_since: str
    previous_until: str
    granularity: Granularity
    sentiment: list[SentimentBucket]
    negative_by_channel: list[NegativeShare]
    negative_by_category: list[NegativeShare]
    negative_by_aspect: list[NegativeShare]
    keywords: list[NegativeKeyword]
    cases: list[CaseStats]
    csat: CsatSummary
    containment: Containment


def dashboard(session: Session, *, filter: DashboardFilter, now: datetime | None = None) -> Dashboard:
    before = filter.previous()
    return Dashboard(
        since=filter.first_day.isoformat(),
        until=filter.last_day.isoformat(),
        previous_since=before.first_day.isoformat(),
        previous_until=before.last_day.isoformat(),
        granularity=filter.granularity,
        sentiment=sentiment_over_time(session, filter=filter),
        negative_by_channel=by_channel(session, filter=filter),
        negative_by_category=by_category(session, filter=filter),
        negative_by_aspect=by_aspect(session, filter=filter),
        keywords=top_negative_keywords(session, filter=filter),
        cases=case_stats(session, filter=filter, now=now),
        csat=csat_summary(session, filter=filter),
        containment=containment(session, filter=filter),
    )


__all__ = [
    "CaseStats",
    "Containment",
    "CsatSummary",
    "Dashboard",
    "DashboardFilter",
    "Granularity",
    "NegativeKeyword",
    "NegativeShare",
    "ReviewText",
    "SentimentBucket",
    "aspect_names",
    "build_filter",
    "by_aspect",
    "by_category",
    "by_channel",
    "case_stats",
    "containment",
    "csat_summary",
    "dashboard",
    "keyword_reviews",
    "known_categories",
    "sentiment_over_time",
    "top_negative_keywords",
]

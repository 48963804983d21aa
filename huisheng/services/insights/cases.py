"""Complaints and handoffs: cases opened in the period by category — volume, first staff reply, time to
resolution (mean, median and p90 by nearest rank, with window functions both databases have), SLA breaches.

First reply: the first staff message in the case's conversation at or after its handover (the case's
creation when it has no conversation handover). Resolution: resolved (or closed) minus created. Breached: resolved
after its SLA deadline, or still open past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Subquery, case, func, literal_column, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import MessageSender
from crm_store.models import Conversation, Escalation, Message
from huisheng.services.insights.filters import DashboardFilter, seconds_between, share
from huisheng.services.insights.scopes import conversation_channel, in_period

PERCENTILES = (50, 90)


@dataclass(frozen=True, slots=True)
class CaseStats:
    category: str | None  # None: every category together
    volume: int
    resolved: int
    breached: int
    breach_rate: float | None
    responded: int
    first_response_mean_s: float | None
    first_response_median_s: float | None
    first_response_p90_s: float | None
    resolution_mean_s: float | None
    resolution_median_s: float | None
    resolution_p90_s: float | None


def _per_case(session: Session, f: DashboardFilter, now: datetime) -> Subquery:
    handed_over = func.coalesce(Conversation.handed_over_at, Escalation.created_at)
    first_staff = (
        select(func.min(Message.created_at))
        .where(
            Message.conversation_id == Escalation.conversation_id,
            Message.sender == MessageSender.STAFF,
            Message.created_at >= handed_over,
        )
        .correlate(Escalation, Conversation)
        .scalar_subquery()
    )
    done = func.coalesce(Escalation.resolved_at, Escalation.closed_at)
    breached = case(
        (done.is_not(None), case((done > Escalation.sla_due_at, 1), else_=0)),
        else_=case((Escalation.sla_due_at < now, 1), else_=0),
    )
    statement = (
        select(
            Escalation.category.label("category"),
            seconds_between(session, handed_over, first_staff).label("first_response"),
            seconds_between(session, Escalation.created_at, done).label("resolution"),
            breached.label("breached"),
        )
        .outerjoin(Conversation, Conversation.id == Escalation.conversation_id)
        .where(in_period(Escalation.created_at, f.since, f.until), *conversation_channel(f))
    )
    return statement.subquery("per_case")


def _percentiles(
    session: Session, per: Subquery, column: str, *, by_category: bool
) -> dict[str | None, tuple[float | None, ...]]:
    """Nearest-rank percentiles of `column` per category (or over all cases), skipping NULLs."""
    value = per.c[column]
    # PostgreSQL refuses a constant in GROUP BY: the overall figures simply have no grouping.
    group = per.c.category if by_category else None
    ranked = (
        select(
            per.c.category.label("grp"),
            value.label("value"),
            func.row_number().over(partition_by=group, order_by=value).label("rank"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(value.is_not(None))
        .subquery()
    )
    picks: list[ColumnElement[Any]] = [
        func.max(case((ranked.c.rank == (ranked.c.n * p + 99) // 100, ranked.c.value))) for p in PERCENTILES
    ]
    out: dict[str | None, tuple[float | None, ...]] = {}
    if by_category:
        statement = select(ranked.c.grp, *picks).group_by(ranked.c.grp)
    else:
        statement = select(literal_column("NULL").label("grp"), *picks).having(func.count() > 0)
    for grp, *values in session.execute(statement):
        key = None if grp is None else str(grp)
        out[key] = tuple(None if v is None else round(float(v), 1) for v in values)
    return out


def case_stats(session: Session, *, filter: DashboardFilter, now: datetime | None = None) -> list[CaseStats]:
    """One row per category with cases in the period, busiest first, then the row for all of them."""
    per = _per_case(session, filter, now or utcnow())
    rows: list[CaseStats] = []
    for by_category in (True, False):
        statement = select(
            per.c.category.label("grp") if by_category else literal_column("NULL").label("grp"),
            func.count(),
            func.count(per.c.resolution),
            func.coalesce(func.sum(per.c.breached), 0),
            func.count(per.c.first_response),
            func.avg(per.c.first_response),
            func.avg(per.c.resolution),
        )
        statement = statement.group_by(per.c.category) if by_category else statement.having(func.count() > 0)
        first = _percentiles(session, per, "first_response", by_category=by_category)
        resolution = _percentiles(session, per, "resolution", by_category=by_category)
        found = []
        for grp, volume, resolved, breached, responded, fr_mean, res_mean in session.execute(statement):
            key = None if grp is None else str(grp)
            fr = first.get(key, (None, None))
            res = resolution.get(key, (None, None))
            found.append(
                CaseStats(
                    category=key,
                    volume=int(volume),
                    resolved=int(resolved),
                    breached=int(breached),
                    breach_rate=share(int(breached), int(volume)),
                    responded=int(responded),
                    first_response_mean_s=_rounded(fr_mean),
                    first_response_median_s=fr[0],
                    first_response_p90_s=fr[1],
                    resolution_mean_s=_rounded(res_mean),
                    resolution_median_s=res[0],
                    resolution_p90_s=res[1],
                )
            )
        rows.extend(sorted(found, key=lambda r: (-r.volume, r.category or "")))
    return rows


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)

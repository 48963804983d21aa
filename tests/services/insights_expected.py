"""The dashboard's figures computed in plain Python over the fixture's rows: the reference the SQL is
checked against."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

from crm_store.enums import Channel, MessageSender, SentimentLabel
from huisheng.services.insights import DashboardFilter, Granularity
from tests.services.insights_fixture import CaseRow, ConversationRow, MessageRow, ReviewRow, Store

NEG = SentimentLabel.NEGATIVE
LABELS = (SentimentLabel.POSITIVE, SentimentLabel.NEUTRAL, SentimentLabel.NEGATIVE)


def china_day(moment: datetime) -> date:
    return (moment.astimezone(UTC) + timedelta(hours=8)).date()


def bucket_of(moment: datetime, granularity: Granularity) -> str:
    day = china_day(moment)
    if granularity is Granularity.WEEK:
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def inside(moment: datetime | None, since: datetime, until: datetime) -> bool:
    return moment is not None and since <= moment < until


def reviews_in(store: Store, f: DashboardFilter, since: datetime, until: datetime) -> list[ReviewRow]:
    return [
        r
        for r in store.reviews
        if inside(r.created_at, since, until)
        and (f.category is None or r.category == f.category)
        and (f.aspect is None or any(a == f.aspect for a, _ in r.aspects))
    ]


def customer_messages(
    store: Store, f: DashboardFilter, since: datetime, until: datetime
) -> list[tuple[ConversationRow, MessageRow]]:
    return [
        (c, m)
        for c in store.conversations
        if f.channel is None or c.channel == f.channel
        for m in c.messages
        if m.sender is MessageSender.CUSTOMER and inside(m.created_at, since, until)
    ]


def sentiment(store: Store, f: DashboardFilter) -> dict[tuple[str, str], tuple[int, int, int]]:
    counts: dict[tuple[str, str], Counter[SentimentLabel]] = defaultdict(Counter)
    for r in reviews_in(store, f, f.since, f.until):
        if r.label is not None:
            counts[(bucket_of(r.created_at, f.granularity), "reviews")][r.label] += 1
    for _, m in customer_messages(store, f, f.since, f.until):
        if m.label is not None:
            counts[(bucket_of(m.created_at, f.granularity), "messages")][m.label] += 1
    return {key: (c[LABELS[0]], c[LABELS[1]], c[LABELS[2]]) for key, c in counts.items()}


def _pairs(
    now: list[tuple[str | None, SentimentLabel]], before: list[tuple[str | None, SentimentLabel]]
) -> dict[str | None, tuple[int, int, int, int]]:
    out: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for key, label in now:
        out[key][0] += 1
        out[key][1] += label is NEG
    for key, label in before:
        out[key][2] += 1
        out[key][3] += label is NEG
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items()}


def negative_by_channel(store: Store, f: DashboardFilter) -> dict[str | None, tuple[int, int, int, int]]:
    p = f.previous()

    def rows(since: datetime, until: datetime) -> list[tuple[str | None, SentimentLabel]]:
        return [(c.channel.value, m.label) for c, m in customer_messages(store, f, since, until) if m.label]

    return _pairs(rows(f.since, f.until), rows(p.since, p.until))


def negative_by_category(store: Store, f: DashboardFilter) -> dict[str | None, tuple[int, int, int, int]]:
    p = f.previous()

    def rows(since: datetime, until: datetime) -> list[tuple[str | None, SentimentLabel]]:
        return [(r.category, r.label) for r in reviews_in(store, f, since, until) if r.label]

    return _pairs(rows(f.since, f.until), rows(p.since, p.until))


def negative_by_aspect(store: Store, f: DashboardFilter) -> dict[str | None, tuple[int, int, int, int]]:
    p = f.previous()

    def rows(since: datetime, until: datetime) -> list[tuple[str | None, SentimentLabel]]:
        return [
            (a, label)
            for r in reviews_in(store, f, since, until)
            for a, label in r.aspects
            if f.aspect is None or a == f.aspect
        ]

    return _pairs(rows(f.since, f.until), rows(p.since, p.until))


def keyword_counts(store: Store, f: DashboardFilter) -> dict[str, tuple[int, int]]:
    p = f.previous()
    now = Counter(
        k for r in reviews_in(store, f, f.since, f.until) if r.label is NEG for k in set(r.keywords)
    )
    before = Counter(
        k for r in reviews_in(store, f, p.since, p.until) if r.label is NEG for k in set(r.keywords)
    )
    return {k: (n, before[k]) for k, n in now.items()}


def keyword_texts(store: Store, f: DashboardFilter, keyword: str) -> list[int]:
    found = [r for r in reviews_in(store, f, f.since, f.until) if r.label is NEG and keyword in r.keywords]
    return [r.id for r in sorted(found, key=lambda r: (r.created_at, r.id), reverse=True)]


def nearest_rank(values: list[float], p: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * p / 100) - 1]


def first_reply(case: CaseRow) -> float | None:
    conversation = case.conversation
    if conversation is None:
        return None
    start = conversation.handed_over_at or case.created_at
    replies = [
        m.created_at
        for m in conversation.messages
        if m.sender is MessageSender.STAFF and m.created_at >= start
    ]
    return (min(replies) - start).total_seconds() if replies else None


def case_figures(store: Store, f: DashboardFilter, now: datetime) -> dict[str | None, dict[str, object]]:
    chosen = [
        c
        for c in store.cases
        if inside(c.created_at, f.since, f.until)
        and (f.channel is None or (c.conversation is not None and c.conversation.channel == f.channel))
    ]
    groups: dict[str | None, list[CaseRow]] = defaultdict(list)
    for c in chosen:
        groups[c.category.value].append(c)
        groups[None].append(c)
    out: dict[str | None, dict[str, object]] = {}
    for key, cases in groups.items():
        replies = [v for v in map(first_reply, cases) if v is not None]
        resolutions = [(c.resolved_at - c.created_at).total_seconds() for c in cases if c.resolved_at]
        breached = sum(
            (c.resolved_at > c.sla_due_at) if c.resolved_at else (c.sla_due_at < now) for c in cases
        )
        out[key] = {
            "volume": len(cases),
            "resolved": len(resolutions),
            "breached": breached,
            "responded": len(replies),
            "first_response_mean_s": sum(replies) / len(replies) if replies else None,
            "first_response_median_s": nearest_rank(replies, 50),
            "first_response_p90_s": nearest_rank(replies, 90),
            "resolution_mean_s": sum(resolutions) / len(resolutions) if resolutions else None,
            "resolution_median_s": nearest_rank(resolutions, 50),
            "resolution_p90_s": nearest_rank(resolutions, 90),
        }
    return out


def closed_in(store: Store, f: DashboardFilter) -> list[ConversationRow]:
    return [
        c
        for c in store.conversations
        if c.closed and inside(c.ended_at, f.since, f.until) and (f.channel is None or c.channel == f.channel)
    ]


def csat(store: Store, f: DashboardFilter) -> dict[str, object]:
    closed = closed_in(store, f)
    asked = [c for c in closed if c.csat is not None or any(m.rating_question for m in c.messages)]
    rated = [c.csat for c in closed if c.csat is not None]
    return {
        "closed": len(closed),
        "asked": len(asked),
        "rated": len(rated),
        "average": sum(rated) / len(rated) if rated else None,
        "distribution": {s: rated.count(s) for s in range(1, 6)},
        "lowest_scores": sorted(rated)[:10],
    }


def containment(store: Store, f: DashboardFilter, low: float) -> dict[str, object]:
    started = [
        c
        for c in store.conversations
        if inside(c.started_at, f.since, f.until) and (f.channel is None or c.channel == f.channel)
    ]
    closed = [c for c in started if c.closed]
    bot_only = [
        c
        for c in closed
        if c.handed_over_at is None and not any(m.sender is MessageSender.STAFF for m in c.messages)
    ]
    messages = [m for _, m in customer_messages(store, f, f.since, f.until)]
    fallbacks = [
        m for m in messages if m.intent == "nlu_fallback" or (m.confidence is not None and m.confidence < low)
    ]
    intents = Counter(m.intent for m in messages if m.intent)
    return {
        "started": len(started),
        "closed": len(closed),
        "bot_only": len(bot_only),
        "customer_messages": len(messages),
        "fallbacks": len(fallbacks),
        "intents": dict(intents),
    }


CHANNELS = tuple(c.value for c in Channel)

"""The dashboard's figures against an independent computation in plain Python over the same fixture rows,
under several filters; and the filter's refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from huisheng.errors import InvalidInputError
from huisheng.services import insights
from huisheng.services.insights import DashboardFilter, build_filter
from huisheng.services.insights.containment import LOW_CONFIDENCE
from tests.services import insights_expected as expected
from tests.services.insights_fixture import ASPECTS, NOW, TODAY, Store, build_store

FILTERS: dict[str, dict[str, Any]] = {
    "all": {},
    "week": {"granularity": "week"},
    "web": {"channel": "web"},
    "wechat-week": {"channel": "wechat", "granularity": "week"},
    "category": {"category": "零食"},
    "aspect": {"aspect": "物流"},
    "short": {"since": date(2026, 6, 10), "until": date(2026, 6, 16)},
}


@pytest.fixture()
def store(session: Session) -> Store:
    return build_store(session)


@pytest.fixture(params=list(FILTERS), ids=list(FILTERS))
def chosen(request: pytest.FixtureRequest) -> DashboardFilter:
    return build_filter(today=TODAY, **FILTERS[request.param])


def test_sentiment_over_time_counts_each_label_per_china_day_or_week(
    session: Session, store: Store, chosen: DashboardFilter
) -> None:
    found = insights.sentiment_over_time(session, filter=chosen)
    got = {(b.bucket, b.source): (b.positive, b.neutral, b.negative) for b in found}
    assert got == expected.sentiment(store, chosen)
    assert got  # the fixture has rows in every filter's window
    for b in found:
        assert b.total == b.positive + b.neutral + b.negative
        assert b.negative_share == pytest.approx(b.negative / b.total, abs=1e-4)


def _shares(rows: list[insights.NegativeShare]) -> dict[str | None, tuple[int, int, int, int]]:
    return {r.key: (r.total, r.negative, r.previous_total, r.previous_negative) for r in rows}


def test_negative_share_by_channel_against_the_previous_period(
    session: Session, store: Store, chosen: DashboardFilter
) -> None:
    rows = insights.by_channel(session, filter=chosen)
    assert _shares(rows) == expected.negative_by_channel(store, chosen)
    for r in rows:
        if r.total and r.previous_total:
            want = (r.negative / r.total - r.previous_negative / r.previous_total) * 100
            assert r.change == pytest.approx(want, abs=0.02)


def test_negative_share_by_category(session: Session, store: Store, chosen: DashboardFilter) -> None:
    assert _shares(insights.by_category(session, filter=chosen)) == expected.negative_by_category(
        store, chosen
    )


def test_negative_share_by_aspect_lists_every_known_aspect(
    session: Session, store: Store, chosen: DashboardFilter
) -> None:
    rows = insights.by_aspect(session, filter=chosen)
    want = expected.negative_by_aspect(store, chosen)
    assert {k: v for k, v in _shares(rows).items() if any(v)} == want
    names = [r.key for r in rows]
    if chosen.aspect:
        assert names == [chosen.aspect]
    else:
        assert names[:8] == list(insights.aspect_names())
        assert set(ASPECTS) <= set(names)


def test_top_negative_keywords_with_trend_and_two_recent_examples(
    session: Session, store: Store, chosen: DashboardFilter
) -> None:
    found = insights.top_negative_keywords(session, filter=chosen)
    want = expected.keyword_counts(store, chosen)
    assert {k.keyword: (k.count, k.previous_count) for k in found} == want
    assert [k.count for k in found] == sorted((k.count for k in found), reverse=True)
    for k in found:
        assert k.change == k.count - k.previous_count
        assert [e.review_id for e in k.examples] == expected.keyword_texts(store, chosen, k.keyword)[:2]


def test_the_texts_behind_one_keyword(session: Session, store: Store, chosen: DashboardFilter) -> None:
    for keyword in ("太慢", "漏气"):
        got = [r.review_id for r in insights.keyword_reviews(session, filter=chosen, keyword=keyword)]
        assert got == expected.keyword_texts(store, chosen, keyword)


def test_case_volume_first_reply_resolution_and_sla_breaches_by_category(
    session: Session, store: Store, chosen: DashboardFilter
) -> None:
    rows = insights.case_stats(session, filter=chosen, now=NOW)
    want = expected.case_figures(store, chosen, NOW)
    assert {r.category for r in rows} == set(want)
    assert rows[-1].category is None  # the total comes last
    for r in rows:
        w = want[r.category]
        assert (r.volume, r.resolved, r.breached, r.responded) == (
            w["volume"],
            w["resolved"],
            w["breached"],
            w["responded"],
        ), r.category
        assert r.breach_rate == pytest.approx(r.breached / r.volume, abs=1e-4)
        for name in (
            "first_response_mean_s",
            "first_response_median_s",
            "first_response_p90_s",
            "resolution_mean_s",
            "resolution_median_s",
            "resolution_p90_s",
        ):
            value, reference = getattr(r, name), w[name]
            if reference is None:
                assert value is None, (r.category, name)
            else:
                assert value == pytest.approx(reference, abs=0.1), (r.category, name)


def test_csat_average_distribution_response_rate_and_lowest(
    session: Session, store: Store, chosen: DashboardFilter
) -> None:
    got = insights.csat_summary(session, filter=chosen)
    want = expected.csat(store, chosen)
    assert (got.closed, got.asked, got.rated) == (want["closed"], want["asked"], want["rated"])
    assert got.distribution == want["distribution"]
    assert want["rated"], "the fixture rates some conversations in every window"
    assert got.average == pytest.approx(want["average"], abs=0.006)
    assert got.response_rate == pytest.approx(got.rated / got.asked, abs=1e-4)
    assert [c.score for c in got.lowest] == want["lowest_scores"]


def test_bot_containment_fallback_rate_and_top_intents(
    session: Session, store: Store, chosen: DashboardFilter
) -> None:
    got = insights.containment(session, filter=chosen)
    want = expected.containment(store, chosen, LOW_CONFIDENCE)
    assert (got.started, got.closed, got.bot_only) == (want["started"], want["closed"], want["bot_only"])
    assert (got.customer_messages, got.fallbacks) == (want["customer_messages"], want["fallbacks"])
    intents = want["intents"]
    assert isinstance(intents, dict)
    assert {i.intent: i.count for i in got.top_intents} == dict(sorted(intents.items())[:10]) | {
        i.intent: intents[i.intent] for i in got.top_intents
    }
    assert len(got.top_intents) == min(10, len(intents))
    assert got.containment_rate == pytest.approx(got.bot_only / got.closed, abs=1e-4)


def test_the_whole_dashboard_carries_every_panel(session: Session, store: Store) -> None:
    board = insights.dashboard(session, filter=build_filter(today=TODAY), now=NOW)
    assert (board.since, board.until) == ("2026-06-01", "2026-06-30")
    assert (board.previous_since, board.previous_until) == ("2026-05-02", "2026-05-31")
    assert board.sentiment and board.keywords and board.cases and board.csat.rated


def test_a_filter_covers_whole_china_days() -> None:
    f = build_filter(since=date(2026, 6, 1), until=date(2026, 6, 30))
    assert f.since == datetime(2026, 5, 31, 16, tzinfo=UTC)
    assert f.until == datetime(2026, 6, 30, 16, tzinfo=UTC)
    assert f.previous().since == datetime(2026, 5, 1, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"since": date(2026, 6, 2), "until": date(2026, 6, 1)}, "bad_range"),
        ({"since": date(2025, 1, 1), "until": date(2026, 1, 2)}, "range_too_long"),
        ({"channel": "telegram"}, "unknown_channel"),
        ({"aspect": "颜值"}, "unknown_aspect"),
        ({"granularity": "month"}, "bad_granularity"),
    ],
)
def test_a_filter_refuses_what_makes_no_sense(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        build_filter(today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert refused.value.code == code

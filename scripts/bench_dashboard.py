"""How long the managers' dashboard takes on a big store: each panel's query, p50/p95, on PostgreSQL.

Creates (once) a PostgreSQL database holding --reviews reviews with their aspects and keywords and --messages
chat messages over --days days, written with COPY (the analysis is drawn at random, not run: the benchmark
measures the queries, not the model), then times every panel of `/console/insights` --runs times under a
few filters, and the whole page over HTTP as a signed-in manager.

    .venv/bin/python scripts/bench_dashboard.py --reviews 1000000 --messages 200000

A second run finds the database filled and only measures; --refill starts again.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench_dashboard_store import ASPECTS, Sizes, ensure_database, fill
from bench_server import serving
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from huisheng.services import insights
from huisheng.services.insights import rollup
from huisheng.services.segments import service as segments
from huisheng.services.segments.service import segment_sizes
from huisheng.services.word_of_mouth.service import list_alerts


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {
            table: int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            for table in ("reviews", "review_aspects", "messages", "conversations", "escalations")
        }
    engine.dispose()
    return found


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def scenarios(today: date) -> dict[str, insights.DashboardFilter]:
    return {
        "last 30 days (default)": insights.build_filter(today=today),
        "30 days, category 服装": insights.build_filter(today=today, category="服装"),
        "30 days, aspect 物流": insights.build_filter(today=today, aspect="物流", aspects=tuple(ASPECTS)),
        "30 days, channel wechat": insights.build_filter(today=today, channel="wechat"),
        "90 days by week": insights.build_filter(
            today=today, since=today - timedelta(days=89), granularity="week"
        ),
        "365 days by week": insights.build_filter(
            today=today, since=today - timedelta(days=364), granularity="week"
        ),
    }


def measure(url: str, *, runs: int, today: date) -> list[dict[str, Any]]:
    engine = create_engine(url, pool_pre_ping=True)
    panels: dict[str, Callable[[Session, insights.DashboardFilter], object]] = {
        "sentiment over time": lambda s, f: insights.sentiment_over_time(s, filter=f),
        "negative by channel": lambda s, f: insights.by_channel(s, filter=f),
        "negative by category": lambda s, f: insights.by_category(s, filter=f),
        "negative by aspect": lambda s, f: insights.by_aspect(s, filter=f),
        "negative keywords": lambda s, f: insights.top_negative_keywords(s, filter=f),
        "cases": lambda s, f: insights.case_stats(s, filter=f),
        "CSAT": lambda s, f: insights.csat_summary(s, filter=f),
        "containment": lambda s, f: insights.containment(s, filter=f),
        "categories list": lambda s, f: insights.known_categories(s),
        "open alerts": lambda s, f: list_alerts(s, limit=10),
        "segment sizes": lambda s, f: segment_sizes(s),
    }
    results: list[dict[str, Any]] = []
    for name, filter in scenarios(today).items():
        with Session(engine) as session:
            totals: list[float] = []
            per_panel: dict[str, list[float]] = {panel: [] for panel in panels}
            for _ in range(runs):
                started = time.perf_counter()
                for panel, run in panels.items():
                    t0 = time.perf_counter()
                    run(session, filter)
                    per_panel[panel].append(time.perf_counter() - t0)
                totals.append(time.perf_counter() - started)
            row: dict[str, Any] = {"scenario": name, "runs": runs}
            for panel, values in [*per_panel.items(), ("whole page (all panels)", totals)]:
                row[panel] = (percentile(values, 50) * 1000, percentile(values, 95) * 1000)
            results.append(row)
            print(
                f"{name}: whole page p50 {row['whole page (all panels)'][0]:.0f} ms, "
                f"p95 {row['whole page (all panels)'][1]:.0f} ms",
                flush=True,
            )
    engine.dispose()
    return results


def measure_page(url: str, *, runs: int, today: date) -> dict[str, Any]:
    """GET /console/insights over HTTP as a signed-in manager: query, template and charts' data together."""
    import httpx

    from api.deps import SESSION_COOKIE
    from huisheng.errors import NotFoundError
    from huisheng.runtime import Runtime
    from huisheng.services import staff, staff_auth
    from huisheng.settings import load_settings

    runtime = Runtime(load_settings(database={"url": url}))
    with runtime.session() as session:
        try:
            manager = staff.get_staff_by_username(session, username="bench-manager")
        except NotFoundError:
            manager = staff.create_staff(
                session, username="bench-manager", display_name="经理", role=StaffRole.MANAGER
            )
        cookie = staff_auth.start_session(session, staff=manager, max_age=timedelta(hours=2)).cookie
    year = f"?since={today - timedelta(days=364)}&until={today}&granularity=week"
    found: dict[str, Any] = {"scenario": "HTTP GET /console/insights", "runs": runs}
    try:
        with (
            serving(runtime) as base,
            httpx.Client(base_url=base, cookies={SESSION_COOKIE: cookie}, timeout=60) as web,
        ):
            for label, query in (("last 30 days (default)", ""), ("365 days by week", year)):
                web.get("/console/insights" + query).raise_for_status()
                times = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    web.get("/console/insights" + query).raise_for_status()
                    times.append(time.perf_counter() - t0)
                found[label] = (percentile(times, 50) * 1000, percentile(times, 95) * 1000)
                print(
                    f"page, {label}: p50 {found[label][0]:.0f} ms, p95 {found[label][1]:.0f} ms", flush=True
                )
    finally:
        runtime.close()
    return found


def markdown(results: list[dict[str, Any]], found: dict[str, int]) -> str:
    panels = [key for key in results[0] if key not in ("scenario", "runs")]
    lines = [
        f"Store: {found['reviews']:,} reviews ({found['review_aspects']:,} aspect rows), "
        f"{found['messages']:,} messages, {found['conversations']:,} conversations, "
        f"{found['escalations']:,} cases; {results[0]['runs']} runs per filter, p50 / p95 in ms.",
        "",
        "| panel | " + " | ".join(r["scenario"] for r in results) + " |",
        "| --- |" + " ---: |" * len(results),
    ]
    for panel in panels:
        cells = [f"{r[panel][0]:.0f} / {r[panel][1]:.0f}" for r in results]
        lines.append(f"| {panel} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", default="huisheng_bench_dashboard")
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument(
        "--days", type=int, default=400, help="history length (the 365-day filter needs more)"
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--refill", action="store_true", help="drop and fill the database again")
    parser.add_argument("--markdown", action="store_true", help="print the table for the README")
    options = parser.parse_args(argv)
    now = datetime.now(UTC).replace(microsecond=0)
    url = ensure_database(options.server, options.database, refill=options.refill)
    found = counts(url)
    if found["reviews"] < options.reviews:
        if found["reviews"]:
            raise SystemExit(
                f"{options.database} is partly filled ({found['reviews']} reviews): use --refill"
            )
        sizes = Sizes(options.reviews, options.messages, options.days, options.customers)
        started = time.perf_counter()
        fill(url, sizes, now=now, seed=options.seed)
        print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)
        found = counts(url)
    print(json.dumps(found))
    with Session(create_engine(url)) as session, session.begin():
        started = time.perf_counter()
        report = rollup.refresh(session, full=True)
        print(f"full rollup recount: {report.days} days in {time.perf_counter() - started:.1f} s", flush=True)
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        # What autovacuum does soon after a recount in production; without it the planner guesses row counts.
        connection.execute(text("ANALYZE review_daily, review_aspect_daily, review_keyword_daily"))
    with Session(create_engine(url)) as session, session.begin():
        started = time.perf_counter()
        segments.summarise(session, now=now)
        print(f"segment summaries counted in {time.perf_counter() - started:.1f} s", flush=True)
    results = measure(url, runs=options.runs, today=now.astimezone(insights.filters.CHINA).date())
    page = measure_page(url, runs=options.runs, today=now.astimezone(insights.filters.CHINA).date())
    if options.markdown:
        print(markdown(results, found))
        print()
        print("| page over HTTP | p50 / p95 ms |")
        print("| --- | ---: |")
        for label in ("last 30 days (default)", "365 days by week"):
            print(f"| /console/insights, {label} | {page[label][0]:.0f} / {page[label][1]:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

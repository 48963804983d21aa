"""How long the staff queue takes with many open escalations: the console page and the JSON API, over HTTP.

Fills a fresh store (SQLite file by default, or --database-url for PostgreSQL) with --open open cases spread
over priorities, channels, categories, assignees and tags, starts the API with uvicorn, and loads the queue
--loads times as a signed-in agent (first page of 50, the default sort) and as a token client.

    .venv/bin/python scripts/bench_queue.py --open 10000 --loads 50
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from bench_server import serving
from sqlalchemy import insert, select

from api.deps import SESSION_COOKIE
from crm_store import migrate
from crm_store.base import utcnow
from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    EscalationStatus,
    Priority,
    SentimentLabel,
    StaffRole,
)
from crm_store.models import Conversation, Customer, Escalation, Tag, escalation_tags
from huisheng.runtime import Runtime
from huisheng.services import staff, staff_auth
from huisheng.settings import load_settings

PRIORITIES = list(Priority)
CATEGORIES = list(EscalationCategory)
OPEN = [EscalationStatus.NEW, EscalationStatus.ASSIGNED, EscalationStatus.IN_PROGRESS]


def fill(runtime: Runtime, *, open_cases: int, seed: int) -> tuple[str, str]:
    """Stores the cases in bulk; returns a console session cookie and an API token for one agent."""
    rng = random.Random(seed)
    now = utcnow()
    with runtime.session() as session:
        agents = [
            staff.create_staff(session, username=f"agent{i}", display_name=f"客服{i}", role=StaffRole.AGENT)
            for i in range(8)
        ]
        customers = [
            {"name": f"客户{i}", "phone": f"138{i:08d}", "tier": "regular"} for i in range(open_cases // 2)
        ]
        session.execute(insert(Customer), customers)
        customer_ids = list(session.scalars(select(Customer.id)))
        conversations = [
            {
                "customer_id": cid,
                "channel": rng.choice([Channel.WEB, Channel.WECHAT]).value,
                "status": ConversationStatus.WAITING_FOR_STAFF.value,
                "started_at": now,
                "last_message_at": now,
            }
            for cid in customer_ids
        ]
        session.execute(insert(Conversation), conversations)
        conversation_of = dict(session.execute(select(Conversation.customer_id, Conversation.id)).all())
        rows = []
        for i in range(open_cases):
            cid = rng.choice(customer_ids)
            status = rng.choice(OPEN)
            created = now - timedelta(minutes=rng.uniform(1, 4000))
            rows.append(
                {
                    "ticket_no": f"HSBENCH{i:07d}",
                    "customer_id": cid,
                    "conversation_id": conversation_of[cid] if rng.random() < 0.8 else None,
                    "category": rng.choice(CATEGORIES).value,
                    "description": "客户反映收到的商品有破损，要求退款或者补发，情绪比较激动。",
                    "sentiment_label": rng.choice(list(SentimentLabel)).value,
                    "sentiment_score": rng.random(),
                    "priority": rng.choice(PRIORITIES).value,
                    "status": status.value,
                    "assignee_id": None if status is EscalationStatus.NEW else rng.choice(agents).id,
                    "sla_due_at": created + timedelta(hours=rng.choice([2, 8, 24, 72])),
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
        session.execute(insert(Escalation), rows)
        tag_ids = []
        for name in ("VIP", "易投诉", "批发客户"):
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
            tag_ids.append(tag.id)
        case_ids = list(session.scalars(select(Escalation.id)))
        links = [
            {"escalation_id": e, "tag_id": rng.choice(tag_ids)}
            for e in rng.sample(case_ids, len(case_ids) // 10)
        ]
        session.execute(insert(escalation_tags), links)
        cookie = staff_auth.start_session(session, staff=agents[0], max_age=timedelta(hours=2)).cookie
        token = staff.issue_api_token(session, staff_id=agents[0].id)
    return cookie, token


def timed_loads(client: httpx.Client, path: str, loads: int) -> list[float]:
    client.get(path).raise_for_status()  # warm-up: templates compiled, caches filled
    times = []
    for _ in range(loads):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"{label:<32} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--open", type=int, default=10_000, help="open escalations to store")
    parser.add_argument("--loads", type=int, default=50, help="page loads to time")
    parser.add_argument("--database-url", default="", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    migrate.upgrade(url)
    settings = load_settings(database={"url": url}, app={"data_dir": str(workdir)})
    runtime = Runtime(settings)
    started = time.perf_counter()
    cookie, token = fill(runtime, open_cases=args.open, seed=args.seed)
    print(
        f"stored {args.open} open escalations in {time.perf_counter() - started:.1f} s ({runtime.engine.url.get_backend_name()})"
    )
    try:
        with serving(runtime) as base:
            with httpx.Client(base_url=base, cookies={SESSION_COOKIE: cookie}, timeout=30) as console:
                report("console queue page /console", timed_loads(console, "/console", args.loads))
                report("  filtered: 我的 (mine)", timed_loads(console, "/console?mine=1", args.loads))
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as api:
                report("JSON /api/escalations", timed_loads(api, "/api/escalations", args.loads))
    finally:
        runtime.close()


if __name__ == "__main__":
    main()

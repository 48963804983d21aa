"""The big store scripts/bench_dashboard.py measures: reviews with aspects and keywords, conversations with
messages, CSAT and cases, spread over many days and written to PostgreSQL with COPY.

The analysis is drawn at random (labels, keywords with a long tail, aspects), not run: the benchmark
measures the dashboard's queries, not the model.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import create_engine, make_url, text

from crm_store import migrate
from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    EscalationStatus,
    MessageDirection,
    MessageSender,
    Priority,
    SentimentLabel,
    StaffRole,
)
from huisheng.services.segments import rfm
from huisheng.services.segments.service import SEGMENT_NAMES
from huisheng.services.transcript import RATING_PAYLOAD

CATEGORIES = ["服装", "鞋靴", "美妆", "食品", "家电", "数码", "母婴", "家居"]
ASPECTS = ["物流", "质量", "价格", "服务", "包装", "口味", "外观", "功能"]
NEGATIVE_WORDS = (  # noqa: SIM905 (one readable line of words, not a column)
    "太慢 破损 掉色 起球 异味 发霉 漏液 卡顿 死机 发热 不值 太贵 降价 客服 态度 敷衍 退货 退款 假货 "
    "做工 线头 开胶 尺码 偏小 偏大 色差 划痕 过期 变质 漏发 错发 少件 快递 物流 包装 压坏 噪音 耗电 "
    "失望 差评 垃圾 糟糕 后悔 难用 难吃 难闻 不好 不行 坑人 骗人 气人 投诉 拖延 售后 维修 返厂 质量 "
    "问题"
).split()
POSITIVE_WORDS = (  # noqa: SIM905 (one readable line of words, not a column)
    "满意 喜欢 好用 好看 好吃 舒服 划算 实惠 正品 很快 及时 耐心 热情 推荐 回购 精致 结实 柔软 清香 "
    "新鲜 漂亮 合身 流畅 清晰 省电 安静 方便 贴心 超值 给力 完美 不错 惊喜 质感 做工 物流 包装 客服"
).split()
INTENTS = [
    "order_status",
    "shipping",
    "return_policy",
    "refund_status",
    "invoice",
    "product_info",
    "complaint",
    "human_handoff",
    "greet",
    "thanks",
    "nlu_fallback",
]
# Real keyword lists have a long tail: two-character words drawn with Zipf-like weights beside the common ones.
TAIL_CHARS = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后"
)
TAIL_WORDS = [a + b for a in TAIL_CHARS for b in TAIL_CHARS]
TAIL_WEIGHTS = [1 / (rank + 10) for rank in range(len(TAIL_WORDS))]
LABELS = [SentimentLabel.POSITIVE.value, SentimentLabel.NEUTRAL.value, SentimentLabel.NEGATIVE.value]


@dataclass(frozen=True, slots=True)
class Sizes:
    reviews: int
    messages: int
    days: int
    customers: int


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def ensure_database(server: str, name: str, *, refill: bool) -> str:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and refill:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = database_url(server, name)
    migrate.upgrade(url)
    return url


def libpq(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def copy(cursor: psycopg.Cursor[Any], table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as writer:
        for row in rows:
            writer.write_row(row)
            count += 1
    return count


def fill(url: str, sizes: Sizes, *, now: datetime, seed: int) -> None:
    """Everything the dashboard reads, spread over the last `days` days, with a weekly rhythm and noise."""
    rng = random.Random(seed)
    start = now - timedelta(days=sizes.days)
    span = (now - start).total_seconds()

    def moment() -> datetime:
        return start + timedelta(seconds=rng.random() * span)

    with psycopg.connect(libpq(url)) as connection, connection.cursor() as cursor:
        copy(
            cursor,
            "staff_users",
            ["username", "display_name", "role", "is_active", "created_at"],
            ((f"bench{i}", f"客服{i}", StaffRole.AGENT.value, True, now) for i in range(20)),
        )
        staff_ids = [row[0] for row in cursor.execute("SELECT id FROM staff_users ORDER BY id")]
        copy(
            cursor,
            "products",
            ["sku", "name", "category", "price", "stock", "created_at", "updated_at"],
            (
                (f"B{i:05d}", f"商品{i}", CATEGORIES[i % len(CATEGORIES)], 10 + i % 500, 100, now, now)
                for i in range(400)
            ),
        )
        products = list(cursor.execute("SELECT id, category FROM products ORDER BY id"))
        copy(
            cursor,
            "customers",
            ["name", "phone", "tier", "created_at", "updated_at"],
            ((f"客户{i}", f"139{i:08d}", "regular", start, now) for i in range(sizes.customers)),
        )
        low, high = cursor.execute("SELECT min(id), max(id) FROM customers").fetchone() or (1, 1)

        def review_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(sizes.reviews):
                product_id, category = rng.choice(products)
                label = rng.choices(LABELS, weights=(55, 15, 30))[0]
                words = NEGATIVE_WORDS if label == "negative" else POSITIVE_WORDS
                keywords = rng.sample(words, rng.randint(1, 4))
                keywords = list(dict.fromkeys(keywords + rng.choices(TAIL_WORDS, TAIL_WEIGHTS, k=2)))
                score = {"positive": 0.8, "neutral": 0.5, "negative": 0.15}[label] + rng.uniform(-0.1, 0.1)
                created = moment()
                yield (
                    "bench",
                    f"r{i}",
                    rng.randint(low, high),
                    product_id,
                    category,
                    "，".join(keywords),
                    rng.randint(1, 2) if label == "negative" else rng.randint(3, 5),
                    json.dumps(keywords, ensure_ascii=False),
                    label,
                    round(score, 4),
                    "bench",
                    created,
                    created,
                )

        copy(
            cursor,
            "reviews",
            [
                "source",
                "external_id",
                "customer_id",
                "product_id",
                "category",
                "text",
                "rating",
                "keywords",
                "sentiment_label",
                "sentiment_score",
                "model_version",
                "analyzed_at",
                "created_at",
            ],
            review_rows(),
        )

        connection.commit()  # the aspect rows are drawn from the stored reviews, read on a second connection
        with psycopg.connect(libpq(url)) as reader_connection, reader_connection.cursor(name="ids") as reader:
            reader.execute("SELECT id, sentiment_label FROM reviews ORDER BY id")

            def aspects_from_reader() -> Iterator[tuple[Any, ...]]:
                for review_id, label in reader:
                    for aspect in rng.sample(ASPECTS, rng.choice((0, 1, 1, 2, 3))):
                        own = label if rng.random() < 0.8 else rng.choice(LABELS)
                        yield (review_id, aspect, own, 0.5, f"{aspect}一般")

            copy(
                cursor,
                "review_aspects",
                ["review_id", "aspect", "label", "score", "clause"],
                aspects_from_reader(),
            )
        connection.commit()
        fill_chats(cursor, sizes, rng=rng, moment=moment, customers=(low, high), staff_ids=staff_ids)
        segment_rows = (
            (cid, "rfm" if name in rfm.TIER_ORDER else "behaviour", name, "基准测试", now)
            for cid in range(low, high + 1)
            for name in rng.sample(SEGMENT_NAMES, 2)
        )
        copy(
            cursor,
            "customer_segments",
            ["customer_id", "kind", "name", "reason", "computed_at"],
            segment_rows,
        )
        connection.commit()
        cursor.execute("ANALYZE")


def fill_chats(
    cursor: psycopg.Cursor[Any],
    sizes: Sizes,
    *,
    rng: random.Random,
    moment: Callable[[], datetime],
    customers: tuple[int, int],
    staff_ids: list[int],
) -> None:
    """Conversations of five messages on average (customer, bot, sometimes staff), CSAT and cases."""
    conversations = sizes.messages // 4  # four or six messages each; the messages stop at the size asked
    low, high = customers
    convo_rows: list[tuple[Any, ...]] = []
    starts: list[datetime] = []
    for _ in range(conversations):
        started = moment()
        handed = started + timedelta(minutes=2) if rng.random() < 0.2 else None
        ended = started + timedelta(minutes=rng.uniform(3, 60))
        rated = rng.random() < 0.3
        starts.append(started)
        convo_rows.append(
            (
                rng.randint(low, high),
                rng.choice((Channel.WEB.value, Channel.WECHAT.value)),
                ConversationStatus.CLOSED.value,
                started,
                ended,
                handed,
                ended,
                rng.randint(1, 5) if rated else None,
                ended if rated else None,
            )
        )
    copy(
        cursor,
        "conversations",
        [
            "customer_id",
            "channel",
            "status",
            "started_at",
            "last_message_at",
            "handed_over_at",
            "ended_at",
            "csat_score",
            "csat_at",
        ],
        iter(convo_rows),
    )
    ids = [row[0] for row in cursor.execute("SELECT id FROM conversations ORDER BY id")]
    handed_over = {cid: row[5] for cid, row in zip(ids, convo_rows, strict=True)}
    rating_buttons = json.dumps([{"title": "满意", "payload": f'{RATING_PAYLOAD}{{"score":5}}'}])

    def message_rows() -> Iterator[tuple[Any, ...]]:
        written = 0
        for cid, started in zip(ids, starts, strict=True):
            turns = 2 if handed_over[cid] is None else 3
            at = started
            for turn in range(turns):
                if written >= sizes.messages:
                    return
                at += timedelta(seconds=rng.uniform(5, 90))
                label = rng.choices(LABELS, weights=(30, 50, 20))[0]
                yield (
                    cid,
                    MessageDirection.INBOUND.value,
                    MessageSender.CUSTOMER.value,
                    None,
                    "text",
                    "我的订单到哪了",
                    rng.choice(INTENTS),
                    round(rng.uniform(0.3, 1.0), 3),
                    label,
                    0.5,
                    None,
                    at,
                )
                sender = MessageSender.STAFF if handed_over[cid] and turn else MessageSender.BOT
                last = turn == turns - 1
                yield (
                    cid,
                    MessageDirection.OUTBOUND.value,
                    sender.value,
                    rng.choice(staff_ids) if sender is MessageSender.STAFF else None,
                    "text",
                    "您好，已为您查询",
                    None,
                    None,
                    None,
                    None,
                    rating_buttons if last and rng.random() < 0.5 else None,
                    at + timedelta(seconds=2),
                )
                written += 2

    copy(
        cursor,
        "messages",
        [
            "conversation_id",
            "direction",
            "sender",
            "staff_id",
            "kind",
            "text",
            "intent",
            "intent_confidence",
            "sentiment_label",
            "sentiment_score",
            "buttons",
            "created_at",
        ],
        message_rows(),
    )
    categories = [c.value for c in EscalationCategory]

    def case_rows() -> Iterator[tuple[Any, ...]]:
        for n, (cid, row) in enumerate(zip(ids, convo_rows, strict=True)):
            if row[5] is None:
                continue
            created = row[5]
            resolved = created + timedelta(hours=rng.uniform(0.2, 48)) if rng.random() < 0.85 else None
            yield (
                f"BENCH{n:08d}",
                row[0],
                cid,
                rng.choice(categories),
                "客户要求人工",
                rng.choice([p.value for p in Priority]),
                EscalationStatus.RESOLVED.value if resolved else EscalationStatus.IN_PROGRESS.value,
                created + timedelta(hours=24),
                resolved,
                created,
                resolved or created,
            )

    copy(
        cursor,
        "escalations",
        [
            "ticket_no",
            "customer_id",
            "conversation_id",
            "category",
            "description",
            "priority",
            "status",
            "sla_due_at",
            "resolved_at",
            "created_at",
            "updated_at",
        ],
        case_rows(),
    )

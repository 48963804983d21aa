"""The dashboard's charts as small specs (kind, categories, series) that static/dashboard/dashboard.js turns
into ECharts options; the page embeds them as JSON, so tests can read what each chart shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.insights.tables import case_category_name, category_name, channel_name, intent_name
from huisheng.services.insights import Dashboard, NegativeShare

Spec = dict[str, Any]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _sentiment(board: Dashboard, source: str) -> Spec:
    buckets = [b for b in board.sentiment if b.source == source]
    return {
        "kind": "bar",
        "stack": True,
        "percent": True,
        "categories": [b.bucket for b in buckets],
        "series": [
            {"name": "正面", "color": "#2f9e44", "data": [_pct(b.positive_share) for b in buckets]},
            {"name": "中性", "color": "#adb5bd", "data": [_pct(b.neutral_share) for b in buckets]},
            {"name": "负面", "color": "#e03131", "data": [_pct(b.negative_share) for b in buckets]},
        ],
    }


def _shares(rows: Sequence[NegativeShare], name: Any) -> Spec:
    return {
        "kind": "bar",
        "percent": True,
        "categories": [name(r.key) for r in rows],
        "series": [
            {"name": "本期负面占比", "color": "#e03131", "data": [_pct(r.share) for r in rows]},
            {"name": "上期负面占比", "color": "#ffa8a8", "data": [_pct(r.previous_share) for r in rows]},
        ],
    }


def chart_specs(board: Dashboard) -> dict[str, Spec]:
    keywords = list(reversed(board.keywords[:10]))  # biggest on top of a horizontal bar chart
    per_category = [c for c in board.cases if c.category is not None]
    csat, bot = board.csat, board.containment
    return {
        "sentiment-reviews": _sentiment(board, "reviews"),
        "sentiment-messages": _sentiment(board, "messages"),
        "negative-channel": _shares(board.negative_by_channel, channel_name),
        "negative-category": _shares(board.negative_by_category, category_name),
        "negative-aspect": _shares(board.negative_by_aspect, category_name),
        "keywords": {
            "kind": "bar",
            "horizontal": True,
            "categories": [k.keyword for k in keywords],
            "series": [
                {"name": "本期", "color": "#e03131", "data": [k.count for k in keywords]},
                {"name": "上期", "color": "#ffa8a8", "data": [k.previous_count for k in keywords]},
            ],
        },
        "cases": {
            "kind": "bar",
            "categories": [case_category_name(c.category) for c in per_category],
            "series": [
                {"name": "工单数", "color": "#1c7ed6", "data": [c.volume for c in per_category]},
                {"name": "超时数", "color": "#e03131", "data": [c.breached for c in per_category]},
            ],
        },
        "csat": {
            "kind": "bar",
            "categories": [f"{score}分" for score in csat.distribution],
            "series": [{"name": "会话数", "color": "#f08c00", "data": list(csat.distribution.values())}],
        },
        "containment": {
            "kind": "pie",
            "categories": ["机器人独立完成", "有人工参与"],
            "series": [{"name": "已结束会话", "data": [bot.bot_only, bot.closed - bot.bot_only]}],
        },
        "intents": {
            "kind": "bar",
            "horizontal": True,
            "categories": [intent_name(i.intent) for i in reversed(bot.top_intents)],
            "series": [
                {
                    "name": "客户消息数",
                    "color": "#7048e8",
                    "data": [i.count for i in reversed(bot.top_intents)],
                }
            ],
        },
    }

"""The dashboard's tables as rows with Chinese headers, and as CSV (UTF-8 with a BOM, so Excel reads the
Chinese) or XLSX downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy.orm import Session

from crm_store.enums import Channel, EscalationCategory
from huisheng import labels
from huisheng.errors import InvalidInputError, NotFoundError
from huisheng.services import insights
from huisheng.services.insights import Dashboard, DashboardFilter, NegativeShare, ReviewText

Cell = str | int | float | None
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: Callable[[Dashboard], list[list[Cell]]]


def _pct(value: float | None) -> Cell:
    return None if value is None else round(value * 100, 1)


def _minutes(seconds: float | None) -> Cell:
    return None if seconds is None else round(seconds / 60, 1)


def _shares(rows: Sequence[NegativeShare], name: Callable[[str | None], str]) -> list[list[Cell]]:
    return [
        [
            name(r.key),
            r.total,
            r.negative,
            _pct(r.share),
            r.previous_total,
            r.previous_negative,
            _pct(r.previous_share),
            r.change,
        ]
        for r in rows
    ]


SHARE_HEADERS = ("条数", "负面数", "负面占比%", "上期条数", "上期负面数", "上期负面占比%", "变化(百分点)")


def channel_name(key: str | None) -> str:
    if key is None:
        return "未知"
    return labels.CHANNEL_LABELS.get(Channel(key), key) if key in set(Channel) else key


def category_name(key: str | None) -> str:
    return key or "未分类"


def case_category_name(key: str | None) -> str:
    if key is None:
        return "全部"
    return labels.CATEGORY_LABELS.get(EscalationCategory(key), key) if key in set(EscalationCategory) else key


def intent_name(key: str) -> str:
    return labels.INTENT_LABELS.get(key, key)


SOURCE_NAMES = {"reviews": "评价", "messages": "会话消息"}

TABLES: dict[str, Table] = {
    "sentiment": Table(
        "情感趋势",
        ("日期", "来源", "正面", "中性", "负面", "合计", "正面占比%", "中性占比%", "负面占比%"),
        lambda d: [
            [
                b.bucket,
                SOURCE_NAMES[b.source],
                b.positive,
                b.neutral,
                b.negative,
                b.total,
                _pct(b.positive_share),
                _pct(b.neutral_share),
                _pct(b.negative_share),
            ]
            for b in d.sentiment
        ],
    ),
    "channels": Table(
        "各渠道负面占比", ("渠道", *SHARE_HEADERS), lambda d: _shares(d.negative_by_channel, channel_name)
    ),
    "categories": Table(
        "各品类负面占比", ("品类", *SHARE_HEADERS), lambda d: _shares(d.negative_by_category, category_name)
    ),
    "aspects": Table(
        "各方面负面占比", ("方面", *SHARE_HEADERS), lambda d: _shares(d.negative_by_aspect, category_name)
    ),
    "keywords": Table(
        "负面关键词",
        ("关键词", "本期差评数", "上期差评数", "变化", "例句一", "例句二"),
        lambda d: [
            [
                k.keyword,
                k.count,
                k.previous_count,
                k.change,
                *[e.text for e in k.examples],
                *[None] * (2 - len(k.examples)),
            ]
            for k in d.keywords
        ],
    ),
    "cases": Table(
        "投诉与转人工",
        (
            "类别",
            "工单数",
            "已解决",
            "超时数",
            "超时率%",
            "已回复",
            "首次回复均值(分)",
            "首次回复中位数(分)",
            "首次回复P90(分)",
            "解决用时均值(分)",
            "解决用时中位数(分)",
            "解决用时P90(分)",
        ),
        lambda d: [
            [
                case_category_name(c.category),
                c.volume,
                c.resolved,
                c.breached,
                _pct(c.breach_rate),
                c.responded,
                _minutes(c.first_response_mean_s),
                _minutes(c.first_response_median_s),
                _minutes(c.first_response_p90_s),
                _minutes(c.resolution_mean_s),
                _minutes(c.resolution_median_s),
                _minutes(c.resolution_p90_s),
            ]
            for c in d.cases
        ],
    ),
    "csat": Table(
        "满意度分布",
        ("评分", "会话数"),
        lambda d: [[score, count] for score, count in d.csat.distribution.items()],
    ),
    "csat-lowest": Table(
        "评分最低的会话",
        ("会话", "客户", "渠道", "评分", "留言", "结束时间"),
        lambda d: [
            [
                c.conversation_id,
                c.customer_name,
                channel_name(c.channel),
                c.score,
                c.comment,
                c.ended_at.isoformat() if c.ended_at else None,
            ]
            for c in d.csat.lowest
        ],
    ),
    "intents": Table(
        "热门意图",
        ("意图", "消息数", "占客户消息%"),
        lambda d: [[intent_name(i.intent), i.count, _pct(i.share)] for i in d.containment.top_intents],
    ),
}

KEYWORD_TEXT_HEADERS = ("评价", "时间", "品类", "评分", "内容")


def keyword_text_rows(texts: Sequence[ReviewText]) -> list[list[Cell]]:
    return [[t.review_id, t.created_at.isoformat(), t.category, t.rating, t.text] for t in texts]


def table_named(name: str) -> Table:
    table = TABLES.get(name)
    if table is None:
        raise NotFoundError(f"没有名为 {name} 的表（可选：{', '.join(TABLES)}）", code="unknown_table")
    return table


def render(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, fmt: str, filename: str) -> Response:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    elif fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
        out = io.BytesIO()
        book.save(out)
        body = out.getvalue()
    else:
        raise NotFoundError(f"只能下载 csv 或 xlsx，不是 {fmt}", code="unknown_format")
    return Response(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


def export_table(
    session: Session, *, filter: DashboardFilter, table: str, fmt: str, keyword: str | None = None
) -> Response:
    """One download: `keyword-texts` (needs `keyword`) or a dashboard table, named after the period."""
    stem = f"{table}-{filter.first_day}-{filter.last_day}"
    if table == "keyword-texts":
        if not keyword:
            raise InvalidInputError("下载关键词原文需要 keyword 参数", code="keyword_required")
        texts = insights.keyword_reviews(session, filter=filter, keyword=keyword)
        return render(KEYWORD_TEXT_HEADERS, keyword_text_rows(texts), fmt=fmt, filename=stem)
    chosen = table_named(table)
    board = insights.dashboard(session, filter=filter)
    return render(chosen.headers, chosen.rows(board), fmt=fmt, filename=stem)
